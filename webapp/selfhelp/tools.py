"""The self-help tools and their text. Every tool works offline and without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Tool:
    slug: str
    endpoint: str
    title: object
    summary: object


TOOLS: tuple[Tool, ...] = (
    Tool("breathing", "selfhelp.breathing", _l("Slow breathing"),
         _l("Follow a circle that grows and shrinks to slow your breathing down.")),
    Tool("grounding", "selfhelp.grounding", _l("5-4-3-2-1 grounding"),
         _l("Come back to the here and now using what you can see, touch, hear, smell and taste.")),
    Tool("distraction", "selfhelp.distraction", _l("Ideas to get through an urge"),
         _l("Things to do instead while a strong urge passes.")),
    Tool("sleep", "selfhelp.sleep", _l("Wind down for sleep"),
         _l("A checklist for the hour before bed.")),
    Tool("worry-time", "selfhelp.worry_time", _l("Worry time"),
         _l("Put worries aside for later, then deal with them in one go.")),
    Tool("mood", "selfhelp.mood", _l("Mood check-in"),
         _l("Note how you feel and see how it changes over time.")),
)
TOOLS_BY_SLUG = {tool.slug: tool for tool in TOOLS}


@dataclass(frozen=True)
class Rhythm:
    key: str
    label: object
    phases: tuple[tuple[str, int], ...]  # ("in" | "hold" | "out" | "rest", seconds)


PHASE_WORDS = {"in": _l("Breathe in"), "hold": _l("Hold"), "out": _l("Breathe out"), "rest": _l("Rest")}

RHYTHMS: tuple[Rhythm, ...] = (
    Rhythm("5-5", _l("Steady: in for 5, out for 5"), (("in", 5), ("out", 5))),
    Rhythm("4-6", _l("Calming: in for 4, out for 6"), (("in", 4), ("out", 6))),
    Rhythm("3-4", _l("Shorter: in for 3, out for 4"), (("in", 3), ("out", 4))),
    Rhythm("box", _l("Box: in for 4, hold for 4, out for 4, rest for 4"),
           (("in", 4), ("hold", 4), ("out", 4), ("rest", 4))),
)
RHYTHMS_BY_KEY = {rhythm.key: rhythm for rhythm in RHYTHMS}
DEFAULT_RHYTHM = "5-5"

GROUNDING_STEPS: tuple[tuple[int, object, object], ...] = (
    (5, _l("5 things you can see"), _l("Look around you. Name five things you can see, out loud or in your head. "
                                        "Try to spot small things, like a crack in the ceiling or a pattern.")),
    (4, _l("4 things you can touch"), _l("Notice four things you can feel: your feet on the floor, your clothes, "
                                          "the chair under you, something cold or soft.")),
    (3, _l("3 things you can hear"), _l("Listen for three sounds: traffic, birds, a fridge humming, "
                                         "your own breathing.")),
    (2, _l("2 things you can smell"), _l("Find two smells. If you cannot smell anything, think of two smells "
                                          "you like.")),
    (1, _l("1 thing you can taste"), _l("Notice one taste in your mouth, or take a sip of a drink. "
                                         "Then take one slow breath out.")),
)

DISTRACTION_IDEAS: tuple[object, ...] = (
    _l("Wait 15 minutes before doing anything. Set a timer. Urges go up and then come down, like a wave."),
    _l("Hold an ice cube in your hand until it melts."),
    _l("Squeeze a stress ball, a pillow or a soft toy as hard as you can, then let go."),
    _l("Splash cold water on your face, or have a cool shower."),
    _l("Go for a fast walk, or dance to loud music in your room."),
    _l("Rip up some scrap paper or an old magazine into tiny pieces."),
    _l("Write down exactly how you feel. Then tear it up or keep it, whatever feels right."),
    _l("Text or call someone you trust. You do not have to say what is going on."),
    _l("Text SHOUT to 85258 to talk by text with a trained volunteer, any time."),
    _l("Scream or shout into a pillow."),
    _l("Eat something with a strong taste, like a sour sweet, a slice of lemon or a mint."),
    _l("Count backwards from 100 in sevens, or name an animal for every letter of the alphabet."),
    _l("Stroke a pet, or wrap yourself up tightly in a blanket."),
    _l("Watch a funny video or an episode of a show you love."),
    _l("Put on a song you know well and sing along as loud as you like."),
    _l("Tidy or sort one small thing, like a drawer or your bag."),
)

SLEEP_CHECKLIST: tuple[object, ...] = (
    _l("No drinks with caffeine (cola, energy drinks, coffee or tea) since the afternoon."),
    _l("Screens away about an hour before bed, or at least the brightness down and notifications off."),
    _l("Something calm: read, have a warm shower or bath, draw, or listen to quiet music."),
    _l("Worries and tomorrow's jobs written down, so they are out of your head."),
    _l("Bedroom dark, quiet and not too warm."),
    _l("In bed at about your usual time (try to keep the same times at the weekend)."),
    _l("A few minutes of slow breathing once you are lying down."),
)

WORRY_TIME_STEPS: tuple[tuple[object, object], ...] = (
    (_l("Pick your worry time"),
     _l("Choose 15 minutes at the same time each day. Not just before bed: early evening works for lots of "
        "people.")),
    (_l("Park worries during the day"),
     _l("When a worry pops up, write it down in a notebook or your phone's notes. Tell yourself: "
        "\"I will think about this at worry time.\" Then go back to what you were doing.")),
    (_l("At worry time, read your list"),
     _l("Some worries will not matter any more. Cross those off.")),
    (_l("Sort what is left"),
     _l("For each worry, ask: can I do something about this? If yes, choose one small step and when you will "
        "do it. If no, notice the worry, breathe slowly, and let it go for now.")),
    (_l("Stop when the time is up"),
     _l("Then do something you enjoy. If a worry comes back, write it down for tomorrow.")),
)

MOOD_SCALE: tuple[tuple[int, object], ...] = (
    (1, _l("Very low")), (2, _l("Low")), (3, _l("Okay")), (4, _l("Good")), (5, _l("Very good")),
)
MOOD_TAGS: tuple[tuple[str, object], ...] = (
    ("calm", _l("Calm")), ("happy", _l("Happy")), ("hopeful", _l("Hopeful")), ("tired", _l("Tired")),
    ("worried", _l("Worried")), ("sad", _l("Sad")), ("angry", _l("Angry")), ("lonely", _l("Lonely")),
    ("stressed", _l("Stressed")), ("numb", _l("Numb")),
)
MOOD_TAG_KEYS = frozenset(key for key, _label in MOOD_TAGS)
MOOD_WORDS_LIMIT = 280
