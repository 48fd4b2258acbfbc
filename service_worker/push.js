/* Push reminders (appended to service-worker.js by the app).
 *
 * - push: always shows a notification (browsers require it). The server sends JSON
 *   {title, body, url, tag, lang, actions?}; discreet unless the person chose otherwise.
 * - notificationclick: focuses a window already on the page, or brings an open one there, or
 *   opens a new one. "I'll be there" / "Can't make it" open the booking with that reply ready.
 * - pushsubscriptionchange: subscribes again with the same key and tells the server.
 */
// {language: the discreet text}, written in by the app from its translations.
const PUSH_FALLBACK_TEXT = __FLOURISH_PUSH_FALLBACK_TEXT__;
const PUSH_KEY_URL = "/api/v1/push/vapid-public-key";
const PUSH_SUBSCRIPTIONS_URL = "/api/v1/push/subscriptions";

function pushSameOriginUrl(value) {
  try {
    const url = new URL(value || "/", self.location.origin);
    return url.origin === self.location.origin ? url.href : new URL("/", self.location.origin).href;
  } catch (error) {
    return new URL("/", self.location.origin).href;
  }
}

// A push it cannot read still shows something (browsers require it): discreet, in the language last read.
async function pushFallback() {
  const language = await caches.open(CACHE).then(languageRead).catch(() => "");
  const lang = PUSH_FALLBACK_TEXT[language] ? language : "en";
  return { title: "Flourish", body: PUSH_FALLBACK_TEXT[lang], url: "/", lang };
}

async function pushMessage(event) {
  try {
    const message = event.data ? event.data.json() : null;
    if (message && typeof message.title === "string") return message;
  } catch (error) {
    // not JSON: fall through
  }
  return pushFallback();
}

async function pushShow(event) {
  const message = await pushMessage(event);
  const actions = Array.isArray(message.actions) ? message.actions.slice(0, 2) : [];
  const options = {
    body: message.body || "",
    tag: message.tag || undefined,
    renotify: Boolean(message.tag),
    lang: message.lang || "",
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/icon-192.png",
    data: {
      url: pushSameOriginUrl(message.url),
      actions: Object.fromEntries(actions.map((action) => [action.action, pushSameOriginUrl(action.url)])),
    },
    actions: actions.map((action) => ({ action: action.action, title: action.title })),
  };
  return self.registration.showNotification(message.title, options);
}

self.addEventListener("push", (event) => {
  event.waitUntil(pushShow(event));
});

async function pushOpen(target) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const exact = windows.find((client) => client.url === target);
  if (exact) return exact.focus();
  const ours = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (ours) {
    const moved = await ours.navigate(target).catch(() => null);
    const client = moved || ours;
    return client.focus().catch(() => client);
  }
  return self.clients.openWindow(target);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const target = (event.action && data.actions && data.actions[event.action]) || data.url || pushSameOriginUrl("/");
  event.waitUntil(pushOpen(target));
});

function pushKeyBytes(value) {
  const padded = (value + "===".slice((value.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function pushResubscribe(event) {
  const keyResponse = await fetch(PUSH_KEY_URL, { credentials: "same-origin" });
  if (!keyResponse.ok) return;
  const { publicKey, csrfToken } = await keyResponse.json();
  const subscription = event.newSubscription || await self.registration.pushManager.subscribe({
    userVisibleOnly: true, applicationServerKey: pushKeyBytes(publicKey),
  });
  const headers = { "Content-Type": "application/json", "X-CSRFToken": csrfToken };
  await fetch(PUSH_SUBSCRIPTIONS_URL, {
    method: "POST", credentials: "same-origin", headers, body: JSON.stringify(subscription.toJSON()),
  });
  if (event.oldSubscription && event.oldSubscription.endpoint !== subscription.endpoint) {
    await fetch(PUSH_SUBSCRIPTIONS_URL, {
      method: "DELETE", credentials: "same-origin", headers,
      body: JSON.stringify({ endpoint: event.oldSubscription.endpoint }),
    });
  }
}

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(pushResubscribe(event).catch(() => {}));
});
