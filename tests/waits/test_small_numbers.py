"""No count of people under 5 leaves the server (issue 15, item 4; hazard H90): not on /waits, not in
/api/v1/waits, not as a total that, less the counts shown, would give a hidden one away, and not in
the charts' drawing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.waits.helpers import make_journey, make_service
from webapp import clock
from webapp.extensions import db
from webapp.waits import service

DAY = timedelta(days=1)
COUNT_FIELDS = ("waiting_now", "waiting_now_shown", "finished_waits", "finished_waits_shown")


def _waiting(service_id: str, days_since_asking: float) -> None:
    now = clock.now()
    received = now - days_since_asking * DAY
    make_journey(service_id, received, triaged=received + DAY / 2, allocated=received + DAY)


def _seen_each_week(service_id: str, per_week: int, weeks: int = 12) -> None:
    this_monday = datetime(2026, 6, 14, 23, 0, tzinfo=UTC)
    for week in range(1, weeks + 1):
        for _ in range(per_week):
            appointment = this_monday - week * 7 * DAY + 2 * DAY
            allocated = appointment - 14 * DAY
            make_journey(service_id, allocated - 2 * DAY, triaged=allocated - DAY, allocated=allocated,
                         first_appointment=appointment)


def _published(client) -> dict[str, dict]:
    service.refresh_snapshot()
    db.session.commit()
    return {s["id"]: s for s in client.get("/api/v1/waits").get_json()["services"]}


def _counts(entry: dict) -> list[object]:
    """Every count of people in one service's entry of the API."""
    values = [entry[name] for name in COUNT_FIELDS]
    values += list((entry["waited_so_far"] or {}).values())
    values += [week[name] for week in entry["weeks"] for name in ("starts", "waiting")]
    return values


def test_the_api_never_gives_a_count_from_1_to_4(frozen_clock, client):
    make_service("few", name="Small service")
    for days in (3, 10, 40):
        _waiting("few", days)
    _seen_each_week("few", per_week=2)
    few = _published(client)["few"]
    assert not [value for value in _counts(few) if isinstance(value, int) and 0 < value < 5], few
    assert few["waiting_now"] is None and few["waiting_now_shown"] == "fewer_than_5"
    assert {week["starts"] for week in few["weeks"][-12:]} == {"fewer_than_5"}
    # 24 people seen, but the weeks are hidden: an exact total would be a sum of hidden weeks.
    assert few["finished_waits"] is None and few["finished_waits_shown"] == "5_or_more"
    assert few["median_days"] == 14.0  # the typical wait itself is still given: 24 people


def test_a_total_less_the_bands_shown_never_gives_a_hidden_band_away(frozen_clock, client):
    make_service("svc", name="Talking service")
    for days in (1, 2, 3, 5, 6, 8):  # 6 people under 4 weeks since asking
        _waiting("svc", days)
    _waiting("svc", 40)  # 1 person 4 to 12 weeks
    entry = _published(client)["svc"]
    assert entry["waiting_now"] == 7
    bands = entry["waited_so_far"]
    assert bands["4_to_12"] == "fewer_than_5"
    assert bands["under_4"] == "5_or_more"  # else 7 - 6 = 1
    hidden = [name for name, count in bands.items() if not isinstance(count, int)]
    assert len(hidden) != 1


def test_the_page_says_fewer_than_5_and_draws_every_hidden_week_alike(frozen_clock, client):
    make_service("one", name="One a week")
    make_service("three", name="Three a week")
    _seen_each_week("one", per_week=1)
    _seen_each_week("three", per_week=3)
    service.refresh_snapshot()
    db.session.commit()
    page = client.get("/waits").get_data(as_text=True)
    one = page.split('id="service-one"', 1)[1].split("</section>", 1)[0]
    three = page.split('id="service-three"', 1)[1].split("</section>", 1)[0]
    assert "Based on 5 or more people seen in the last 12 weeks." in three
    assert "Based on 36 people" not in page
    table = one.split("<tbody>", 2)[-1]
    assert "<td>1<" not in table and "<td>3<" not in three.split("<tbody>", 2)[-1]
    assert "fewer than 5" in table

    def bars(html: str) -> str:
        return re.search(r'class="wc-bars" d="([^"]+)"', html)[1]

    assert bars(one) == bars(three)  # 1 and 3 a week are drawn the same: "fewer than 5"
