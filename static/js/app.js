// Progressive enhancement only: every page works without this file.
import { initQuickExit } from "./quick-exit.js";

initQuickExit();

const summary = document.querySelector("[data-error-summary]");
if (summary) summary.focus();

// A page kept for offline use carries a CSRF token of no one's session, and a public page the server
// keeps rendered (webapp/page_cache.py) carries none: before one of its forms is sent, swap in this
// session's token (once the signal is back; offline the send fails as it would).
const offlineCopy = document.documentElement.hasAttribute("data-offline-copy");
if (offlineCopy || document.querySelector('input[name="csrf_token"][value=""]')) {
  document.addEventListener("submit", async (event) => {
    if (!navigator.onLine) return; // no signal: nothing to fetch; a page's own script may answer offline
    const form = event.target;
    const tokens = form.querySelectorAll('input[name="csrf_token"]');
    if (!tokens.length || form.dataset.freshToken) return;
    if (!offlineCopy && [...tokens].every((input) => input.value)) return;
    event.preventDefault();
    try {
      const response = await fetch("/csrf-token", { credentials: "same-origin", cache: "no-store" });
      const { csrf_token: token } = await response.json();
      tokens.forEach((input) => { input.value = token; });
    } catch (error) {
      // no signal: send as it is, and the browser shows the offline page
    }
    form.dataset.freshToken = "1";
    form.requestSubmit(event.submitter);
  }, true);
}

// Not on the page that says what was just removed from this device: nothing is kept again until
// the person opens another page.
if ("serviceWorker" in navigator && !document.querySelector("[data-device-cleared]")) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/service-worker.js", { scope: "/" }).catch(() => {});
  });
}
