"""Self-help logic: mood check-ins, the signposting directory and "what would help right now?"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from webapp import audit, clock
from webapp.directory.service import directory_entries
from webapp.extensions import db
from webapp.selfhelp import content
from webapp.selfhelp.models import MoodEntry
from webapp.selfhelp.tools import MOOD_TAG_KEYS, MOOD_WORDS_LIMIT, TOOLS_BY_SLUG

# ---------------------------------------------------------------- mood check-ins

IMPORT_LIMIT = 500  # entries in one move from a device


class MoodError(ValueError):
    """A check-in that cannot be kept as given."""


def _clean(score: Any, words: Any, tags: Any) -> tuple[int, str | None, list[str]]:
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise MoodError("score")
    if words is not None and not isinstance(words, str):
        raise MoodError("words")
    words = (words or "").strip() or None
    if words and len(words) > MOOD_WORDS_LIMIT:
        raise MoodError("words")
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t in MOOD_TAG_KEYS for t in tags):
        raise MoodError("tags")
    return score, words, sorted(set(tags))


def add_entry(user_id: int, score: int, words: str | None = None, tags: list[str] | None = None) -> MoodEntry:
    score, words, tags = _clean(score, words, tags)
    now = clock.now()
    entry = MoodEntry(user_id=user_id, score=score, words=words, tags=tags, recorded_at=now, created_at=now)
    db.session.add(entry)
    db.session.flush()
    return entry


def entries_for(user_id: int, limit: int = 100) -> list[MoodEntry]:
    """The newest check-ins first."""
    query = (select(MoodEntry).where(MoodEntry.user_id == user_id)
             .order_by(MoodEntry.recorded_at.desc(), MoodEntry.id.desc()).limit(limit))
    return list(db.session.scalars(query))


def delete_entry(user_id: int, entry_id: int) -> bool:
    """Delete one of this person's check-ins; False when there is no such check-in of theirs."""
    result = db.session.execute(delete(MoodEntry).where(MoodEntry.id == entry_id, MoodEntry.user_id == user_id))
    if result.rowcount:
        audit.record("mood.deleted", actor_id=user_id, subject_type="mood_entry", subject_id=entry_id)
    return bool(result.rowcount)


def _parse_moment(value: Any) -> datetime:
    if not isinstance(value, str):
        raise MoodError("recorded_at")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MoodError("recorded_at") from None
    if moment.tzinfo is None:
        raise MoodError("recorded_at")
    moment = moment.astimezone(UTC)
    if moment > clock.now() + timedelta(minutes=5) or moment.year < 2020:
        raise MoodError("recorded_at")
    return moment


def _client_id(value: Any) -> str:
    if not isinstance(value, str) or not 8 <= len(value) <= 64 or not value.replace("-", "").isalnum():
        raise MoodError("id")
    return value


def import_entries(user_id: int, items: Any) -> tuple[int, int]:
    """Move check-ins kept on a device to the account. Idempotent: the device's ids are kept, so
    sending the same entries again adds nothing. All or nothing: one bad entry refuses the lot.

    Returns (added, already_there).
    """
    if not isinstance(items, list) or len(items) > IMPORT_LIMIT:
        raise MoodError("entries")
    cleaned: dict[str, MoodEntry] = {}
    for item in items:
        if not isinstance(item, dict):
            raise MoodError("entries")
        score, words, tags = _clean(item.get("score"), item.get("words"), item.get("tags"))
        client_id = _client_id(item.get("id"))
        cleaned[client_id] = MoodEntry(user_id=user_id, score=score, words=words, tags=tags,
                                       recorded_at=_parse_moment(item.get("recorded_at")),
                                       client_id=client_id, created_at=clock.now())
    existing = set(db.session.scalars(select(MoodEntry.client_id).where(
        MoodEntry.user_id == user_id, MoodEntry.client_id.in_(list(cleaned)))))
    new = [entry for client_id, entry in cleaned.items() if client_id not in existing]
    db.session.add_all(new)
    db.session.flush()
    if new:
        audit.record("mood.imported", actor_id=user_id, subject_type="user", subject_id=user_id)
    return len(new), len(cleaned) - len(new)


def export_for(user) -> list[dict[str, Any]]:
    """This person's check-ins for "download my data"."""
    query = select(MoodEntry).where(MoodEntry.user_id == user.id).order_by(MoodEntry.recorded_at)
    return [{"recorded_at": e.recorded_at.isoformat(), "score": e.score, "words": e.words, "tags": e.tags}
            for e in db.session.scalars(query)]


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    entry: MoodEntry


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[ChartPoint]
    gridlines: list[tuple[int, float]]  # (score, y)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_PAD = 600, 220, 40, 20


def chart(entries_newest_first: list[MoodEntry], last: int = 30) -> Chart:
    """The newest `last` check-ins, oldest on the left, as coordinates for an inline SVG."""
    entries = list(reversed(entries_newest_first[:last]))
    inner_w = CHART_WIDTH - CHART_LEFT - CHART_PAD
    inner_h = CHART_HEIGHT - 2 * CHART_PAD

    def y_for(score: int) -> float:
        return CHART_PAD + (5 - score) * inner_h / 4

    step = inner_w / (len(entries) - 1) if len(entries) > 1 else 0
    points = [ChartPoint(x=CHART_LEFT + (i * step if len(entries) > 1 else inner_w / 2), y=y_for(e.score), entry=e)
              for i, e in enumerate(entries)]
    return Chart(CHART_WIDTH, CHART_HEIGHT, points, [(s, y_for(s)) for s in range(1, 6)])


# ---------------------------------------------------------------- signposting directory

@dataclass(frozen=True)
class Contact:
    kind: str  # call | text | web | email
    value: str
    shown: str
    hours: str | None = None
    body: str | None = None
    note: str | None = None

    @property
    def href(self) -> str:
        if self.kind == "call":
            return f"tel:{self.value}"
        if self.kind == "text":
            return f"sms:{self.value}?body={self.body}" if self.body else f"sms:{self.value}"
        if self.kind == "email":
            return f"mailto:{self.value}"
        return self.value


@dataclass(frozen=True)
class Signpost:
    id: str
    name: str
    scope: str
    description: str
    min_age: int
    max_age: int | None
    topics: tuple[str, ...]
    areas: tuple[str, ...]
    contacts: tuple[Contact, ...]
    when: str | None = None
    allocatable: bool = False

    def fits_age(self, low: int, high: int) -> bool:
        """Whether the service takes anyone aged between low and high."""
        return self.min_age <= high and (self.max_age is None or self.max_age >= low)

    def fits_topic(self, topic: str) -> bool:
        return "any" in self.topics or topic in self.topics

    def fits_area(self, area: str) -> bool:
        return not self.areas or area in self.areas


def _signpost(entry: dict[str, Any]) -> Signpost:
    return Signpost(
        id=entry["id"], name=entry["name"], scope=entry["scope"], description=entry.get("description", ""),
        min_age=entry.get("min_age", 0), max_age=entry.get("max_age"), when=entry.get("when"),
        topics=tuple(entry.get("topics") or ("any",)), areas=tuple(entry.get("areas") or ()),
        contacts=tuple(Contact(**c) for c in entry.get("contacts") or ()),
        allocatable=bool(entry.get("allocatable")),
    )


def signposts(scope: str | None = None) -> list[Signpost]:
    """Services people can contact themselves (not allocated by the front door)."""
    return [_signpost(e) for e in directory_entries(scope) if not e.get("allocatable")]


def allocatable_entries() -> list[Signpost]:
    return [_signpost(e) for e in directory_entries() if e.get("allocatable")]


# ---------------------------------------------------------------- "what would help right now?"

# The topics a request for support can be about (one list: webapp.selfhelp.content.TOPICS), said
# in the first person where that reads better here, then the two that are asked only here.
_SAID_HERE = {"eating-body": _l("Worries about eating, food or my body"), "self-harm": _l("Urges to hurt myself")}
SITUATIONS: tuple[tuple[str, object], ...] = (
    *((slug, _SAID_HERE.get(slug, words)) for slug, words in content.REQUEST_TOPICS),
    ("suicidal", _l("Thinking about ending my life")),
    ("parents-carers", _l("I am a parent or carer, worried about a child")),
)
URGENCIES: tuple[tuple[str, object], ...] = (
    ("danger", _l("I am in danger, or I might hurt myself or someone else soon")),
    ("today", _l("I need to talk to someone today")),
    ("while", _l("It has been hard for a while")),
    ("ideas", _l("I would like some ideas to try myself")),
)
AGE_BANDS: tuple[tuple[str, object, int, int], ...] = (
    ("0-10", _l("10 or younger"), 0, 10),
    ("11-12", _l("11 or 12"), 11, 12),
    ("13-15", _l("13 to 15"), 13, 15),
    ("16-17", _l("16 or 17"), 16, 17),
    ("18-25", _l("18 to 25"), 18, 25),
    ("26+", _l("26 or older"), 26, 120),
)
AGES_BY_KEY = {key: (low, high) for key, _label, low, high in AGE_BANDS}
AREAS: tuple[tuple[str, object], ...] = (
    ("norwich", _l("Norwich")),
    ("north-norfolk", _l("North Norfolk")),
    ("west-norfolk", _l("King's Lynn and West Norfolk")),
    ("south-norfolk", _l("South Norfolk and Breckland")),
    ("great-yarmouth", _l("Great Yarmouth")),
    ("waveney", _l("Waveney (Lowestoft, Beccles, Bungay and around)")),
    ("broadland", _l("Broadland")),
    ("outside", _l("Somewhere else")),
    ("not-say", _l("I would rather not say")),
)
# Answers that mean someone may not be safe right now: they go straight to urgent help.
DANGER_SITUATIONS = frozenset({"suicidal"})
DANGER_URGENCIES = frozenset({"danger"})
# What to suggest for each situation beyond the topic's own tools.
EXTRA_TOOLS = {"worry": ("worry-time",), "self-harm": ("distraction",), "anger": ("distraction",)}
TALK_NOW_LINES = ("nhs111", "shout", "childline", "samaritans")
NEEDS_A_PERSON = frozenset({"self-harm", "unsafe-at-home", "eating-body", "parents-carers"})


def in_danger(situation: str | None, urgency: str | None) -> bool:
    """Answers that mean someone may not be safe right now, however the rest of the form was filled in
    (a field left empty, a stale token): they go straight to urgent help."""
    return situation in DANGER_SITUATIONS or urgency in DANGER_URGENCIES


@dataclass(frozen=True)
class Answers:
    situation: str
    urgency: str
    age: str
    area: str

    @property
    def in_danger(self) -> bool:
        return in_danger(self.situation, self.urgency)

    @property
    def in_area(self) -> bool:
        return self.area not in ("outside",)


@dataclass
class Suggestions:
    answers: Answers
    topic: content.Topic | None
    tools: list = field(default_factory=list)
    talk_now: bool = False
    talk_now_lines: tuple[str, ...] = ()
    local: list[Signpost] = field(default_factory=list)
    national: list[Signpost] = field(default_factory=list)
    ask_for_support: bool = False
    over_age: bool = False
    asks_for_child: bool = False
    drop_ins: bool = False


def suggest(answers: Answers, lang: str) -> Suggestions:
    """What to offer for these answers. Callers send people in danger to urgent help first."""
    low, high = AGES_BY_KEY[answers.age]
    topic = content.topic(answers.situation, lang)
    tool_slugs = list(dict.fromkeys([*(topic.related_tools if topic else ()),
                                     *EXTRA_TOOLS.get(answers.situation, ())]))
    over_age = low > 25
    result = Suggestions(answers=answers, topic=topic, over_age=over_age)
    result.tools = [TOOLS_BY_SLUG[slug] for slug in tool_slugs if slug in TOOLS_BY_SLUG]
    result.talk_now = answers.urgency == "today"
    result.talk_now_lines = tuple(line for line in TALK_NOW_LINES if line != "childline" or low <= 18)
    fits = [s for s in signposts() if s.fits_topic(answers.situation) and s.fits_age(low, high)]
    result.national = [s for s in fits if s.scope == "national"]
    if answers.in_area:
        result.local = [s for s in fits if s.scope == "local" and s.fits_area(answers.area)]
    result.asks_for_child = answers.situation == "parents-carers" or high <= 12
    result.ask_for_support = (answers.in_area and not over_age
                              and (answers.urgency in ("today", "while") or answers.situation in NEEDS_A_PERSON))
    result.drop_ins = answers.in_area and not over_age
    return result


# -- "what would help right now?" on the device (no signal) ------------------------------------
# The same decision as `suggest`, as data for static/js/selfhelp/what-would-help.js, so the kept page
# answers offline exactly as the server would (tests/browser/test_what_would_help_offline.py compares
# every combination of answers).

def decision_data(lang: str) -> dict[str, Any]:
    """Everything `suggest` decides from, as plain JSON (no text: the page holds the words)."""
    situation_tools = {}
    situation_topic = {}
    for key, _label in SITUATIONS:
        topic = content.topic(key, lang)
        slugs = list(dict.fromkeys([*(topic.related_tools if topic else ()), *EXTRA_TOOLS.get(key, ())]))
        situation_tools[key] = [slug for slug in slugs if slug in TOOLS_BY_SLUG]
        situation_topic[key] = topic.slug if topic else None
    return {
        "ages": {key: [low, high] for key, _label, low, high in AGE_BANDS},
        "situationTools": situation_tools,
        "situationTopic": situation_topic,
        "talkNowLines": list(TALK_NOW_LINES),
        "needsAPerson": sorted(NEEDS_A_PERSON),
        "dangerSituations": sorted(DANGER_SITUATIONS),
        "dangerUrgencies": sorted(DANGER_URGENCIES),
        "outsideAreas": ["outside"],
        "signposts": [{"id": s.id, "scope": s.scope, "topics": list(s.topics), "min": s.min_age, "max": s.max_age,
                       "areas": list(s.areas)} for s in signposts()],
    }


def decision_summary(result: Suggestions) -> dict[str, Any]:
    """What `suggest` decided, in the shape the device's decision gives (to compare them)."""
    return {
        "tools": [tool.slug for tool in result.tools],
        "topic": result.topic.slug if result.topic else None,
        "talkNow": result.talk_now,
        "lines": list(result.talk_now_lines),
        "local": [s.id for s in result.local],
        "national": [s.id for s in result.national],
        "askForSupport": result.ask_for_support,
        "asksForChild": result.asks_for_child,
        "dropIns": result.drop_ins,
        "overAge": result.over_age,
    }
