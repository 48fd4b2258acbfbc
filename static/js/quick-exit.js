// Quick exit: leave for a neutral site at once and keep this site out of the back history as far
// as a browser allows. Also on pressing Escape twice within two seconds, unless that could lose
// what was typed (see escapeMayExit).
// Read by exit-guard.js, the first script of every page: pages opened before this time, shown
// again by Back or Forward, go straight on to the neutral site.
export const EXIT_KEY = "flourish:quick-exit";

function noteExit(url) {
  const exit = JSON.stringify({ at: Date.now(), url: new URL(url, window.location.href).href });
  for (const store of [() => localStorage, () => sessionStorage]) {
    try {
      store().setItem(EXIT_KEY, exit);
    } catch (error) { /* storage blocked: the other may work */ }
  }
}

export function quickExit(url) {
  noteExit(url);
  try {
    document.body.hidden = true;
    document.title = "Weather";
    // Overwrite this entry so "back" does not return here.
    history.replaceState(null, "", "/");
  } catch (error) { /* carry on */ }
  window.location.replace(url);
}

// Escape twice must never throw away what someone typed: not while they are in a text field, a
// text area or a select (Escape there is for the field: closing a list, cancelling composition),
// and not while any field on the page holds text they typed. The button always leaves.
const TEXT_INPUT_TYPES = new Set(["", "text", "search", "email", "tel", "url", "password", "number",
  "date", "time", "datetime-local", "month", "week"]);

function isTextField(element) {
  if (!element || !(element instanceof Element)) return false;
  if (element.isContentEditable) return true;
  const tag = element.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") return TEXT_INPUT_TYPES.has((element.getAttribute("type") || "").toLowerCase());
  return false;
}

export function hasTypedText(root = document) {
  for (const field of root.querySelectorAll("input, textarea")) {
    if (!isTextField(field)) continue;
    if (field.value !== field.defaultValue && field.value.trim() !== "") return true;
  }
  return false;
}

export function escapeMayExit(event) {
  if (event.isComposing || event.keyCode === 229) return false;
  if (isTextField(event.target) || isTextField(document.activeElement)) return false;
  return !hasTypedText();
}

export function initQuickExit() {
  const button = document.querySelector("[data-quick-exit]");
  if (!button) return;
  const url = button.dataset.quickExitUrl || button.href;
  button.addEventListener("click", (event) => {
    event.preventDefault();
    quickExit(url);
  });
  let lastEscape = 0;
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (!escapeMayExit(event)) {
      lastEscape = 0;
      return;
    }
    const now = Date.now();
    if (now - lastEscape < 2000) quickExit(url);
    lastEscape = now;
  });
}
