// The "Self-help with no signal" card: says which languages the service worker keeps for offline use,
// and asks it to keep every language. Without a service worker nothing is kept, so the card stays hidden.
const card = document.querySelector("[data-offline-languages]");

function ask(worker, message) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data);
    worker.postMessage(message, [channel.port2]);
  });
}

function show(kept, names, status, button) {
  const listed = names.filter(([code]) => kept.includes(code)).map(([, name]) => name);
  status.textContent = card.dataset.keptText.replace("{languages}", listed.join(", "));
  button.hidden = names.every(([code]) => kept.includes(code));
}

async function start() {
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (!worker) return;
  const names = JSON.parse(card.dataset.names); // [[code, name], ...] in the switcher's order
  const status = card.querySelector("[data-offline-status]");
  const button = card.querySelector("[data-offline-keep]");
  show((await ask(worker, { type: "flourish:kept-languages" })).kept, names, status, button);
  card.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = card.dataset.workingText;
    const reply = await ask(worker, { type: "flourish:keep-languages", languages: names.map(([code]) => code) });
    show(reply.kept, names, status, button);
    if (reply.failed) status.textContent += ` ${card.dataset.failedText}`;
    button.disabled = false;
  });
}

if (card && "serviceWorker" in navigator) start();
