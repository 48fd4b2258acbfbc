// Reminders settings: turn push on or off for this device. The rest of the page works without this.
import { jsonRequest } from "../csrf.js";

function base64UrlToBytes(value) {
  const padded = (value + "===".slice((value.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function supported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function show(root, state) {
  root.querySelectorAll("[data-push-state]").forEach((el) => { el.hidden = el.dataset.pushState !== state; });
}

async function currentSubscription() {
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

async function turnOn(root, status) {
  status.textContent = "";
  try {
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      show(root, permission === "denied" ? "denied" : "off");
      return;
    }
    const keyResponse = await fetch(root.dataset.keyUrl, { credentials: "same-origin" });
    if (!keyResponse.ok) throw new Error(String(keyResponse.status));
    const { publicKey } = await keyResponse.json();
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64UrlToBytes(publicKey),
    });
    const response = await jsonRequest(root.dataset.subscriptionsUrl, "POST", subscription.toJSON());
    if (!response.ok) throw new Error(String(response.status));
    window.location.reload();
  } catch (error) {
    status.textContent = status.dataset.messageFailed;
  }
}

async function turnOff(root, status) {
  status.textContent = "";
  try {
    const subscription = await currentSubscription();
    if (subscription) {
      const response = await jsonRequest(root.dataset.subscriptionsUrl, "DELETE", { endpoint: subscription.endpoint });
      if (!response.ok && response.status !== 404) throw new Error(String(response.status));
      await subscription.unsubscribe();
    }
    window.location.reload();
  } catch (error) {
    status.textContent = status.dataset.messageOffFailed;
  }
}

async function init(root) {
  root.querySelector("[data-push-nojs]").hidden = true;
  const status = root.querySelector("[data-push-status]");
  if (!supported()) {
    show(root, "unsupported");
    return;
  }
  if (Notification.permission === "denied") {
    show(root, "denied");
    return;
  }
  root.querySelector("[data-push-subscribe]").addEventListener("click", () => turnOn(root, status));
  root.querySelector("[data-push-unsubscribe]").addEventListener("click", () => turnOff(root, status));
  show(root, "off");
  try {
    const subscription = await currentSubscription();
    if (subscription && Notification.permission === "granted") show(root, "on");
  } catch (error) {
    show(root, "off");
  }
}

const root = document.querySelector("[data-push-device]");
if (root) init(root);
