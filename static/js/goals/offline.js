// "My goals on this device": the copy the goals page kept, readable with no signal, and check-ins
// kept on the device until they can be sent. Shown by the service worker instead of /goals pages
// when there is no connection.
import { addToQueue, askForBackgroundSync, loadCopy, newId, queued, sendQueued } from "./goals-store.js";

const root = document.querySelector("[data-goals-offline]");

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

function fill(template, values) {
  return Object.entries(values).reduce((text, [key, value]) => text.replace(`{${key}}`, String(value)), template);
}

async function showWaiting() {
  const statusEl = root.querySelector("[data-goals-offline-status]");
  const waiting = (await queued()).length;
  statusEl.textContent = waiting ? fill(root.dataset.messageWaiting, { count: waiting }) : "";
  statusEl.hidden = !waiting;
}

function renderGoals(copy) {
  const list = root.querySelector("[data-goals-offline-list]");
  const select = root.querySelector("[data-goals-offline-goal]");
  list.replaceChildren();
  select.replaceChildren();
  copy.goals.forEach((goal) => {
    const item = document.createElement("li");
    item.className = "card goal-card";
    item.dataset.goalId = goal.id;
    const heading = document.createElement("h2");
    heading.className = "card__heading";
    heading.textContent = goal.text;
    const now = document.createElement("p");
    now.textContent = fill(root.dataset.labelNow, { rating: goal.latest.rating, when: formatWhen(goal.latest.recorded_at) });
    item.append(heading, now);
    list.append(item);
    const option = document.createElement("option");
    option.value = goal.id;
    option.textContent = goal.text;
    select.append(option);
  });
  root.querySelector("[data-goals-offline-saved-at]").textContent = fill(root.dataset.labelSavedAt, { when: formatWhen(copy.saved_at) });
}

async function send() {
  if (!navigator.onLine) return;
  try {
    const outcome = await sendQueued(root.dataset.deviceUrl, root.dataset.syncUrl);
    if (outcome === "sent") {
      const statusEl = root.querySelector("[data-goals-offline-status]");
      statusEl.textContent = root.dataset.messageSent;
      statusEl.hidden = false;
      renderGoals(await loadCopy());
      return;
    }
  } catch (error) {
    // Kept on the device for next time.
  }
  await showWaiting();
}

function initForm(form) {
  const error = form.querySelector("[data-goals-offline-error]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector('input[name="rating"]:checked');
    const goalId = Number(form.querySelector("[data-goals-offline-goal]").value);
    if (!goalId || !chosen) {
      error.textContent = goalId ? root.dataset.messageRating : root.dataset.messageGoal;
      error.hidden = false;
      return;
    }
    error.hidden = true;
    await addToQueue({
      id: newId(), goal_id: goalId, rating: Number(chosen.value),
      note: (form.querySelector('[name="note"]').value || "").trim().slice(0, 500) || null,
      recorded_at: new Date().toISOString(),
    });
    form.reset();
    await showWaiting();
    const statusEl = root.querySelector("[data-goals-offline-status]");
    statusEl.textContent = `${root.dataset.messageSaved} ${statusEl.textContent}`;
    await askForBackgroundSync();
    await send();
  });
}

async function init() {
  if (!root || !("indexedDB" in window)) return;
  document.querySelectorAll("[data-goals-offline-nojs]").forEach((el) => { el.hidden = true; });
  root.hidden = false;
  const copy = await loadCopy().catch(() => undefined);
  if (!copy || !copy.goals.length) {
    root.querySelector("[data-goals-offline-empty]").hidden = false;
  } else {
    renderGoals(copy);
    root.querySelector("[data-goals-offline-form-section]").hidden = false;
    initForm(root.querySelector("[data-goals-offline-form]"));
  }
  await showWaiting();
  window.addEventListener("online", send);
  await send();
}

init();
