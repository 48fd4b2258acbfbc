// 5-4-3-2-1 grounding one step at a time. Without this script every step shows as a list.
function initGrounding(root) {
  const steps = [...root.querySelectorAll("[data-grounding-step]")];
  const controls = root.querySelector("[data-grounding-controls]");
  const progress = root.querySelector("[data-grounding-progress]");
  const back = document.createElement("button");
  const next = document.createElement("button");
  back.type = "button";
  next.type = "button";
  back.className = "button button--secondary";
  next.className = "button";
  back.textContent = root.dataset.labelBack;
  controls.append(back, next);
  let current = 0;

  function show(i, moveFocus) {
    current = i;
    steps.forEach((step, j) => { step.hidden = j !== i; });
    const last = i === steps.length - 1;
    progress.textContent = last ? "" : root.dataset.labelProgress
      .replace("{n}", String(i + 1)).replace("{total}", String(steps.length - 1));
    back.hidden = i === 0;
    next.textContent = last ? root.dataset.labelAgain : root.dataset.labelNext;
    if (moveFocus) steps[i].focus();
  }

  next.addEventListener("click", () => show(current === steps.length - 1 ? 0 : current + 1, true));
  back.addEventListener("click", () => show(Math.max(0, current - 1), true));
  root.classList.add("grounding--stepped");
  controls.hidden = false;
  show(0, false);
}

const root = document.querySelector("[data-grounding]");
if (root) initGrounding(root);
