// Paced breathing: a circle that grows on the breath in and shrinks on the breath out.
// Timing is driven here; the movement is a CSS transition chosen by classes (no inline styles).
// With prefers-reduced-motion the circle stays still and the words and count guide the breath.
const PHASES = ["in", "hold", "out", "rest"];

function phaseClasses() {
  const classes = PHASES.map((name) => `pacer--${name}`);
  for (let seconds = 1; seconds <= 10; seconds += 1) classes.push(`pacer--d${seconds}`);
  return classes;
}

function initPacer(pacer) {
  const circleHolder = pacer;
  const word = pacer.querySelector("[data-pacer-word]");
  const count = pacer.querySelector("[data-pacer-count]");
  const toggle = pacer.querySelector("[data-pacer-toggle]");
  const radios = [...document.querySelectorAll('input[name="rhythm"]')];
  const allClasses = phaseClasses();
  let phases = JSON.parse((radios.find((r) => r.checked) || radios[0]).dataset.phases);
  let timer = null;
  let index = 0;
  let remaining = 0;

  function show(i) {
    const [name, seconds] = phases[i];
    circleHolder.classList.remove(...allClasses);
    circleHolder.classList.add(`pacer--${name}`, `pacer--d${seconds}`);
    word.textContent = pacer.dataset[`word${name[0].toUpperCase()}${name.slice(1)}`];
    remaining = seconds;
    count.textContent = String(remaining);
  }

  function tick() {
    remaining -= 1;
    if (remaining > 0) {
      count.textContent = String(remaining);
      return;
    }
    index = (index + 1) % phases.length;
    show(index);
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    circleHolder.classList.remove(...allClasses, "pacer--running");
    word.textContent = pacer.dataset.wordReady;
    count.textContent = "";
    toggle.textContent = toggle.dataset.labelStart;
    toggle.setAttribute("aria-pressed", "false");
  }

  function start() {
    index = 0;
    circleHolder.classList.add("pacer--running");
    show(0);
    timer = setInterval(tick, 1000);
    toggle.textContent = toggle.dataset.labelStop;
    toggle.setAttribute("aria-pressed", "true");
  }

  toggle.addEventListener("click", () => (timer ? stop() : start()));
  radios.forEach((radio) => radio.addEventListener("change", () => {
    phases = JSON.parse(radio.dataset.phases);
    document.querySelectorAll("[data-rhythm-steps]").forEach((list) => {
      list.hidden = list.dataset.rhythmSteps !== radio.value;
    });
    if (timer) { stop(); start(); }
  }));
  document.addEventListener("visibilitychange", () => { if (document.hidden && timer) stop(); });
  document.querySelectorAll("[data-pacer-nojs]").forEach((el) => { el.hidden = true; });
  toggle.setAttribute("aria-pressed", "false");
  pacer.hidden = false;
}

const pacer = document.querySelector("[data-pacer]");
if (pacer) initPacer(pacer);
