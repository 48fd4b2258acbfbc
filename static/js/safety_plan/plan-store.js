// My safety plan kept on this device, locked at rest (IndexedDB "flourish-safety-plan"):
// - "keys": one AES-GCM key made here and never exportable (the page itself cannot read its bytes);
// - "plans": the plan by owner ("" before signing in, "u<id>" for a signed-in person), each field
//   encrypted on its own with a fresh IV, so a damaged field loses only itself;
// - "meta": whose plan was opened last, for the page kept for offline use (which belongs to no one).
// Logout clears it all (Clear-Site-Data: "storage"); "Remove what this device keeps" deletes it.
const DB_NAME = "flourish-safety-plan";
const DB_VERSION = 1;
const KEY_ID = "plan-key";
const VERSION = 1;

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      ["keys", "plans", "meta"].forEach((name) => {
        if (!db.objectStoreNames.contains(name)) db.createObjectStore(name);
      });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(storeName, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    let result;
    const request = work(tx.objectStore(storeName));
    if (request) request.onsuccess = () => { result = request.result; };
    tx.oncomplete = () => { db.close(); resolve(result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
    tx.onabort = () => { db.close(); reject(tx.error); };
  });
}

const get = (store, key) => run(store, "readonly", (s) => s.get(key));
const put = (store, key, value) => run(store, "readwrite", (s) => s.put(value, key));
const remove = (store, key) => run(store, "readwrite", (s) => s.delete(key));

export async function deviceKey(create = true) {
  let key = await get("keys", KEY_ID);
  if (!key && create) {
    key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    await put("keys", KEY_ID, key);
  }
  return key;
}

export async function encryptText(key, text) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(JSON.stringify(text)));
  return { iv, data };
}

export async function decryptText(key, sealed) {
  if (!sealed || !(sealed.iv instanceof Uint8Array) || !(sealed.data instanceof ArrayBuffer)) throw new Error("damaged");
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, key, sealed.data);
  const value = JSON.parse(new TextDecoder().decode(plain));
  if (typeof value !== "string") throw new Error("damaged");
  return value;
}

/** Which stored plan this page shows: a signed-in person's own (taking over one made before signing
 * in on this device), else the one opened last (the kept offline page belongs to no one). */
export async function ownerKey(pageOwner) {
  if (pageOwner) {
    const own = `u${pageOwner}`;
    if (!(await get("plans", own))) {
      const before = await get("plans", "");
      if (before) {
        await put("plans", own, before);
        await remove("plans", "");
      }
    }
    await put("meta", "last", own);
    return own;
  }
  return (await get("meta", "last")) || "";
}

/**
 * The plan kept for `owner`: {status, values, updatedAt}. status is "empty" (nothing kept), "ok",
 * "partial" (some fields could not be read: the rest are in values) or "key-lost" (the key is gone or
 * none of it opens: what was kept is removed, for a fresh start). Never throws for damaged data.
 */
export async function loadPlan(owner) {
  const record = await get("plans", owner);
  if (record === undefined) return { status: "empty", values: {}, updatedAt: null };
  const key = await deviceKey(false);
  const fields = record && typeof record === "object" && record.fields && typeof record.fields === "object"
    ? record.fields : null;
  const updatedAt = record && typeof record.updatedAt === "string" ? record.updatedAt : null;
  if (!key) {
    await remove("plans", owner);
    return { status: "key-lost", values: {}, updatedAt: null };
  }
  if (!fields) return { status: "partial", values: {}, updatedAt };
  const values = {};
  let failed = 0;
  for (const [name, sealed] of Object.entries(fields)) {
    try {
      values[name] = await decryptText(key, sealed);
    } catch (error) {
      failed += 1;
    }
  }
  if (failed && !Object.keys(values).length) {
    await remove("plans", owner);
    return { status: "key-lost", values: {}, updatedAt: null };
  }
  return { status: failed ? "partial" : "ok", values, updatedAt };
}

export async function savePlan(owner, values) {
  const key = await deviceKey(true);
  const fields = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === "string") fields[name] = await encryptText(key, value);
  }
  const updatedAt = new Date().toISOString();
  await put("plans", owner, { v: VERSION, updatedAt, fields });
  await put("meta", "last", owner);
  return updatedAt;
}

/** "Remove what this device keeps": the plan, the photo and the key. */
export function removeAll() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    request.onblocked = () => resolve();
  });
}

export const DATABASE = DB_NAME;
