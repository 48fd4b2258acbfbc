// "What would help right now?" with no signal: the same decision as the server's `suggest`
// (webapp/selfhelp/service.py), run on the device from the data the page carries, shown with the
// pieces the page carries already rendered (the same HTML as online). With a connection the form is
// sent as usual; someone in danger is sent to help now, kept for offline use, as online.

export function decide(data, answers) {
  const [low, high] = data.ages[answers.age];
  const overAge = low > 25;
  const inArea = !data.outsideAreas.includes(answers.area);
  const fits = data.signposts.filter((s) =>
    (s.topics.includes("any") || s.topics.includes(answers.situation))
    && s.min <= high && (s.max === null || s.max >= low));
  return {
    tools: data.situationTools[answers.situation] || [],
    topic: data.situationTopic[answers.situation] || null,
    talkNow: answers.urgency === "today",
    lines: data.talkNowLines.filter((line) => line !== "childline" || low <= 18),
    local: inArea ? fits.filter((s) => s.scope === "local" && (!s.areas.length || s.areas.includes(answers.area)))
      .map((s) => s.id) : [],
    national: fits.filter((s) => s.scope === "national").map((s) => s.id),
    askForSupport: inArea && !overAge
      && (["today", "while"].includes(answers.urgency) || data.needsAPerson.includes(answers.situation)),
    asksForChild: answers.situation === "parents-carers" || high <= 12,
    dropIns: inArea && !overAge,
    overAge,
  };
}

function show(element, visible) {
  if (element) element.hidden = !visible;
}

function keyOf(item, attribute) {
  // A signpost card (selfhelp/_macros.html) is known by its id, "service-<id>".
  return attribute === "data-signpost" ? item.id.replace(/^service-/, "") : item.getAttribute(attribute);
}

function keep(list, attribute, chosen) {
  // Show the chosen items of a list, in the order chosen; hide the rest.
  if (!list) return;
  const selector = attribute === "data-signpost" ? "li.signpost" : `[${attribute}]`;
  const items = [...list.querySelectorAll(selector)];
  items.forEach((item) => { item.hidden = true; });
  chosen.forEach((key) => {
    const item = items.find((candidate) => keyOf(candidate, attribute) === key);
    if (item) { item.hidden = false; list.append(item); }
  });
}

function render(root, result) {
  root.querySelectorAll("[data-wwh-result]").forEach((old) => old.remove());
  const template = root.querySelector("template[data-wwh-template]");
  root.append(template.content.cloneNode(true));
  const shown = root.querySelector("[data-wwh-result]");
  const again = shown.querySelector("[data-wwh-again]");
  again.addEventListener("click", (event) => {
    if (navigator.onLine) return;
    event.preventDefault();
    shown.remove();
    show(root.querySelector("[data-wwh-questions]"), true);
  });
  show(shown.querySelector("[data-wwh=talk-now]"), result.talkNow);
  keep(shown.querySelector("[data-wwh=talk-now] ul"), "data-line", result.lines);
  show(shown.querySelector("[data-wwh=over-age]"), result.overAge);
  show(shown.querySelector("[data-wwh=tools]"), result.tools.length > 0);
  keep(shown.querySelector("[data-wwh=tools] ul"), "data-tool", result.tools);
  show(shown.querySelector("[data-wwh=topic]"), result.topic !== null);
  shown.querySelectorAll("[data-topic]").forEach((topic) => {
    topic.hidden = topic.getAttribute("data-topic") !== result.topic;
  });
  show(shown.querySelector("[data-wwh=ask]"), result.askForSupport);
  show(shown.querySelector("[data-wwh=ask-child]"), result.asksForChild);
  show(shown.querySelector("[data-wwh=ask-self]"), !result.asksForChild);
  show(shown.querySelector("[data-wwh=drop-ins]"), result.dropIns);
  show(shown.querySelector("[data-wwh=local]"), result.local.length > 0);
  keep(shown.querySelector("[data-wwh=local] ul"), "data-signpost", result.local);
  show(shown.querySelector("[data-wwh=national]"), result.national.length > 0);
  keep(shown.querySelector("[data-wwh=national] ul"), "data-signpost", result.national);
  show(root.querySelector("[data-wwh-questions]"), false);
  shown.hidden = false;
  document.title = shown.dataset.title || document.title;
  const heading = shown.querySelector("h1");
  heading.setAttribute("tabindex", "-1");
  heading.focus();
  window.scrollTo(0, 0);
}

function answersOf(form) {
  const value = (name) => (form.querySelector(`input[name="${name}"]:checked`) || {}).value || "";
  return { situation: value("situation"), urgency: value("urgency"), age: value("age"), area: value("area") };
}

const root = document.querySelector("[data-wwh]");
if (root && root.dataset.wwhDecision) {
  const data = JSON.parse(root.dataset.wwhDecision);
  const form = root.querySelector("[data-wwh-questions] form");
  form.addEventListener("submit", (event) => {
    if (navigator.onLine) return; // the server decides, as ever
    const answers = answersOf(form);
    if (data.dangerSituations.includes(answers.situation) || data.dangerUrgencies.includes(answers.urgency)) {
      event.preventDefault();
      window.location.assign(root.dataset.helpNow);
      return;
    }
    event.preventDefault();
    const missing = root.querySelector("[data-wwh-missing]");
    if (!answers.situation || !answers.urgency || !answers.age || !answers.area) {
      missing.hidden = false;
      missing.setAttribute("tabindex", "-1");
      missing.focus();
      return;
    }
    missing.hidden = true;
    render(root, decide(data, answers));
  });
}
