// Shows a "Print this list" button on the staff day list (without JavaScript, the browser's Print works).
const button = document.querySelector("[data-print]");
if (button) {
  button.hidden = false;
  const hint = document.querySelector("[data-print-hint]");
  if (hint) hint.hidden = true;
  button.addEventListener("click", () => window.print());
}
