"""A scanner's eye: the passive rules of OWASP ZAP's baseline scan, as tests over every page every
role can reach.

Each role (anonymous and the six) crawls from its start pages and every page the access matrix
(tests/test_access_matrix.py) lets it open, with the Norfolk & Waveney demo data loaded, following
links as the browser crawl does (the shared crawl, tests/helpers/client_crawl.py), and fetches every
stylesheet, script and image those pages name. It runs as production does: over HTTPS (a
TLS-ending proxy in front), HSTS on, the `__Host-` session cookie. Error answers (400, 403, 404,
405, 429) are scanned too. Every response goes through the rules below, named by their ZAP ids;
`docs/security.md` says, for each, what Flourish does, and explains the few that are by design.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest

from tests.helpers.client_crawl import client_crawl, page_key
from tests.helpers.crawl import pattern
from tests.test_access_matrix import ACCESS, ROLES, allowed
from webapp.accounts.roles import STAFF_ROLES

MAX_PAGES_PER_ROLE = 90
HOST = "localhost"
# Narrower than the shared crawl's SKIP: scripts, the manifest, the API and downloads are scanned too.
# Links to /static/ are not followed as pages: a page's stylesheets, scripts and images are fetched
# with it (`Crawl.resources`).
SKIP = re.compile(r"^/(logout$|static/)")
# What a value typed into a query string looks like when it comes back: the raw form must never.
PROBE = "zq\"'><zq"


@dataclass
class Seen:
    role: str
    method: str
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    signed_in: bool

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def mimetype(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def is_html(self) -> bool:
        return self.mimetype == "text/html"


class Page(HTMLParser):
    """What a passive scanner reads in a page: links, subresources, forms, comments, attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.resources: list[tuple[str, str]] = []  # (tag, url)
        self.forms: list[dict] = []
        self.comments: list[str] = []
        self.inline_scripts: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []  # (tag, name, value)
        self.charset_meta: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        self.attributes.extend((tag, name, value or "") for name, value in attrs)
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        if tag == "script":
            self._in_script = "src" not in values
            if "src" in values:
                self.resources.append((tag, values["src"]))
        if tag == "link" and values.get("href"):
            self.resources.append((tag, values["href"]))
        if tag in ("img", "source", "iframe", "embed", "audio", "video") and values.get("src"):
            self.resources.append((tag, values["src"]))
        if tag == "form":
            self.forms.append({"method": values.get("method", "get").lower(), "action": values.get("action"),
                               "inputs": []})
        if tag in ("input", "button", "select", "textarea") and self.forms:
            self.forms[-1]["inputs"].append(values.get("name", ""))
        if tag == "meta" and "charset" in values:
            self.charset_meta.append(values["charset"].lower())

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data)

    def handle_comment(self, data):
        self.comments.append(data)


def parse(seen: Seen) -> Page:
    page = Page()
    page.feed(seen.text)
    return page


# ------------------------------------------------------------------ the rules, by ZAP id

Finding = tuple[str, str]  # (rule id, what was found)
RULES: dict[str, Callable[[Seen], Iterator[str]]] = {}


def rule(rule_id: str):
    def register(check):
        RULES[rule_id] = check
        return check

    return register


def _cookies(seen: Seen) -> list[tuple[str, dict[str, str]]]:
    found = []
    for header in seen.all("Set-Cookie"):
        name_value, *parts = [part.strip() for part in header.split(";")]
        attributes = {}
        for part in parts:
            key, _sep, value = part.partition("=")
            attributes[key.lower()] = value
        found.append((name_value.partition("=")[0], attributes))
    return found


@rule("10010")  # Cookie No HttpOnly Flag
def cookie_http_only(seen):
    for name, attributes in _cookies(seen):
        if "httponly" not in attributes:
            yield f"cookie {name} without HttpOnly"


@rule("10011")  # Cookie Without Secure Flag
def cookie_secure(seen):
    for name, attributes in _cookies(seen):
        if "secure" not in attributes:
            yield f"cookie {name} without Secure"


@rule("10054")  # Cookie without SameSite Attribute
def cookie_same_site(seen):
    for name, attributes in _cookies(seen):
        if attributes.get("samesite", "").lower() not in ("lax", "strict"):
            yield f"cookie {name} SameSite={attributes.get('samesite')}"


@rule("90033")  # Loosely Scoped Cookie
def cookie_scope(seen):
    for name, attributes in _cookies(seen):
        if "domain" in attributes:
            yield f"cookie {name} with Domain={attributes['domain']}"
        if name.startswith("__Host-") and attributes.get("path") != "/":
            yield f"cookie {name} without Path=/"


@rule("10015")  # Re-examine Cache-control Directives (see docs/security.md: public pages may be kept)
def cache_control(seen):
    value = (seen.header("Cache-Control") or "").lower()
    personal = seen.signed_in or urlsplit(seen.url).path.startswith(
        ("/api/", "/staff", "/settings", "/track", "/request-support"))
    if personal and "no-store" not in value:
        yield f"personal response with Cache-Control: {value!r}"
    elif not value:
        yield "no Cache-Control"
    elif "no-store" not in value and "no-cache" not in value and "immutable" not in value:
        yield f"Cache-Control {value!r} neither revalidates nor is a versioned file"


@rule("10017")  # Cross-Domain JavaScript Source File Inclusion
def cross_domain_script(seen):
    if seen.is_html:
        for tag, url in parse(seen).resources:
            if tag == "script" and urlsplit(urljoin(seen.url, url)).netloc not in ("", HOST):
                yield f"script from {url}"


@rule("10019")  # Content-Type Header Missing
def content_type(seen):
    if seen.body and not seen.header("Content-Type"):
        yield "a body without Content-Type"


@rule("10020")  # Missing Anti-clickjacking Header
def anti_clickjacking(seen):
    if seen.header("X-Frame-Options") != "DENY" or len(seen.all("X-Frame-Options")) != 1:
        yield f"X-Frame-Options {seen.all('X-Frame-Options')}"
    if "frame-ancestors 'none'" not in (seen.header("Content-Security-Policy") or ""):
        yield "CSP without frame-ancestors 'none'"


@rule("10021")  # X-Content-Type-Options Header Missing
def no_sniff(seen):
    if seen.header("X-Content-Type-Options") != "nosniff":
        yield "no X-Content-Type-Options: nosniff"


@rule("10035")  # Strict-Transport-Security Header
def hsts(seen):
    value = seen.header("Strict-Transport-Security") or ""
    age = re.search(r"max-age=(\d+)", value)
    if not age or int(age.group(1)) < 31536000 or len(seen.all("Strict-Transport-Security")) != 1:
        yield f"Strict-Transport-Security {value!r}"


@rule("10036")  # Server Leaks Version Information via "Server" (gunicorn itself: tests/test_log_safety.py)
def server_version(seen):
    if re.search(r"\d", seen.header("Server") or ""):
        yield f"Server: {seen.header('Server')}"


@rule("10037")  # Server Leaks Information via "X-Powered-By"
def powered_by(seen):
    for name in ("X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Backend-Server",
                 "X-ChromeLogger-Data", "X-ChromePhp-Data", "X-Debug-Token", "X-Debug-Token-Link"):
        if seen.header(name):
            yield f"{name}: {seen.header(name)}"


CSP_REQUIRED = ("default-src", "script-src", "style-src", "img-src", "connect-src", "font-src", "frame-ancestors",
                "form-action", "base-uri", "object-src")


@rule("10038")  # Content Security Policy (CSP) Header Not Set
def csp_present(seen):
    if not seen.header("Content-Security-Policy"):
        yield "no Content-Security-Policy"


@rule("10055")  # CSP: wildcards, unsafe-inline/unsafe-eval, missing directives, meta policies
def csp_sound(seen):
    policy = seen.header("Content-Security-Policy") or ""
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.split()}
    for name in CSP_REQUIRED:
        if name not in directives:
            yield f"CSP without {name}"
    for name, sources in directives.items():
        for source in sources:
            if source in ("*", "http:", "https:", "'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'",
                          "'wasm-unsafe-eval'") or "*" in source:
                yield f"CSP {name} {source}"
            if source == "data:" and name not in ("img-src",):
                yield f"CSP {name} data:"
    if seen.is_html and "http-equiv=\"content-security-policy\"" in seen.text.lower():
        yield "CSP in a meta element"


@rule("10063")  # Permissions Policy Header Not Set
def permissions_policy(seen):
    if not seen.header("Permissions-Policy"):
        yield "no Permissions-Policy"


UNIX_TIME = re.compile(r"\b(?:1\d|2[0-2])\d{8}\b(?!%)")
TIMESTAMP_HEADERS_IGNORED = {"keep-alive", "cache-control", "etag", "age", "strict-transport-security", "report-to",
                             "nel", "expect-ct", "ratelimit-reset", "x-ratelimit-reset", "x-rate-limit-reset"}


@rule("10096")  # Timestamp Disclosure - Unix (within ten years either side of now)
def timestamps(seen):
    import time

    now = time.time()
    headers = "\n".join(f"{key}: {value}" for key, value in seen.headers
                        if key.lower() not in TIMESTAMP_HEADERS_IGNORED)
    if seen.mimetype.startswith("font/"):
        return
    for haystack in (headers, seen.text):
        for match in UNIX_TIME.finditer(haystack):
            if abs(int(match.group()) - now) < 10 * 365 * 86400:
                start = max(match.start() - 40, 0)
                yield f"{match.group()} in {haystack[start:match.end() + 20]!r}"


@rule("10098")  # Cross-Domain Misconfiguration (CORS)
def cors(seen):
    for name in ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"):
        if seen.header(name):
            yield f"{name}: {seen.header(name)}"


CSRF_NAMES = {"csrf_token", "csrfmiddlewaretoken", "authenticity_token", "_csrf", "_token", "anticsrf"}


@rule("10202")  # Absence of Anti-CSRF Tokens (a form that sends nothing to change anything is explained)
def csrf_tokens(seen):
    if not seen.is_html:
        return
    for form in parse(seen).forms:
        if form["method"] == "post" and not CSRF_NAMES & set(form["inputs"]):
            yield f"POST form to {form['action']} without a CSRF token"
        if form["method"] not in ("post", "get"):
            yield f"form with method {form['method']}"


ERROR_TEXT = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+|sqlalchemy\.|psycopg|"
                        r"SQLSTATE|sqlite3\.|jinja2\.exceptions|werkzeug\.exceptions|Werkzeug Debugger|"
                        r"Internal Server Error|OperationalError|IntegrityError|KeyError|TypeError|"
                        r"ValueError|AttributeError|at line \d+|stack trace", re.I)


@rule("90022")  # Application Error Disclosure (and 10023 Information Disclosure - Debug Error Messages)
def application_errors(seen):
    if seen.status >= 500:
        yield f"status {seen.status}"
    if seen.mimetype in ("text/html", "application/json", "text/plain"):
        for match in ERROR_TEXT.finditer(seen.text):
            yield f"{match.group()!r}"


SUSPICIOUS = re.compile(r"\b(TODO|FIXME|BUG|BUGS|XXX|QUERY|DB|ADMIN|ADMINISTRATOR|USER|USERNAME|SELECT|WHERE|FROM|"
                        r"LATER|DEBUG)\b", re.I)
UNFINISHED = re.compile(r"\b(TODO|FIXME|XXX|HACK|DEBUG)\b")


@rule("10027")  # Information Disclosure - Suspicious Comments (pages: none at all; scripts: nothing unfinished)
def suspicious_comments(seen):
    if seen.is_html:
        page = parse(seen)
        for comment in page.comments:
            yield f"HTML comment {comment[:60]!r}"
        for script in page.inline_scripts:
            yield f"inline script {script[:60]!r}"
    elif seen.mimetype in ("text/javascript", "application/javascript"):
        for number, line in enumerate(seen.text.splitlines(), 1):
            if UNFINISHED.search(line):
                yield f"line {number}: {line.strip()[:80]!r}"


def _luhn(digits: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


CARD = re.compile(r"\b(?:4\d{12}(?:\d{3})?|5[1-5]\d{14}|3[47]\d{13}|6(?:011|5\d\d)\d{12}|3(?:0[0-5]|[68]\d)\d{11}|"
                  r"(?:2131|1800|35\d{3})\d{11})\b")


@rule("10062")  # PII Disclosure (card numbers)
def pii(seen):
    if seen.mimetype.startswith(("text/", "application/json")):
        for match in CARD.finditer(seen.text):
            if _luhn(match.group()):
                yield f"card-like number {match.group()}"


BANNER = re.compile(r"\b(Apache|nginx|gunicorn|Werkzeug|Python|Flask|Microsoft-IIS|Tomcat|Jetty|lighttpd|"
                    r"OpenSSL|PHP)/\d", re.I)


@rule("10009")  # In Page Banner Information Leak
def banner(seen):
    if seen.status >= 400 or seen.is_html:
        for match in BANNER.finditer(seen.text):
            yield match.group()


@rule("10031")  # User Controllable HTML Element Attribute (potential XSS): the probe never comes back raw
def user_controlled_attributes(seen):
    if PROBE in seen.text:
        yield "the probe came back unescaped"
    if seen.is_html:
        for tag, name, value in parse(seen).attributes:
            if name.startswith("on"):
                yield f"<{tag} {name}=...> (10043 user controllable JavaScript event)"
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith(
                    ("javascript:", "vbscript:", "data:text")):
                yield f"<{tag} {name}={value[:40]!r}>"


@rule("10040")  # Secure Pages Include Mixed Content (and 10041/10042: forms posting over plain HTTP)
def mixed_content(seen):
    if seen.is_html:
        page = parse(seen)
        for tag, url in page.resources:
            if url.lower().startswith("http:"):
                yield f"<{tag}> from {url}"
        for form in page.forms:
            if (form["action"] or "").lower().startswith("http:"):
                yield f"form posting to {form['action']}"


@rule("10108")  # Reverse Tabnabbing
def tabnabbing(seen):
    if seen.is_html:
        html = seen.text
        for match in re.finditer(r"<a\b[^>]*\btarget=\"?_blank[^>]*>", html):
            if not re.search(r"rel=\"[^\"]*(noopener|noreferrer)", match.group()):
                yield match.group()[:80]


SENSITIVE_QUERY = re.compile(r"(^|&)(password|passwd|pwd|token|session|sessionid|email|dob|date_of_birth|"
                             r"jsessionid|sid)=", re.I)
EMAIL = re.compile(r"[\w.+-]+(@|%40)[\w-]+\.[\w.-]+")


@rule("10024")  # Information Disclosure - Sensitive Information in URL (and 3: Session ID in URL Rewrite)
def sensitive_urls(seen):
    if seen.is_html:
        page = parse(seen)
        for url in [*page.links, *(form["action"] or "" for form in page.forms)]:
            query = urlsplit(url).query
            if SENSITIVE_QUERY.search(query) or EMAIL.search(query) or ";jsessionid" in url.lower():
                yield f"link {url}"


@rule("10025")  # Information Disclosure - Sensitive Information in HTTP Referrer Header
def referrer_policy(seen):
    if seen.header("Referrer-Policy") != "no-referrer":
        yield f"Referrer-Policy {seen.header('Referrer-Policy')!r}"


@rule("10030")  # User Controllable Charset
def charset(seen):
    content_type = (seen.header("Content-Type") or "").lower()
    if seen.mimetype.startswith("text/") and "charset=utf-8" not in content_type:
        yield f"Content-Type {content_type!r}"
    if seen.is_html:
        metas = parse(seen).charset_meta
        if metas and metas != ["utf-8"]:
            yield f"meta charset {metas} (90011 charset mismatch)"


@rule("10044")  # Big Redirect Detected (Potential Sensitive Information Leak)
def big_redirect(seen):
    location = seen.header("Location")
    if 300 <= seen.status < 400 and location and len(seen.body) > len(location) + 300:
        yield f"a {len(seen.body)}-byte body with a redirect to {location}"


HASHES = re.compile(r"\$2[aby]\$\d\d\$[./0-9A-Za-z]{53}|\$argon2(id|i|d)\$|\b[0-9a-f]{128}\b|\b[0-9a-f]{64}\b|"
                    r"\b[0-9a-f]{40}\b|\b[0-9a-f]{32}\b", re.I)


# Explained (docs/security.md): a form's one-time idempotency key is a random UUID in hex, which
# looks like an MD5 hash; it is the value of a hidden `client_id` input and a hash of nothing.
IDEMPOTENCY_KEY = re.compile(r'<input[^>]*\bname="client_id"[^>]*\bvalue="([0-9a-f]{32})"|'
                             r'<input[^>]*\bvalue="([0-9a-f]{32})"[^>]*\bname="client_id"')


@rule("10097")  # Hash Disclosure
def hashes(seen):
    if seen.mimetype.startswith(("text/html", "application/json", "text/plain")):
        keys = {value for match in IDEMPOTENCY_KEY.finditer(seen.text) for value in match.groups() if value}
        for match in HASHES.finditer(seen.text):
            if match.group() not in keys:
                yield f"{match.group()[:20]}..."


@rule("10105")  # Weak Authentication Method
def weak_authentication(seen):
    challenge = (seen.header("WWW-Authenticate") or "").lower()
    if challenge.startswith(("basic", "digest", "ntlm")):
        yield f"WWW-Authenticate: {challenge}"


DANGEROUS_JS = re.compile(r"\beval\s*\(|\bnew\s+Function\s*\(|document\.write(ln)?\s*\(|\.innerHTML\s*=|"
                          r"\.outerHTML\s*=|insertAdjacentHTML\s*\(|setTimeout\s*\(\s*[\"']|setInterval\s*\(\s*[\"']|"
                          r"bypassSecurityTrust")


@rule("10110")  # Dangerous JS Functions
def dangerous_js(seen):
    if seen.mimetype in ("text/javascript", "application/javascript"):
        for match in DANGEROUS_JS.finditer(seen.text):
            yield match.group()


PRIVATE_IP = re.compile(r"\b(10\.\d{1,3}\.\d{1,3}\.\d{1,3}|172\.(1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|"
                        r"192\.168\.\d{1,3}\.\d{1,3})\b")


@rule("2")  # Private IP Disclosure
def private_ip(seen):
    if seen.mimetype.startswith(("text/", "application/json")):
        for match in PRIVATE_IP.finditer(seen.text):
            yield match.group()


@rule("90004")  # Insufficient Site Isolation Against Spectre
def site_isolation(seen):
    if seen.header("Cross-Origin-Resource-Policy") != "same-origin":
        yield f"Cross-Origin-Resource-Policy {seen.header('Cross-Origin-Resource-Policy')!r}"
    if seen.is_html:
        if seen.header("Cross-Origin-Opener-Policy") != "same-origin":
            yield f"Cross-Origin-Opener-Policy {seen.header('Cross-Origin-Opener-Policy')!r}"
        if seen.header("Cross-Origin-Embedder-Policy") != "require-corp":
            yield f"Cross-Origin-Embedder-Policy {seen.header('Cross-Origin-Embedder-Policy')!r}"


# ------------------------------------------------------------------ the crawl


def page_and_query(url: str) -> str:
    """One page for the crawl: a page with a query is not the same page without one."""
    return page_key(url) + ("?" if "?" in url else "")


@dataclass
class Crawl:
    app: object
    seen: list[Seen] = field(default_factory=list)
    fetched_resources: set[str] = field(default_factory=set)

    def fetch(self, client, role: str, url: str, method: str = "GET", signed_in: bool = False, **kwargs) -> Seen:
        return self.record(role, url, client.open(url, method=method, **kwargs), method, signed_in)

    def record(self, role: str, url: str, response, method: str = "GET", signed_in: bool = False) -> Seen:
        seen = Seen(role=role, method=method, url=url, status=response.status_code,
                    headers=list(response.headers.items()), body=response.get_data(), signed_in=signed_in)
        self.seen.append(seen)
        return seen

    def resources(self, client, role: str, seen: Seen) -> None:
        for _tag, url in parse(seen).resources:
            target = urljoin(f"https://{HOST}{seen.url}", url)
            parts = urlsplit(target)
            if parts.netloc != HOST or target in self.fetched_resources:
                continue
            self.fetched_resources.add(target)
            self.fetch(client, role, parts.path + (f"?{parts.query}" if parts.query else ""))


def more_start_pages(app, role: str) -> list[str]:
    """Beyond the role's own start pages (tests/helpers/crawl.py): `/staff/` or `/settings/` (an
    anonymous visitor is sent to sign in), and every page without an argument the matrix lets it open."""
    starts = ["/staff/" if role in {str(r) for r in STAFF_ROLES} else "/settings/"]
    for rule in app.url_map.iter_rules():
        policy = ACCESS.get(rule.endpoint)
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static" and policy is not None \
                and allowed(policy, role):
            starts.append(rule.rule)
    return starts


def probe_query(url: str) -> str | None:
    """The same page with every query value, and a `next` and `lang`, set to the probe."""
    parts = urlsplit(url)
    pairs = [(key, PROBE) for key, _value in parse_qsl(parts.query, keep_blank_values=True)]
    pairs += [("next", PROBE), ("lang", PROBE)]
    return f"{parts.path}?{urlencode(pairs)}"


@pytest.fixture
def production_like(app, monkeypatch):
    """HTTPS through a TLS-ending proxy, HSTS, the __Host- session cookie: as ProductionConfig."""
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    monkeypatch.setitem(app.config, "SESSION_COOKIE_NAME", "__Host-flourish_session")
    monkeypatch.setitem(app.config, "HSTS", True)
    original = app.wsgi_app

    def over_https(environ, start_response):
        environ["wsgi.url_scheme"] = "https"
        environ["HTTP_HOST"] = HOST
        return original(environ, start_response)

    monkeypatch.setattr(app, "wsgi_app", over_https)


def scan(crawl: Crawl) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for seen in crawl.seen:
        for rule_id, check in RULES.items():
            for finding in check(seen):
                found.setdefault(rule_id, []).append(f"[{seen.role}] {seen.method} {seen.url} {seen.status}: {finding}")
    return found


def crawl_every_role(app, make_user, login) -> Crawl:
    from webapp.demo import seed

    seed()
    crawl = Crawl(app)
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(client, make_user(role=role))
        # links are followed on every HTML answer, an error page's or a redirect's too
        pages = client_crawl(client, role, also=more_start_pages(app, role), max_pages=MAX_PAGES_PER_ROLE, skip=SKIP,
                             key=page_and_query, follow=lambda r: r.mimetype == "text/html", base=f"https://{HOST}")
        for url, response in pages:
            page = crawl.record(role, url, response, signed_in=role != "anonymous")
            if page.is_html:
                crawl.resources(client, role, page)
                crawl.fetch(client, role, probe_query(url), signed_in=role != "anonymous")
        # the answers nobody hopes to see, scanned as closely
        crawl.fetch(client, role, "/no-such-page", signed_in=role != "anonymous")
        crawl.fetch(client, role, "/login", method="PUT", signed_in=role != "anonymous")
        crawl.fetch(client, role, "/language", method="POST", data={"locale": "en"}, signed_in=role != "anonymous")
        crawl.fetch(client, role, "/api/v1/push/subscriptions", method="POST", json={},
                    signed_in=role != "anonymous")
        if role == "young_person":
            crawl.fetch(client, role, "/staff/", signed_in=True)  # 403
    throttled = app.test_client()
    for _ in range(4):
        crawl.fetch(throttled, "anonymous", "/login", method="POST",
                    data={"csrf_token": throttled.csrf_token(), "email": "nobody@example.org", "password": "x" * 9})
    crawl.fetch(throttled, "anonymous", "/language", method="POST",
                data={"csrf_token": throttled.csrf_token(), "locale": f"en{PROBE}", "next": PROBE})
    return crawl


def test_every_page_every_role_reaches_passes_the_passive_rules(app, make_user, login, production_like):
    crawl = crawl_every_role(app, make_user, login)
    statuses = {seen.status for seen in crawl.seen}
    assert {200, 302, 400, 403, 404, 405, 429} <= statuses, statuses  # errors were scanned too
    pages = {(seen.role, pattern(urlsplit(seen.url).path)) for seen in crawl.seen if seen.is_html}
    assert len(pages) > 150, len(pages)
    assert any(seen.mimetype == "text/javascript" for seen in crawl.seen)
    found = scan(crawl)
    assert not found, "\n".join(f"{rule_id}: {len(items)} findings, e.g.\n  " + "\n  ".join(items[:4])
                                for rule_id, items in sorted(found.items()))


def test_the_rules_find_what_they_look_for():
    """Each rule raises on a response made to break it: a rule that never fires proves nothing."""
    bad = Seen(role="x", method="GET", url="/x?password=hunter2", status=500, body=(
        b"<!doctype html><html><head><meta charset='latin-1'><script src='http://evil.example/a.js'></script>"
        b"<script>var a=1</script></head><body><!-- TODO: remove the admin backdoor -->"
        b"<a href='/y?email=sam@example.org' target=_blank>x</a><img src='http://evil.example/i.png'>"
        b"<form method=post action='http://evil.example/'><input name=x></form><p onclick='x()'>"
        b"Traceback (most recent call last) 4111111111111111 nginx/1.25 1767225600 10.0.0.12 "
        b"d41d8cd98f00b204e9800998ecf8427e zq\"'><zq</p></body></html>"),
        headers=[("Content-Type", "text/html; charset=latin-1"), ("Server", "gunicorn/23.0.0"),
                 ("X-Powered-By", "Flask"), ("Set-Cookie", "s=1; Domain=example.org; SameSite=None"),
                 ("Access-Control-Allow-Origin", "*"), ("Content-Security-Policy", "default-src * 'unsafe-inline'"),
                 ("WWW-Authenticate", "Basic realm=x"), ("Location", "/z")], signed_in=True)
    script = Seen(role="x", method="GET", url="/static/js/a.js", status=200, signed_in=False,
                  headers=[("Content-Type", "text/javascript; charset=utf-8")],
                  body=b"// TODO later\nel.innerHTML = x; eval(y);\n")
    redirect = Seen(role="x", method="GET", url="/r", status=302, headers=[("Location", "/z")], body=b"x" * 400,
                    signed_in=False)
    raised = {rule_id for rule_id, check in RULES.items() for seen in (bad, script, redirect) if list(check(seen))}
    assert raised == set(RULES), f"rules that found nothing: {sorted(set(RULES) - raised)}"
