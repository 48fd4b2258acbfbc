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
