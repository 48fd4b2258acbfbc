/* Goals: offline reading and check-ins (appended after service-worker.js).
 * - With no connection, /goals pages (never cached: they are personal) show the kept
 *   /goals/offline page, whose script reads the copy the goals page stored in IndexedDB.
 * - Background Sync ("flourish-goals-check-ins"): send check-ins made offline once the connection
 *   returns. Where the browser has no Background Sync, the next visit to a goals page sends them.
 *   The same database and names as static/js/goals/goals-store.js. The server keeps each check-in
 *   id once, so the page sending the same queue at the same time does no harm.
 */
OFFLINE_FALLBACKS.push(["/goals", "/goals/offline"]);

function goalsDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("flourish-goals", 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("copy")) db.createObjectStore("copy");
      if (!db.objectStoreNames.contains("queue")) db.createObjectStore("queue", { keyPath: "id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function goalsTx(db, storeName, mode, work) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    let result;
    const request = work(tx.objectStore(storeName));
    if (request) request.onsuccess = () => { result = request.result; };
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
  });
}

async function sendGoalCheckIns() {
  const db = await goalsDb();
  try {
    const items = await goalsTx(db, "queue", "readonly", (store) => store.getAll());
    if (!items || !items.length) return;
    // Signed out: the sign-in redirect is not followed, and the check-ins stay for next time.
    const device = await fetch("/goals/api/device", {
      credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" },
    });
    const type = device.headers.get("Content-Type") || "";
    if (!device.ok || device.redirected || !type.includes("application/json")) return; // signed out: keep them
    const { csrf_token: token } = await device.json();
    const response = await fetch("/goals/api/check-ins", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
      body: JSON.stringify({ check_ins: items }),
    });
    if (!response.ok) return;
    const result = await response.json();
    const done = [...result.added, ...result.already, ...result.refused];
    await goalsTx(db, "queue", "readwrite", (store) => { done.forEach((id) => store.delete(id)); });
    if (result.device) await goalsTx(db, "copy", "readwrite", (store) => { store.put(result.device, "current"); });
  } finally {
    db.close();
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag === "flourish-goals-check-ins") event.waitUntil(sendGoalCheckIns());
});

