/* Leave no trail after a quick exit (#14 item 5).
 *
 * A classic script, the first thing in every page's <head>, so it runs before anything is drawn.
 * Quick exit (quick-exit.js) writes when it happened and where it went. Every Flourish page stamps
 * its history entry with when it was opened. A page opened before the last quick exit and shown
 * again (Back, Forward, a restored tab, the back-forward cache) goes straight on to the neutral
 * site instead, so Back never shows what someone was reading. Pages opened after the exit (the
 * person coming back on purpose) are not affected, and a quick exit in one tab closes the others.
 */
(function () {
  "use strict";
  var KEY = "flourish:quick-exit";
  var STAMP = "flourishOpenedAt";

  function lastExit() {
    try {
      var kept = JSON.parse(localStorage.getItem(KEY) || sessionStorage.getItem(KEY) || "null");
      if (kept && typeof kept.at === "number" && /^https?:\/\//.test(kept.url)) return kept;
    } catch (error) { /* storage blocked: nothing to go on */ }
    return null;
  }

  function hide() { document.documentElement.style.visibility = "hidden"; }
  function show() { document.documentElement.style.visibility = ""; }

  function leave(exit) {
    hide();
    window.location.replace(exit.url);
  }

  var state = history.state;
  var stamp = state && typeof state[STAMP] === "number" ? state[STAMP] : null;
  var navigation = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  var returning = navigation ? navigation.type !== "navigate" : stamp !== null;
  var exit = lastExit();
  if (exit && (stamp !== null ? stamp <= exit.at : returning)) {
    leave(exit);
    return;
  }
  var opened = stamp !== null ? stamp : Date.now();
  if (stamp === null) {
    try {
      var stamped = {};
      if (state && typeof state === "object") for (var name in state) stamped[name] = state[name];
      stamped[STAMP] = opened;
      history.replaceState(stamped, "");
    } catch (error) { /* no stamp: a later Back after an exit still leaves (returning, unstamped) */ }
  }

  // The back-forward cache keeps the page as it was: keep it hidden there, and on its return
  // either leave (a quick exit happened since) or show it again.
  window.addEventListener("pagehide", function (event) { if (event.persisted) hide(); });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    var since = lastExit();
    if (since && opened <= since.at) leave(since);
    else show();
  });
  // A quick exit in another Flourish tab leaves this one too.
  window.addEventListener("storage", function (event) {
    if (event.key !== KEY) return;
    var since = lastExit();
    if (since && opened <= since.at) leave(since);
  });
})();
