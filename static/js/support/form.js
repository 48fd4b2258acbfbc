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
