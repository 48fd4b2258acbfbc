/* Flourish service worker.
 *
 * Served by the app at /service-worker.js (scope "/") with two values filled in:
 * the cache version and the static files to keep for offline use.
 * - Kept pages (self-help, help now, home, offline): one offline pack per language from
 *   /offline-pack.json, stored page by page under "path?lang=xx". At install: the person's own
 *   language (and any kept by the previous version); another language once the person reads a page
 *   in it (the server says Content-Language), or all of them when asked ("flourish:keep-languages").
 *   One language is about 25 KB, against about 60 KB page by page and 440 KB for every language at
 *   once: a first visit stays within 100 KB on one bar of signal.
 * - Pages: network first (navigation preload on); a public page that answered is kept for offline;
 *   with no network, or none within SLOW_NETWORK_MS (sooner for /help-now), the page in the
 *   language last read, else the kept copy, else /offline.
 * - Static files: versioned ones (?v=...) cache first, as they never change; module imports carry
 *   no version, so they are answered from this version's kept copy, else the network.
 * - Never kept: anything signed-in (the server marks it `no-store`), /api, /staff, /settings and
 *   other personal paths. Caches are also wiped on logout (Clear-Site-Data).
 */
const VERSION = "__FLOURISH_VERSION__";
const PRECACHE = __FLOURISH_PRECACHE__;
const CACHE = `flourish-${VERSION}`;
const OFFLINE_URL = "/offline";
const PACK_URL = "/offline-pack.json";
const LANGUAGE_READ = `${PACK_URL}?read`; // kept entry: the language of the last page read
const packsUnderWay = new Map();
// One bar of signal: a kept page is shown from its copy when the network has not answered in this
// long (sooner for help now), and the copy is brought up to date when the answer comes.
const SLOW_NETWORK_MS = 3000;
const SLOW_NETWORK_URGENT_MS = 1000;
const URGENT_PAGES = ["/help-now"];
const NEVER_CACHED = ["/api/", "/staff", "/settings", "/track", "/request-support", "/login",
  "/logout", "/register", "/goals", "/bookings/mine", "/bookings/waiting", "/service-worker.js"];

function isNeverCached(url) {
  return NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix));
}

// [path prefix, kept page]: a capability's part may name a kept public page to show, with no
// connection, instead of /offline for its never-cached pages (goals-sync.js: /goals -> /goals/offline).
const OFFLINE_FALLBACKS = [];

function keptKey(path, language) {
  const url = new URL(path, self.location.origin);
  url.searchParams.delete("lang");
  url.searchParams.append("lang", language);
  return url.pathname + url.search;
}

async function languageRead(cache) {
  const kept = await cache.match(LANGUAGE_READ);
  return kept ? kept.text() : "";
}

// A kept page: the language asked for (?lang=), else the language last read; then any copy kept as visited.
async function keptPage(cache, path) {
  const url = new URL(path, self.location.origin);
  const languages = [url.searchParams.get("lang"), await languageRead(cache)].filter(Boolean);
  for (const language of languages) {
    const kept = await cache.match(keptKey(url.href, language));
    if (kept) return kept;
  }
  return cache.match(url.pathname + url.search, { ignoreVary: true });
}

async function offlineFallback(url) {
  const cache = await caches.open(CACHE);
  const fallback = OFFLINE_FALLBACKS.find(([prefix]) => url.pathname.startsWith(prefix));
  const kept = fallback ? await keptPage(cache, fallback[1]) : undefined;
  return kept || (await keptPage(cache, OFFLINE_URL)) || Response.error();
}

// Fetch one language's pack (or, with no language, the person's own) and keep each page of it.
async function keepPack(cache, language, credentials) {
  const response = await fetch(language ? `${PACK_URL}?lang=${encodeURIComponent(language)}` : PACK_URL,
    { credentials, headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`offline pack: ${response.status}`);
  const pack = await response.json();
  await Promise.all(Object.entries(pack.pages).map(([key, html]) =>
    cache.put(key, new Response(html, { headers: pack.headers }))));
  await cache.put(`${PACK_URL}?lang=${pack.language}`, new Response(pack.language));
  return pack.language;
}

async function keepLanguage(language) {
  const cache = await caches.open(CACHE);
  if (await cache.match(`${PACK_URL}?lang=${language}`)) return;
  if (!packsUnderWay.has(language)) {
    packsUnderWay.set(language, keepPack(cache, language, "omit").finally(() => packsUnderWay.delete(language)));
  }
  await packsUnderWay.get(language);
}

async function keptLanguages(cache) {
  return (await cache.keys())
    .map((request) => new URL(request.url))
    .filter((url) => url.pathname === PACK_URL && url.searchParams.has("lang"))
    .map((url) => url.searchParams.get("lang"));
}

async function noteLanguageRead(language) {
  const cache = await caches.open(CACHE);
  if ((await languageRead(cache)) !== language) await cache.put(LANGUAGE_READ, new Response(language));
  await keepLanguage(language);
}

function mayKeep(request, response) {
  if (!response || !response.ok || response.type !== "basic") return false;
  const cacheControl = response.headers.get("Cache-Control") || "";
  if (cacheControl.includes("no-store")) return false;
  return !isNeverCached(new URL(request.url));
}

async function languageAskedByOpenPages() {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const asked = windows.map((client) => new URL(client.url).searchParams.get("lang")).find(Boolean);
  return asked || "";
}

async function install() {
  const cache = await caches.open(CACHE);
  await cache.addAll(PRECACHE.map((url) => new Request(url, { credentials: "omit" })));
  const previous = [];
  let read = "";
  for (const key of (await caches.keys()).filter((name) => name.startsWith("flourish-") && name !== CACHE)) {
    const old = await caches.open(key);
    previous.push(...await keptLanguages(old));
    read = read || (await languageRead(old));
  }
  // The person's own language: the one last read, else the page that installed this asked for (?lang=),
  // else the language cookie or the browser's, as the server chooses pages.
  let own = read || await languageAskedByOpenPages();
  if (own) await keepLanguage(own).catch(() => { own = ""; });
  if (!own) own = await keepPack(cache, "", "same-origin");
  await cache.put(LANGUAGE_READ, new Response(own));
  await Promise.all([...new Set([own, ...previous])].map(keepLanguage));
}

self.addEventListener("install", (event) => {
  event.waitUntil(install().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("flourish-") && key !== CACHE).map((key) => caches.delete(key)),
      ))
      .then(() => self.registration.navigationPreload && self.registration.navigationPreload.enable())
      .then(() => self.clients.claim()),
  );
});

// The page's request, started by the browser alongside the worker's start-up (navigation preload).
function fromNetwork(event) {
  return Promise.resolve(event.preloadResponse).then((preloaded) => preloaded || fetch(event.request));
}

// After a page answers: keep its language for offline too, if it is not kept yet.
function followLanguage(event, response) {
  const language = response.headers.get("Content-Language");
  if (response.ok && language) event.waitUntil(noteLanguageRead(language).catch(() => {}));
}

async function pageNetworkFirst(event) {
  const request = event.request;
  let keeping = null;
  const answered = fromNetwork(event).then((response) => {
    followLanguage(event, response);
    if (mayKeep(request, response)) {
      const copy = response.clone();
      keeping = caches.open(CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  });
  // The answer is waited for, and kept, even when the kept copy was shown first.
  event.waitUntil(answered.then(() => keeping).catch(() => {}));
  const cache = await caches.open(CACHE);
  const path = new URL(request.url).pathname;
  let timer;
  const slow = new Promise((resolve) => {
    timer = setTimeout(resolve, URGENT_PAGES.includes(path) ? SLOW_NETWORK_URGENT_MS : SLOW_NETWORK_MS, null);
  });
  try {
    const first = await Promise.race([answered, slow]);
    if (first) return first;
    const kept = await keptPage(cache, request.url); // stalled: the kept copy now, if there is one
    return kept || (await answered);
  } catch (error) {
    return (await keptPage(cache, request.url)) || (await keptPage(cache, OFFLINE_URL)) || Response.error();
  } finally {
    clearTimeout(timer);
  }
}

async function moduleFromThisVersion(request) {
  const cache = await caches.open(CACHE);
  return (await cache.match(request, { ignoreSearch: true }))
    || fetch(request).catch(() => caches.match(request, { ignoreSearch: true }).then((kept) => kept || Response.error()));
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
      event.respondWith(fromNetwork(event).then((response) => {
        followLanguage(event, response);
        return response;
      }).catch(() => offlineFallback(url)));
      return;
    }
    event.respondWith(pageNetworkFirst(event));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(url.searchParams.has("v") ? staticCacheFirst(request) : moduleFromThisVersion(request));
  }
});

async function keepLanguages(event, languages) {
  const results = await Promise.allSettled(languages.map(keepLanguage));
  const kept = await keptLanguages(await caches.open(CACHE));
  const reply = { type: "flourish:languages-kept", kept, failed: results.some((r) => r.status === "rejected") };
  if (event.ports && event.ports[0]) event.ports[0].postMessage(reply);
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "flourish:clear-caches") {
    event.waitUntil(caches.keys().then((keys) => Promise.all(keys.map((key) => caches.delete(key)))));
  } else if (data.type === "flourish:keep-languages" && Array.isArray(data.languages)) {
    event.waitUntil(keepLanguages(event, data.languages.filter((l) => typeof l === "string")));
  } else if (data.type === "flourish:kept-languages" && event.ports && event.ports[0]) {
    event.waitUntil(caches.open(CACHE).then(keptLanguages).then((kept) => event.ports[0].postMessage({ kept })));
  }
});
