"""/waits stays light: compact charts, each service's part rendered once and kept, a fixed number of
queries, and a gzipped page within budget with a year of demo flow."""

from __future__ import annotations

import gzip
import re
from contextlib import contextmanager
from datetime import timedelta

from flask import template_rendered

from tests.waits.helpers import make_journey, make_service
from webapp import clock
from webapp.directory.service import set_wait_note
from webapp.extensions import db
from webapp.waits import fragments, service

DAY = timedelta(days=1)
BUDGET_GZIPPED = 7 * 1024  # the HTML of /waits with the demo data; a repeat visit must stay under 10 KB


def _flow(service_id: str = "talk", name: str = "Talking service", **fields) -> None:
    now = clock.now()
    make_service(service_id, name=name, thrive_group="getting_help", min_age=5, max_age=17, **fields)
    for days in (7, 14, 21, 28, 35):
        allocated = now - (days + 3) * DAY
        make_journey(service_id, allocated - 4 * DAY, triaged=allocated - 2 * DAY, allocated=allocated,
                     first_appointment=allocated + days * DAY)
    make_journey(service_id, now - 9 * DAY, triaged=now - 8 * DAY, allocated=now - 7 * DAY)


@contextmanager
def _parts_rendered(app):
    rendered: list[str] = []

    def record(_sender, template, context, **_extra):
        if template.name == "waits/_service.html":
            rendered.append(context["row"].service.id)

    template_rendered.connect(record, app)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(record, app)


def _main(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def test_charts_are_compact_svg(client, frozen_clock):
    _flow()
    main = _main(client.get("/waits").get_data(as_text=True))
    assert main.count("<svg") == 2
    assert main.count('class="wc-line"') == 1 and main.count('class="wc-bars"') == 1  # one path per series
    assert "<rect" not in main and "<circle" not in main and "<polyline" not in main
    assert "style=" not in main and " fill=" not in main and " stroke=" not in main  # the look is in app.css
    assert not re.search(r'd="[^"]*\d\.\d', main)  # whole-number coordinates
    assert 'role="img" aria-label="People waiting at the end of each week, last 26 weeks"' in main
    assert 'aria-label="First appointments each week, last 26 weeks"' in main


def test_the_table_has_the_charts_figures_week_by_week(client, frozen_clock):
    _flow()
    main = _main(client.get("/waits").get_data(as_text=True))
    table = main.split('<details class="waits-table">', 1)[1].split("</details>", 1)[0]
    rows = re.findall(r'<tr><th scope="row">([^<]+)<td>([^<]+)<td>([^<]+)', table)
    weeks = {s["id"]: s for s in client.get("/api/v1/waits").get_json()["services"]}["talk"]["weeks"]
    # 1 to 4 people (waiting, or seen in a week) read "fewer than 5" in both, so nobody can be picked out
    # (issue 15, item 4)
    def words(count):
        return "fewer than 5" if count == "fewer_than_5" else str(count)

    assert [(w, s.strip()) for _label, w, s in rows] == [(words(w["waiting"]), words(w["starts"])) for w in weeks]
    assert rows[-1][0] == "8 Jun 2026"  # the last complete week before Monday 15 June
    assert "<caption" in table and 'scope="col"' in table


def test_each_service_is_rendered_once_then_kept(app, client, frozen_clock):
    _flow()
    _flow("adult", name="Young adults service")
    fragments.forget()
    with _parts_rendered(app) as rendered:
        first = client.get("/waits").get_data(as_text=True)
        assert sorted(rendered) == ["adult", "talk"]
        again = client.get("/waits").get_data(as_text=True)
        assert sorted(rendered) == ["adult", "talk"]  # nothing drawn again
        client.get("/waits?age=10")
        assert len(rendered) == 2  # a filter shows kept parts too
    assert _main(first).split('<h2 id="services-heading">')[1] == _main(again).split('<h2 id="services-heading">')[1]


def test_a_kept_part_never_outlives_what_it_shows(app, client, frozen_clock):
    _flow()
    client.get("/waits")
    with _parts_rendered(app) as rendered:
        set_wait_note("talk", wait_note="Extra clinics in July", paused=False, paused_reason=None)
        db.session.commit()
        assert "Extra clinics in July" in client.get("/waits").get_data(as_text=True)
        assert rendered == ["talk"]

        now = clock.now()
        make_journey("talk", now - 5 * DAY, triaged=now - 4 * DAY, allocated=now - 3 * DAY)
        service.refresh_snapshot()
        db.session.commit()
        page = client.get("/waits").get_data(as_text=True)
        assert rendered == ["talk", "talk"]
        assert "fewer than 5 people" in page  # 2 waiting now, shown as a small number

        polish = client.get("/waits", headers={"Accept-Language": "pl"}).get_data(as_text=True)
        assert len(rendered) == 3 and 'lang="pl"' in polish
        assert "The numbers week by week" not in polish and "2 people" not in polish


def test_the_page_takes_the_same_few_queries_however_many_services(client, frozen_clock, count_queries):
    # `?uncached=1`: an argument the anonymous page cache does not keep (webapp/page_cache.py), so the
    # page is rendered each time: these are the queries of rendering it.
    _flow()
    client.get("/waits?uncached=1")
    with count_queries() as one:
        assert client.get("/waits?uncached=1").status_code == 200
    for number in range(5):
        _flow(f"extra-{number}", name=f"Extra service {number}")
    service.refresh_snapshot()
    db.session.commit()
    client.get("/waits?uncached=1")
    with count_queries() as six:
        assert client.get("/waits?uncached=1").status_code == 200
    assert len(one) == len(six) <= 3, six


def test_the_page_is_within_budget_with_a_year_of_demo_flow(client, frozen_clock):
    from webapp.directory.service import sync_services_from_data
    from webapp.waits.demo import seed_flow

    sync_services_from_data()
    seed_flow()
    db.session.commit()
    response = client.get("/waits", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.get_data())
    assert html.count(b'class="card waits-service"') == 10
    assert html.count(b'<details class="waits-table">') == 8  # Kooth and the crisis team have no waiting list
    assert len(response.get_data()) <= BUDGET_GZIPPED, len(response.get_data())
