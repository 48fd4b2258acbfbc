/* Flourish service worker.
 *
 * Served by the app at /service-worker.js (scope "/") with two values filled in:
 * the cache version and the list of URLs to keep for offline use.
 * - Pages: network first; a public page that answered is kept for offline; with no network,
 *   the kept copy or /offline.
 * - Versioned static files (?v=...): cache first; they never change.
 * - Never kept: anything signed-in (the server marks it `no-store`), /api, /staff, /settings and
 *   other personal paths. Caches are also wiped on logout (Clear-Site-Data).
 */
const VERSION = "__FLOURISH_VERSION__";
const PRECACHE = __FLOURISH_PRECACHE__;
const CACHE = `flourish-${VERSION}`;
const OFFLINE_URL = "/offline";
const NEVER_CACHED = ["/api/", "/staff", "/settings", "/track", "/request-support", "/login",
  "/logout", "/register", "/goals", "/bookings/my", "/service-worker.js"];

function isNeverCached(url) {
  return NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix));
}

// [path prefix, kept page]: a capability's part may name a kept public page to show, with no
// connection, instead of /offline for its never-cached pages (goals-sync.js: /goals -> /goals/offline).
const OFFLINE_FALLBACKS = [];

async function offlineFallback(url) {
  const fallback = OFFLINE_FALLBACKS.find(([prefix]) => url.pathname.startsWith(prefix));
  const kept = fallback ? await caches.match(fallback[1], { ignoreVary: true }) : undefined;
  return kept || (await caches.match(OFFLINE_URL, { ignoreVary: true })) || Response.error();
}

function mayKeep(request, response) {
  if (!response || !response.ok || response.type !== "basic") return false;
  const cacheControl = response.headers.get("Cache-Control") || "";
  if (cacheControl.includes("no-store")) return false;
  return !isNeverCached(new URL(request.url));
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { credentials: "omit" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("flourish-") && key !== CACHE).map((key) => caches.delete(key)),
      ))
      .then(() => self.clients.claim()),
  );
});

async function pageNetworkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (mayKeep(request, response)) {
      cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(request, { ignoreVary: true });
    return kept || (await cache.match(OFFLINE_URL, { ignoreVary: true })) || Response.error();
  }
}

async function staticCacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (isNeverCached(url)) {
      event.respondWith(fetch(request).catch(() => offlineFallback(url)));
      return;
    }
    event.respondWith(pageNetworkFirst(request));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    if (url.searchParams.has("v")) {
      event.respondWith(staticCacheFirst(request));
    } else {
      // Module imports carry no version: try the network, else any kept version of the file.
      event.respondWith(fetch(request).catch(async () => (await caches.match(request, { ignoreSearch: true })) || Response.error()));
    }
  }
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "flourish:clear-caches") {
    event.waitUntil(caches.keys().then((keys) => Promise.all(keys.map((key) => caches.delete(key)))));
  }
});
