// Small progressive enhancements; every page works without them.

// objective: a text filter above every <select multiple data-filterable> (e.g. parents).
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[multiple][data-filterable]")) {
    const filter = document.createElement("input");
    filter.type = "search";
    filter.className = "filter-input";
    filter.placeholder = "Type to filter…";
    filter.setAttribute("aria-label", "Filter the list below");
    filter.setAttribute("aria-controls", select.id);
    filter.addEventListener("input", () => {
      const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      for (const option of select.options) {
        const text = option.textContent.toLowerCase();
        option.hidden = !option.selected && !words.every((w) => text.includes(w));
      }
    });
    select.before(filter);
  }
});

// Forms sent back with errors: the error summary at the top takes the focus, so that a screen
// reader reads it and Tab leads to its links (web/partials/_error_summary.html).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary[tabindex]");
  if (summary) summary.focus();
});
