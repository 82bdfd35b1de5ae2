// Live regions (docs/live-pages.md): an element with data-live polls its own page every few
// seconds (hx-trigger="every Ns", set by {% live_region %}). It sends the ETag of what it shows
// and the server answers 304 Not Modified until something changed; a 304 leaves the region as
// it is (htmx would swap its empty body). The region holds still while the reader is in it:
// the focus inside, a form with unsent input, a request of its own in flight, or a hidden tab.

function liveRegion(event) {
  const elt = event.detail.elt;
  return elt instanceof Element && elt.hasAttribute("data-live") ? elt : null;
}

function readerIsInside(region) {
  return (
    document.hidden ||
    region.contains(document.activeElement) ||
    region.querySelector("form[data-live-edited], .htmx-request") !== null
  );
}

// A form someone typed into keeps its input: the region waits until it is sent (htmx then
// replaces the form with a fresh one) or the page is left.
document.addEventListener("input", (event) => {
  const form = event.target instanceof Element ? event.target.closest("form") : null;
  if (form) form.dataset.liveEdited = "1";
});

document.addEventListener("htmx:configRequest", (event) => {
  const region = liveRegion(event);
  if (!region) return;
  // The page as it is now: the cycle overview's filters push their URL into the history.
  event.detail.path = window.location.pathname + window.location.search;
  const etag = region.dataset.liveEtag;
  if (etag) event.detail.headers["If-None-Match"] = etag;
});

document.addEventListener("htmx:beforeRequest", (event) => {
  const region = liveRegion(event);
  if (region && (region.dataset.liveStopped || readerIsInside(region))) event.preventDefault();
});

document.addEventListener("htmx:beforeSwap", (event) => {
  const region = liveRegion(event);
  if (!region) return;
  const xhr = event.detail.xhr;
  const etag = xhr.getResponseHeader("ETag");
  if (xhr.status >= 400) {
    region.dataset.liveStopped = "1"; // hidden, gone or signed out: the next visit says why
    return;
  }
  // Only a live answer (it carries an ETag; a sign-in page after a redirect does not), and
  // not over what the reader began meanwhile: the next poll brings it again.
  if (xhr.status === 304 || !etag || readerIsInside(region)) {
    event.detail.shouldSwap = false;
    return;
  }
  region.dataset.liveEtag = etag;
});
