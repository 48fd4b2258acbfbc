from __future__ import annotations

import re


def test_manifest_has_everything_an_installable_app_needs(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    for key in ("name", "short_name", "description", "start_url", "scope", "theme_color", "background_color", "lang"):
        assert manifest[key]
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.data.startswith(b"\x89PNG")


def test_manifest_speaks_the_persons_language(client):
    assert client.get("/manifest.webmanifest", headers={"Accept-Language": "pl"}).get_json()["lang"] == "pl"


def test_service_worker_is_served_for_the_whole_site_with_a_version(client):
    response = client.get("/service-worker.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    assert "__FLOURISH_VERSION__" not in script and "__FLOURISH_PRECACHE__" not in script
    precache = re.search(r"const PRECACHE = (\[.*?\]);", script).group(1)
    assert "/static/css/app.css?v=" in precache
    kept = client.get("/offline-pack.json?lang=en").get_json()["pages"]
    for url in ("/?lang=en", "/help-now?lang=en", "/offline?lang=en"):
        assert url in kept  # the pages come in the offline pack
    for never in ("/api/", "/staff", "/settings", "/bookings/mine", "/goals"):
        assert f'"{never}' in script  # listed as never cached


def test_every_never_cached_prefix_names_pages_of_this_app(app, client):
    """A prefix with a typo ("/bookings/my" for "/bookings/mine") would protect nothing."""
    script = client.get("/service-worker.js").get_data(as_text=True)
    listed = re.search(r"const NEVER_CACHED = \[(.*?)\];", script, re.S).group(1)
    prefixes = re.findall(r'"([^"]+)"', listed)
    rules = [rule.rule for rule in app.url_map.iter_rules()]

    def covers(prefix: str, rule: str) -> bool:
        return rule == prefix or rule.startswith(prefix if prefix.endswith("/") else prefix + "/")

    assert prefixes
    assert [p for p in prefixes if not any(covers(p, rule) for rule in rules)] == []


def test_versioned_static_files_are_immutable_and_others_revalidate(client):
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app.css\?v=[0-9a-f]+)"', page).group(1)
    assert "immutable" in client.get(css).headers["Cache-Control"]
    assert client.get("/help-now").headers["Cache-Control"] == "private, no-cache"


def test_offline_page_offers_phone_numbers(client):
    body = client.get("/offline").get_data(as_text=True)
    assert 'href="tel:999"' in body and "116 123" in body


def test_a_kept_page_can_get_a_token_for_this_session(client):
    kept = client.get("/offline-pack.json?lang=en").get_json()["pages"]["/?lang=en"]
    stale = re.search(r'name="csrf_token" value="([^"]+)"', kept).group(1)
    assert client.post("/language", data={"csrf_token": stale, "locale": "pl", "next": "/"}).status_code == 400
    response = client.get("/csrf-token")
    assert response.headers["Cache-Control"] == "no-store"
    fresh = response.get_json()["csrf_token"]
    answer = client.post("/language", data={"csrf_token": fresh, "locale": "pl", "next": "/"})
    assert answer.status_code in (302, 303)
