"""Data files (crisis lines, services, places) and their translation.

Human-readable text in these YAML files (and the bases' in webapp/bookings/data) is translated like any
other string: `babel.cfg` names `extract_yaml` as its `yaml` extractor (an `[extractors]` section: a
`module:function` in a section name is split at its colon and never matched a file) so `pybabel
extract` collects the values of the keys in `TRANSLATABLE_KEYS`, and templates pass them through
`gettext` when shown. Text staff type later (a base edited by an admin) is not in the catalogues and
shows as typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent
TRANSLATABLE_KEYS = frozenset({"name", "when", "hours", "ages", "display", "description", "title",
                               "summary", "label", "what_for", "how_to_get_there", "accessibility",
                               "opening_hours", "note", "how_to_get", "getting_there"})


@lru_cache(maxsize=32)
def load(name: str) -> Any:
    """A data file by name (without `.yaml`), parsed once."""
    with open(DATA_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _strings(node: Any, line_hint: int = 0) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TRANSLATABLE_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def extract_yaml(fileobj, keywords, comment_tags, options):
    """A Babel extraction method for our YAML data files."""
    data = yaml.safe_load(fileobj.read().decode("utf-8"))
    for text in _strings(data):
        yield 0, "gettext", text, []
