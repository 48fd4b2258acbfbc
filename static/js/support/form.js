import { csrfToken } from "../csrf.js";

// Request for support: with no signal, do not leave the page on "Save and continue" (the browser
// would show its own error page); keep everything typed here and say so. Without this script the
// form works the same, and the server keeps each page's answers once they arrive.
for (const form of document.querySelectorAll("form[data-support-form]")) {
  const message = form.querySelector("[data-offline-message]");
  form.addEventListener("submit", (event) => {
    if (navigator.onLine !== false || !message) return;
    event.preventDefault();
    message.textContent = message.dataset.text;
    message.hidden = false;
  });
  window.addEventListener("online", () => { if (message) message.hidden = true; });
}

// A "Why not?" box and its guidance show once "No" or "Not sure" is chosen (without this script
// they always show).
for (const block of document.querySelectorAll("[data-reveal-for]")) {
  const radios = document.querySelectorAll(`input[type="radio"][name="${block.dataset.revealFor}"]`);
  const values = (block.dataset.revealValues || "").split(" ");
  const update = () => { block.hidden = ![...radios].some((radio) => radio.checked && values.includes(radio.value)); };
  for (const radio of radios) radio.addEventListener("change", update);
  update();
}

// What is typed is kept in the server-side draft as it is typed (a moment after typing stops, and on
// leaving a field), and once more as the page goes (a quick exit, Back, a closed tab), so nothing
// typed is lost. Without this script, "Save and continue" keeps it as before.
const AUTOSAVE_AFTER_MS = 800;

function autosave(form) {
  const url = form.dataset.autosaveUrl;
  if (!url) return;
  let timer = 0;
  let unsaved = false;
  const send = () => {
    window.clearTimeout(timer);
    if (!unsaved || navigator.onLine === false) return;
    unsaved = false;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": csrfToken() },
      body: new URLSearchParams(new FormData(form)),
    }).then((response) => { if (!response.ok) unsaved = true; }).catch(() => { unsaved = true; });
  };
  form.addEventListener("input", () => {
    unsaved = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(send, AUTOSAVE_AFTER_MS);
  });
  form.addEventListener("change", () => { unsaved = true; send(); });
  form.addEventListener("focusout", send);
  form.addEventListener("submit", (event) => {
    if (event.defaultPrevented) return; // not sent (no signal): keep saving as typed
    unsaved = false;
    window.clearTimeout(timer);
  });
  window.addEventListener("pagehide", () => {
    if (unsaved && navigator.sendBeacon) {
      unsaved = !navigator.sendBeacon(url, new FormData(form));
    }
  });
}

for (const form of document.querySelectorAll("form[data-support-form]")) autosave(form);
