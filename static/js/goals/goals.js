// The goals pages, signed in. Keeps a copy of the goals on this device for reading offline, sends
// check-ins made offline (on load and when the connection returns), and, with no connection, keeps
// a check-in on the device instead of losing it. Without this script the pages work as plain forms.
import { addToQueue, askForBackgroundSync, newId, saveCopy, sendQueued } from "./goals-store.js";

const SENT_FLAG = "flourish.goals.sent";
const sync = document.querySelector("[data-goals-sync]");
const status = document.querySelector("[data-goals-queue-status]");

function say(message) {
  if (!status || !message) return;
  status.textContent = message;
  status.hidden = false;
}

let sending = false;
async function sendNow() {
  if (sending || !navigator.onLine) return;
  sending = true;
  try {
    const outcome = await sendQueued(sync.dataset.deviceUrl, sync.dataset.syncUrl);
    if (outcome === "sent") {
      sessionStorage.setItem(SENT_FLAG, "1");
      window.location.reload();
    }
  } catch (error) {
    // Kept on the device; tried again on the next visit or when the connection returns.
  } finally {
    sending = false;
  }
}

function initOfflineCheckIn(form) {
  form.addEventListener("submit", async (event) => {
    if (navigator.onLine) return; // online: the ordinary form post
    event.preventDefault();
    const chosen = form.querySelector('input[name="rating"]:checked');
    const error = form.querySelector("[data-goal-offline-error]");
    if (!chosen) {
      error.hidden = false;
      form.querySelector('input[name="rating"]').focus();
      return;
    }
    error.hidden = true;
    const clientId = form.querySelector('input[name="client_id"]');
    await addToQueue({
      id: clientId.value,
      goal_id: Number(form.dataset.goalId),
      rating: Number(chosen.value),
      note: (form.querySelector('[name="note"]').value || "").trim().slice(0, 500) || null,
      recorded_at: new Date().toISOString(),
    });
    form.reset();
    clientId.value = newId(); // the next check-in is a new one
    say(sync.dataset.messageWaiting);
    await askForBackgroundSync();
  });
}

async function init() {
  if (!sync || !("indexedDB" in window)) return;
  if (sessionStorage.getItem(SENT_FLAG)) {
    sessionStorage.removeItem(SENT_FLAG);
    say(sync.dataset.messageSent);
  }
  if (sync.dataset.copy) {
    try {
      await saveCopy(JSON.parse(sync.dataset.copy));
    } catch (error) {
      // Private browsing or storage full: the page still works, just not offline.
    }
  }
  const form = document.querySelector("[data-goal-check-in]");
  if (form) initOfflineCheckIn(form);
  window.addEventListener("online", sendNow);
  await sendNow();
}

init();
