// Staff idle warning (WCAG 2.2.1): two minutes before the idle sign-out, show a region with
// "Stay signed in"; the button's request counts as activity, so the clock starts again. When the
// time is up, say so without leaving the page (nothing typed here is thrown away).
import { csrfToken } from "./csrf.js";

const region = document.querySelector("[data-idle-warning]");

function start(box) {
  const idleMs = Number(box.dataset.idleSeconds) * 1000;
  const warnMs = Number(box.dataset.warnSeconds) * 1000;
  const text = box.querySelector("[data-idle-text]");
  const form = box.querySelector("[data-idle-form]");
  const signIn = box.querySelector("[data-idle-signed-in-link]");
  let warnTimer = 0;
  let endTimer = 0;

  const warn = () => {
    box.hidden = false;
    box.querySelector("[data-idle-stay]").focus();
  };
  const end = () => {
    box.hidden = false;
    text.textContent = box.dataset.signedOut;
    form.hidden = true;
    signIn.hidden = false;
  };
  const restart = () => {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = window.setTimeout(warn, Math.max(idleMs - warnMs, 0));
    endTimer = window.setTimeout(end, idleMs);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const response = await fetch(box.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
      // Only 204 means the session was kept (signed out already, the answer is the sign-in page).
      if (response.status !== 204) throw new Error(String(response.status));
      box.hidden = true;
      restart();
    } catch (error) {
      form.submit(); // let the server answer (or the browser show there is no signal)
    }
  });
  restart();
}

if (region) start(region);
