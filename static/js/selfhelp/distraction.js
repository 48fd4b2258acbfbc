// "Try another" without reloading, so it also works offline. Without this script it is a link (?n=).
const box = document.querySelector("[data-ideas]");
if (box) {
  const text = box.querySelector("[data-idea-text]");
  const link = box.querySelector("[data-idea-next]");
  const ideas = [...document.querySelectorAll("[data-idea-list] li")].map((li) => li.textContent.trim());
  let n = Number(link.dataset.n) || 0;
  link.addEventListener("click", (event) => {
    if (!ideas.length) return;
    event.preventDefault();
    n = (n + 1) % ideas.length;
    text.textContent = ideas[n];
    const url = new URL(link.href);
    url.searchParams.set("n", String((n + 1) % ideas.length));
    link.href = url.pathname + url.search;
  });
}
