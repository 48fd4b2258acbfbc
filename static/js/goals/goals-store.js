// Goals kept on this device (IndexedDB, so the service worker can read them too):
// - "copy": the goals and last ratings the goals page saw, to read with no signal;
// - "queue": check-ins made offline, each with its own id, until the server has kept them.
// service_worker/goals-sync.js opens the same database by the same names. Logout clears it all
// (Clear-Site-Data: "storage").
const DB_NAME = "flourish-goals";
const DB_VERSION = 1;

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("copy")) db.createObjectStore("copy");
      if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(storeName, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    const store = tx.objectStore(storeName);
    let result;
    Promise.resolve(work(store)).then((value) => { result = value; });
    tx.oncomplete = () => { db.close(); resolve(result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
    tx.onabort = () => { db.close(); reject(tx.error); };
  });
}

function requestValue(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function loadCopy() {
  return run("copy", "readonly", (store) => requestValue(store.get("current")));
}

/** Keep the goals page's copy; a different person's copy or queue on this device goes first. */
export async function saveCopy(copy) {
  const previous = await loadCopy();
  if (previous && previous.user !== copy.user) await clearAll();
  await run("copy", "readwrite", (store) => { store.put(copy, "current"); });
}

export function queued() {
  return run("queue", "readonly", (store) => requestValue(store.getAll()));
}

export function addToQueue(checkIn) {
  return run("queue", "readwrite", (store) => { store.put(checkIn); });
}

export function removeFromQueue(ids) {
  return run("queue", "readwrite", (store) => { ids.forEach((id) => store.delete(id)); });
}

export async function clearAll() {
  await run("queue", "readwrite", (store) => { store.clear(); });
  await run("copy", "readwrite", (store) => { store.clear(); });
}

/** Ask the service worker to send the queue when the connection returns (where the browser can). */
export async function askForBackgroundSync() {
  if (!("serviceWorker" in navigator) || !navigator.serviceWorker.controller) return;
  try {
    const registration = await navigator.serviceWorker.ready;
    if (registration.sync) await registration.sync.register("flourish-goals-check-ins");
  } catch (error) {
    // No Background Sync here: the queue is sent on the next visit or when the page sees "online".
  }
}

/**
 * Send what is queued. A fresh CSRF token comes from the device-copy URL (a page kept offline has
 * no valid token). Returns "sent", "empty", "signed_out" or "offline". Sending twice is harmless:
 * the server keeps each check-in id once.
 */
export async function sendQueued(deviceUrl, syncUrl) {
  const items = await queued();
  if (!items.length) return "empty";
  let device;
  try {
    device = await fetch(deviceUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch (error) {
    return "offline";
  }
  const type = device.headers.get("Content-Type") || "";
  if (!device.ok || device.redirected || !type.includes("application/json")) return "signed_out";
  const { csrf_token: token } = await device.json();
  let response;
  try {
    response = await fetch(syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
      body: JSON.stringify({ check_ins: items }),
    });
  } catch (error) {
    return "offline";
  }
  if (!response.ok) return "signed_out";
  const result = await response.json();
  await removeFromQueue([...result.added, ...result.already, ...result.refused]);
  if (result.device) await saveCopy(result.device);
  return "sent";
}
