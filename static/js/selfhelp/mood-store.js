// Mood check-ins kept in this browser only (localStorage). Nothing here talks to the server.
const KEY = "flourish.mood.v1";

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function loadEntries() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(list) ? list : [];
  } catch (error) {
    return [];
  }
}

function saveEntries(list) {
  if (list.length) localStorage.setItem(KEY, JSON.stringify(list));
  else localStorage.removeItem(KEY);
}

export function addEntry({ score, words, tags }) {
  const entry = { id: newId(), score, words: words || null, tags, recorded_at: new Date().toISOString() };
  saveEntries([...loadEntries(), entry]);
  return entry;
}

export function removeEntries(ids) {
  const gone = new Set(ids);
  saveEntries(loadEntries().filter((entry) => !gone.has(entry.id)));
}

export function clearEntries() {
  saveEntries([]);
}
