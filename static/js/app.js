// Progressive enhancement only: every page works without this file.
import { initQuickExit } from "./quick-exit.js";

initQuickExit();

const summary = document.querySelector("[data-error-summary]");
if (summary) summary.focus();

// A page kept for offline use carries a CSRF token of no one's session: before one of its forms
// is sent, swap in this session's token (once the signal is back; offline the send fails as it would).
if (document.documentElement.hasAttribute("data-offline-copy")) {
  document.addEventListener("submit", async (event) => {
    if (!navigator.onLine) return; // no signal: nothing to fetch; a page's own script may answer offline
    const form = event.target;
    const tokens = form.querySelectorAll('input[name="csrf_token"]');
    if (!tokens.length || form.dataset.freshToken) return;
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

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/service-worker.js", { scope: "/" }).catch(() => {});
  });
}
