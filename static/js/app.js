// Progressive enhancement only: every page works without this file.
import { initQuickExit } from "./quick-exit.js";

initQuickExit();

const summary = document.querySelector("[data-error-summary]");
if (summary) summary.focus();

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/service-worker.js", { scope: "/" }).catch(() => {});
  });
}
