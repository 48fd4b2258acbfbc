// "Remove what this device keeps": remove everything Flourish stored in this browser, count what
// was there, and send the counts so the next page can say what was removed. Keeps only the record
// of a quick exit (so Back still never shows a page from before it). Without this script the
// form still works: the server answers with Clear-Site-Data.
import { EXIT_KEY } from "../quick-exit.js";

const MOOD_KEY = "flourish.mood.v1";
const KNOWN_DATABASES = ["flourish-goals", "flourish-safety-plan"];

function moodEntries() {
  try {
    const list = JSON.parse(localStorage.getItem(MOOD_KEY) || "[]");
    return Array.isArray(list) ? list.length : 0;
  } catch (error) {
    return 0;
  }
}

async function databaseNames() {
  if (!window.indexedDB) return [];
  if (indexedDB.databases) {
    try {
      return (await indexedDB.databases()).map((db) => db.name).filter(Boolean);
    } catch (error) { /* fall back to the names Flourish uses */ }
  }
  return KNOWN_DATABASES;
}

function deleteDatabase(name) {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve(true);
    request.onerror = () => resolve(false);
    // Open elsewhere (another tab): it goes once that closes.
    request.onblocked = () => resolve(true);
  });
}

async function removeCaches() {
  if (!window.caches) return 0;
  let pages = 0;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    pages += (await cache.keys()).filter((request) => request.mode === "navigate"
      || !new URL(request.url).pathname.startsWith("/static/")).length;
    await caches.delete(name);
  }
  return pages;
}

async function removeServiceWorkers() {
  if (!navigator.serviceWorker) return;
  const registrations = await navigator.serviceWorker.getRegistrations();
  await Promise.all(registrations.map((registration) => registration.unregister()));
}

function clearStorage(store) {
  let exit = null;
  let count = 0;
  try {
    exit = store.getItem(EXIT_KEY);
    count = store.length - (exit ? 1 : 0);
    store.clear();
    if (exit) store.setItem(EXIT_KEY, exit);
  } catch (error) { /* storage blocked: nothing kept there */ }
  return count;
}

export async function removeWhatThisDeviceKeeps() {
  const mood = moodEntries();
  const names = await databaseNames();
  const goals = names.includes("flourish-goals") ? 1 : 0;
  await Promise.all(names.map(deleteDatabase));
  await removeServiceWorkers();
  const pages = await removeCaches();
  const stored = clearStorage(localStorage) + clearStorage(sessionStorage);
  const others = Math.max(0, stored - (mood ? 1 : 0)) + names.length - goals;
  return { mood_entries: mood, kept_pages: pages, goal_copies: goals, other_items: others };
}

function addField(form, name, value) {
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = name;
  input.value = String(value);
  form.append(input);
}

const form = document.querySelector("[data-remove-device]");
if (form) {
  form.addEventListener("submit", async (event) => {
    if (form.dataset.removed) return;
    event.preventDefault();
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    try {
      const counts = await removeWhatThisDeviceKeeps();
      Object.entries(counts).forEach(([name, value]) => addField(form, name, value));
      addField(form, "removed_by_page", "1");
    } catch (error) {
      // Let the server's Clear-Site-Data do it instead.
    }
    form.dataset.removed = "1";
    form.submit();
  });
}
