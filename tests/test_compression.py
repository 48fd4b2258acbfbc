"""Text responses are gzipped for browsers that accept it; the bytes decode to the same page."""

from __future__ import annotations

import gzip
import re

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
STATIC_CSS = re.compile(r'href="(/static/css/app\.css\?v=[^"]+)"')


def test_a_page_is_gzipped_only_for_a_browser_that_accepts_it(client):
    plain = client.get("/privacy")
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]

    packed = client.get("/privacy", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 2
    page = gzip.decompress(packed.data).decode()
    assert page.startswith("<!doctype html>") and "</html>" in page
    # Same page apart from the per-response CSRF token.
    assert re.sub(r'content="[^"]+"|value="[^"]{40,}"', "", page) == re.sub(
        r'content="[^"]+"|value="[^"]{40,}"', "", plain.get_data(as_text=True))


def test_page_sizes_vary_so_compressed_length_reveals_no_guess(client):
    """BREACH needs stable lengths: a random-length gzip header field takes that away."""
    lengths = {len(client.get("/privacy", headers=GZIP).data) for _ in range(8)}
    assert len(lengths) > 1


def test_static_files_are_gzipped_and_still_revalidate(client):
    css_url = STATIC_CSS.search(client.get("/").get_data(as_text=True))[1]
    first = client.get(css_url, headers=GZIP)
    assert first.status_code == 200
    assert first.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(first.data) == client.get(css_url).data
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get(css_url, headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304


def test_small_binary_and_non_get_responses_are_left_alone(client):
    assert "Content-Encoding" not in client.get("/healthz", headers=GZIP).headers  # a few bytes
    icon = re.search(r'href="(/static/icons/icon-192\.png\?v=[^"]+)"', client.get("/").get_data(as_text=True))[1]
    assert "Content-Encoding" not in client.get(icon, headers=GZIP).headers
    assert "Content-Encoding" not in client.post("/login", data={}, headers=GZIP).headers
