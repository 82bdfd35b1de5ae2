// Small progressive enhancements; every page works without them.

// Buttons only browsers without JavaScript need (key result forms' "Update fields") hide.
document.documentElement.classList.add("js");

// objective: a text filter above every <select data-filterable> (parents, the objective a
// linked key result follows), also in what htmx adds later.
function addFilters(root) {
  for (const select of root.querySelectorAll("select[data-filterable]")) {
    if (select.previousElementSibling?.classList.contains("filter-input")) continue;
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
}
document.addEventListener("DOMContentLoaded", () => addFilters(document));
document.addEventListener("htmx:afterSettle", () => addFilters(document));

// Forms sent back with errors: the error summary at the top takes the focus, so that a screen
// reader reads it and Tab leads to its links (web/partials/_error_summary.html).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary[tabindex]");
  if (summary) summary.focus();
});

// Searchable pickers (pacer/web/pickers.py): typing in a picker's search box sends its form,
// with refresh (nothing saved), to the form's own action, and htmx swaps the picker's list.
// Enter in the box finds instead of submitting the form.
document.addEventListener("htmx:configRequest", (event) => {
  const search = event.detail.elt;
  if (search.matches?.("[data-picker-search]") && search.form) {
    event.detail.path = search.form.action;
  }
});
document.addEventListener("keydown", (event) => {
  const search = event.target;
  if (event.key !== "Enter" || !search.matches?.("[data-picker-search]")) return;
  event.preventDefault();
  search.dispatchEvent(new Event("search"));
});

// Comments (web/partials/objective/_comments.html): the @mention suggestions htmx puts under
// the text box. Arrow down from the box enters the list, arrows move, Enter or a click puts
// "@email " in place of the "@..." being typed, Escape returns to the box.
function mentionBox(list) {
  return document.querySelector(`[data-mentions="${list.id}"]`);
}
function chooseMention(option) {
  const list = option.closest(".mention-list");
  const box = mentionBox(list);
  box.value = box.value.replace(/@[^\s@]*(@[^\s@]*)?$/, `@${option.dataset.mention} `);
  list.replaceChildren();
  box.focus();
}
document.addEventListener("click", (event) => {
  const option = event.target.closest?.("[data-mention]");
  if (option) chooseMention(option);
});
document.addEventListener("keydown", (event) => {
  const box = event.target.closest?.("[data-mentions]");
  if (box) {
    const first = document.getElementById(box.dataset.mentions).querySelector("[role=option]");
    if (event.key === "ArrowDown" && first) {
      event.preventDefault();
      first.focus();
    } else if (event.key === "Escape") {
      document.getElementById(box.dataset.mentions).replaceChildren();
    }
    return;
  }
  const option = event.target.closest?.("[data-mention]");
  if (!option) return;
  const moves = { ArrowDown: option.nextElementSibling, ArrowUp: option.previousElementSibling };
  if (event.key in moves) {
    event.preventDefault();
    const back = event.key === "ArrowUp" ? mentionBox(option.closest(".mention-list")) : option;
    (moves[event.key] || back).focus();
  } else if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    chooseMention(option);
  } else if (event.key === "Escape") {
    mentionBox(option.closest(".mention-list")).focus();
  }
});

// The Work board: a card may be dragged onto another status's column with the mouse. The drop
// sets the card's own "Move to" select and sends its form, the same request the keyboard and
// the Move button make (cards the reader may not move have no form and are not draggable).
let draggedCard = null;
document.addEventListener("dragstart", (event) => {
  draggedCard = event.target.closest?.(".board-card[draggable='true']") || null;
  if (draggedCard) event.dataTransfer.setData("text/plain", draggedCard.id);
});
document.addEventListener("dragover", (event) => {
  if (draggedCard && event.target.closest?.(".board-column[data-status]")) event.preventDefault();
});
document.addEventListener("drop", (event) => {
  const column = event.target.closest?.(".board-column[data-status]");
  const form = draggedCard?.querySelector("form.board-move");
  draggedCard = null;
  if (!column || !form) return;
  event.preventDefault();
  const select = form.querySelector("select[name='status']");
  if (select.value === column.dataset.status) return;
  select.value = column.dataset.status;
  form.requestSubmit();
});
