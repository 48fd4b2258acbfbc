// Mood check-in. Without an account: kept on this device only, and nothing is sent anywhere.
// Signed in: offers to move the device's check-ins into the account (one JSON POST, idempotent).
import { addEntry, clearEntries, loadEntries, removeEntries } from "./mood-store.js";
import { jsonRequest } from "../csrf.js";

const MOVED_FLAG = "flourish.mood.moved";

function formatWhen(iso) {
  // English as written in the UK ("6 Dec 2026, 14:30"), as the server writes it (webapp/i18n.py).
  const page = document.documentElement.lang || "en";
  const lang = page === "en" ? "en-GB" : page;
  try {
    return new Date(iso).toLocaleString(lang, { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/London" });
  } catch (error) {
    return iso;
  }
}

function cell(row, text) {
  const td = document.createElement("td");
  if (text !== undefined) td.textContent = text;
  row.append(td);
  return td;
}

function renderHistory(section) {
  const entries = loadEntries().slice().reverse();
  const rows = section.querySelector("[data-mood-rows]");
  const scale = JSON.parse(section.dataset.scale);
  const tagNames = JSON.parse(section.dataset.tags);
  rows.replaceChildren();
  entries.forEach((entry) => {
    const row = document.createElement("tr");
    const when = formatWhen(entry.recorded_at);
    cell(row, when);
    cell(row, `${entry.score} – ${scale[entry.score - 1] || ""}`);
    const words = cell(row);
    if (entry.tags && entry.tags.length) {
      const tags = document.createElement("span");
      tags.className = "mood-tags";
      tags.textContent = entry.tags.map((tag) => tagNames[tag] || tag).join(", ");
      words.append(tags);
    }
    if (entry.words) {
      const p = document.createElement("p");
      p.className = "mood-words";
      p.textContent = entry.words;
      words.append(p);
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = section.dataset.labelDelete;
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = ` ${when}`;
    button.append(hidden);
    button.addEventListener("click", () => { removeEntries([entry.id]); renderHistory(section); });
    cell(row).append(button);
    rows.append(row);
  });
  section.hidden = entries.length === 0;
}

// The lowest mood gets a kind reply pointing to help now. It is in the page already (translated on the
// server, and kept for offline use), hidden until then.
const LOWEST_MOOD = 1;

function showLowReply(score) {
  const reply = document.querySelector("[data-mood-low-reply]");
  if (!reply) return;
  reply.hidden = score !== LOWEST_MOOD;
  if (!reply.hidden) reply.focus();
}

function initDeviceForm(form) {
  const history = document.querySelector("[data-mood-device-history]");
  const status = form.querySelector("[data-mood-status]");
  const error = form.querySelector("[data-mood-error]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = form.querySelector('input[name="score"]:checked');
    const scores = form.querySelector('input[name="score"]').closest("fieldset");
    if (!chosen) {
      // An error summary (role="alert", focused) that links to the first radio, and the radios'
      // fieldset described by the error, so a screen reader hears it and can get there.
      error.hidden = false;
      scores.setAttribute("aria-describedby", "mood-score-error");
      error.focus();
      return;
    }
    error.hidden = true;
    scores.removeAttribute("aria-describedby");
    const tags = [...form.querySelectorAll('input[name="tags"]:checked')].map((input) => input.value);
    const words = (form.querySelector('[name="words"]').value || "").trim().slice(0, 280);
    addEntry({ score: Number(chosen.value), words, tags });
    form.reset();
    status.textContent = form.dataset.messageSaved;
    renderHistory(history);
    showLowReply(Number(chosen.value));
  });
  history.querySelector("[data-mood-delete-all]").addEventListener("click", () => {
    clearEntries();
    renderHistory(history);
  });
  document.querySelectorAll("[data-mood-nojs]").forEach((el) => { el.hidden = true; });
  form.hidden = false;
  renderHistory(history);
}

function initMove(section) {
  const status = section.querySelector("[data-mood-move-status]");
  if (sessionStorage.getItem(MOVED_FLAG)) {
    sessionStorage.removeItem(MOVED_FLAG);
    section.hidden = false;
    section.querySelectorAll("p:not([data-mood-move-status])").forEach((p) => { p.hidden = true; });
    status.textContent = section.dataset.messageDone;
    return;
  }
  const entries = loadEntries();
  if (!entries.length) return;
  const count = section.querySelector("[data-mood-move-count]");
  count.textContent = count.dataset.template.replace("{count}", String(entries.length));
  section.hidden = false;
  section.querySelector("[data-mood-move-button]").addEventListener("click", async () => {
    try {
      const response = await jsonRequest(section.dataset.importUrl, "POST", { entries });
      if (!response.ok) throw new Error(String(response.status));
      removeEntries(entries.map((entry) => entry.id));
      sessionStorage.setItem(MOVED_FLAG, "1");
      window.location.reload();
    } catch (error) {
      status.textContent = section.dataset.messageFailed;
    }
  });
}

const deviceForm = document.querySelector("[data-mood-device-form]");
if (deviceForm) initDeviceForm(deviceForm);
const move = document.querySelector("[data-mood-move]");
if (move) initMove(move);
