// Quick exit: leave for a neutral site at once and keep this site out of the back history as far
// as a browser allows. Also on pressing Escape twice within two seconds.
export function quickExit(url) {
  try {
    document.body.hidden = true;
    document.title = "Weather";
    // Overwrite this entry so "back" does not return here.
    history.replaceState(null, "", "/");
  } catch (error) { /* carry on */ }
  window.location.replace(url);
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
    const now = Date.now();
    if (now - lastEscape < 2000) quickExit(url);
    lastEscape = now;
  });
}
