"""Random and hostile input for every form: the shared fuzz test (tests/test_hostile_input.py) and the
forms it cannot reach (tests/bookings/test_hostile.py).

- `HOSTILE`: a Hypothesis strategy of random and hostile text; `MARKER` in it must never come back unescaped.
- `forms_on(client, path)`: the forms on a page, to be filled with it.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

from hypothesis import strategies as st

MARKER = "<script>alert('flourish')</script>"
HOSTILE = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=300),
    st.sampled_from([
        MARKER, "'; DROP TABLE users; --", "\" onmouseover=\"alert(1)", "../../etc/passwd", "%00",
        "\x00\x01\x02", "\u202e\u200b\ufeff", "😀" * 50, "x" * 100_000, "-1", "1e309", "2026-02-30",
        "0", "NaN", "{{ 7*7 }}", "${7*7}", "<img src=x onerror=alert(1)>", " ", "",
    ]),
)


class FormFinder(HTMLParser):
    """The forms on a page: each one's action, method and fields (with their values as sent)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            method = (attributes.get("method") or "get").lower()
            self._current = {"action": attributes.get("action") or "", "method": method, "fields": {}}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select") and attributes.get("name"):
            name = attributes["name"]
            if name == "csrf_token" or attributes.get("type") in ("submit", "button"):
                return
            self._current["fields"].setdefault(name, attributes.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms_on(client, path):
    """(action, form) for every form with fields on the page at `path`, as `client` gets it."""
    page = client.get(path)
    if page.status_code != 200 or "text/html" not in page.content_type:
        return []
    finder = FormFinder()
    finder.feed(page.get_data(as_text=True))
    return [(urljoin(path, form["action"] or path), form) for form in finder.forms if form["fields"]]
