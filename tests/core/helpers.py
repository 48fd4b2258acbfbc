"""The language crawl's readers (tests/core/test_language_crawl.py), for the other tests that read
pages as a person does (tests/core/test_i18n.py).

- `read_page(body)`: the text a person reads (or hears) on a page, node by node (`TextNodes`).
- `client_for(app, login, role)`: a test client signed in as the demo account of a role.
"""

from __future__ import annotations

from html.parser import HTMLParser

SKIPPED_TAGS = {"script", "style", "template", "textarea"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
READ_ATTRIBUTES = ("aria-label", "alt", "title", "placeholder")


class TextNodes(HTMLParser):
    """The text a person reads (or hears) on a page, node by node."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping: list[bool] = []

    @property
    def skipping(self) -> bool:
        return bool(self._skipping) and self._skipping[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = self.skipping or tag in SKIPPED_TAGS or values.get("lang") == "en" and tag != "html"
        if not skip and not (tag == "input" and values.get("type") == "hidden"):
            self._read_attributes(tag, values)
        if tag not in VOID_TAGS:
            self._skipping.append(skip)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self._skipping:
            self._skipping.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_TAGS and self._skipping:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._add(data)

    def _read_attributes(self, tag: str, values: dict[str, str | None]) -> None:
        for name in READ_ATTRIBUTES:
            self._add(values.get(name) or "")
        if tag == "input" and values.get("type") in ("submit", "button", "reset"):
            self._add(values.get("value") or "")
        if tag == "meta" and values.get("name") in ("description", "apple-mobile-web-app-title"):
            self._add(values.get("content") or "")

    def _add(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.texts.append(text)


def read_page(body: str) -> TextNodes:
    """The text a person reads on the page whose HTML is `body`."""
    parser = TextNodes()
    parser.feed(body)
    parser.close()
    return parser


def client_for(app, login, role: str):
    """A test client signed in as the demo account of `role` (none for "anonymous"), its language unset."""
    from webapp.accounts.models import User
    from webapp.accounts.service import find_by_email
    from webapp.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
    from webapp.extensions import db

    client = app.test_client()
    if role == "anonymous":
        return client
    email = next(address for address, demo_role, _name in DEMO_ACCOUNTS if demo_role == role)
    user: User = find_by_email(email)
    user.locale = None  # the language comes from the cookie the crawl sets
    db.session.commit()
    login(client, user, password=DEMO_PASSWORD)
    return client
