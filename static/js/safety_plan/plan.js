// My safety plan: saved on this device as the person types (locked, see plan-store.js), opened
// with no signal from the kept page, one-tap call and text, a photo kept only here. Without this
// script the page is a form to print or download.
import { loadPlan, ownerKey, removeAll, savePlan } from "./plan-store.js";

const form = document.querySelector("[data-plan-form]");
const PHOTO = "photo";
const PHOTO_LIMIT = 5 * 1024 * 1024;
const PHONE = /^\+?[0-9]{3,15}$/;
let owner = "";
let photo = "";
let timer;

function planFields() {
  return [...form.querySelectorAll("textarea[name], input[name]")]
    .filter((el) => el.name !== "csrf_token" && el.type !== "file" && el.type !== "hidden");
}

function values() {
  const kept = Object.fromEntries(planFields().map((el) => [el.name, el.value]));
  if (photo) kept[PHOTO] = photo;
  return kept;
}

function say(selector, message) {
  const box = document.querySelector(selector);
  if (!box) return;
  box.textContent = message || "";
  box.hidden = !message;
}

export function phoneDigits(value) {
  const compact = (value || "").trim().replace(/[\s().-]/g, "");
  return PHONE.test(compact) ? compact : null;
}

function reachLinks(phoneInput) {
  const reach = form.querySelector(`[data-plan-reach="${phoneInput.name}"]`);
  if (!reach) return;
  const digits = phoneDigits(phoneInput.value);
  reach.replaceChildren();
  if (!digits) return;
  const nameInput = form.querySelector(`[name="${phoneInput.name.replace(/_phone$/, "_name")}"]`);
  const who = (nameInput && nameInput.value) || phoneInput.value;
  [["tel", form.dataset.labelCall], ["sms", form.dataset.labelText]].forEach(([scheme, label]) => {
    const link = document.createElement("a");
    link.className = "button button--secondary";
    link.href = `${scheme}:${digits}`;
    link.textContent = label;
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = ` ${who}`;
    link.append(hidden);
    reach.append(link, " ");
  });
}

function checkPhone(input) {
  const group = input.closest(".form-group");
  const errorId = `${input.id}-error`;
  let error = document.getElementById(errorId);
  const bad = input.value.trim() !== "" && !phoneDigits(input.value);
  if (bad && !error) {
    error = document.createElement("p");
    error.className = "error-message";
    error.id = errorId;
    input.before(error);
  }
  if (error) {
    error.textContent = bad ? form.dataset.messagePhone : "";
    error.hidden = !bad;
  }
  group.classList.toggle("form-group--error", bad);
  input.classList.toggle("input--error", bad);
  if (bad) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
  const describedBy = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== errorId);
  if (bad) describedBy.push(errorId);
  if (describedBy.length) input.setAttribute("aria-describedby", describedBy.join(" "));
  else input.removeAttribute("aria-describedby");
  reachLinks(input);
}

async function saveNow() {
  clearTimeout(timer);
  try {
    await savePlan(owner, values());
    say("[data-plan-status]", form.dataset.messageSaved);
    const problem = document.querySelector("[data-plan-problem]");
    if (problem && problem.textContent === form.dataset.messageNotSaved) say("[data-plan-problem]", "");
  } catch (error) {
    say("[data-plan-problem]", form.dataset.messageNotSaved);
  }
}

function saveSoon() {
  clearTimeout(timer);
  timer = setTimeout(saveNow, 400);
}

function showPhoto() {
  const image = form.querySelector("[data-plan-photo-image]");
  const removeButton = form.querySelector("[data-plan-photo-remove]");
  if (!image) return;
  image.hidden = !photo;
  removeButton.hidden = !photo;
  if (photo) image.src = photo; else image.removeAttribute("src");
}

function initPhoto() {
  const box = form.querySelector("[data-plan-photo]");
  if (!box) return;
  box.hidden = false;
  const input = box.querySelector("[data-plan-photo-input]");
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    if (!file) return;
    if (file.size > PHOTO_LIMIT || !file.type.startsWith("image/")) {
      say("[data-plan-problem]", form.dataset.messagePhotoTooBig);
      input.value = "";
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      photo = String(reader.result);
      input.value = "";
      showPhoto();
      saveNow();
    };
    reader.readAsDataURL(file);
  });
  box.querySelector("[data-plan-photo-remove]").addEventListener("click", () => {
    photo = "";
    showPhoto();
    saveNow();
  });
}

function fill(kept) {
  planFields().forEach((el) => {
    if (typeof kept[el.name] === "string") el.value = kept[el.name];
  });
  photo = typeof kept[PHOTO] === "string" && kept[PHOTO].startsWith("data:image/") ? kept[PHOTO] : "";
  showPhoto();
}

async function removeFromDevice() {
  clearTimeout(timer);
  await removeAll();
  planFields().forEach((el) => { el.value = ""; });
  photo = "";
  showPhoto();
  planFields().filter((el) => el.type === "tel").forEach(checkPhone);
  say("[data-plan-status]", form.dataset.messageRemoved);
}

async function init() {
  if (!form || !("indexedDB" in window) || !window.crypto || !crypto.subtle) return;
  document.querySelectorAll("[data-plan-nojs]").forEach((el) => { el.hidden = true; });
  const device = document.querySelector("[data-plan-device]");
  if (device) device.hidden = false;
  initPhoto();
  try {
    owner = await ownerKey(form.dataset.owner || "");
    const kept = await loadPlan(owner);
    const accountUpdated = form.dataset.accountUpdated;
    if (kept.status === "key-lost") {
      say("[data-plan-problem]", form.dataset.messageKeyLost);
    } else if (kept.status === "partial") {
      say("[data-plan-problem]", form.dataset.messageCorrupt);
    }
    if (Object.keys(kept.values).length) {
      if (!accountUpdated) {
        fill(kept.values);
      } else if (kept.updatedAt && kept.updatedAt > accountUpdated) {
        fill(kept.values);
        say("[data-plan-status]", form.dataset.messageNewer);
      } else {
        photo = kept.values[PHOTO] || "";
        showPhoto();
        await saveNow();
      }
    } else if (accountUpdated) {
      await saveNow();
    }
  } catch (error) {
    say("[data-plan-problem]", form.dataset.messageNotSaved);
  }
  planFields().filter((el) => el.type === "tel").forEach((el) => {
    if (el.value) checkPhone(el);
    el.addEventListener("blur", () => checkPhone(el));
    el.addEventListener("input", () => { if (el.getAttribute("aria-invalid") || phoneDigits(el.value)) checkPhone(el); });
  });
  form.addEventListener("input", saveSoon);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") saveNow(); });
  const removeButton = document.querySelector("[data-plan-remove]");
  if (removeButton) removeButton.addEventListener("click", removeFromDevice);
  form.dataset.planReady = "1";
}

init();
