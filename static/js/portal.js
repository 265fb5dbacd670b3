// Small progressive enhancements; every page works without this file.
"use strict";

// Copy buttons next to CLI blocks: <button data-copy="id-of-pre" hidden>.
function enableCopyButtons(root) {
  root.querySelectorAll("button[data-copy]").forEach((button) => {
    if (!navigator.clipboard) return;
    button.hidden = false;
    if (button.dataset.copyReady) return;
    button.dataset.copyReady = "1";
    const label = button.textContent;
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(source.innerText.trim());
        button.textContent = "Copied";
      } catch (error) {
        button.textContent = "Copy failed";
      }
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  });
}

document.addEventListener("DOMContentLoaded", () => enableCopyButtons(document));
document.addEventListener("htmx:afterSettle", (event) => enableCopyButtons(event.target));

// Search: a 400 (query too long, bad symptom id) carries a message in the results partial; show it
// instead of htmx's default of ignoring error responses.
document.addEventListener("htmx:beforeSwap", (event) => {
  const swapsErrors = ["search-results", "vote-form"];  // the article's vote form answers 400 with its messages
  if (event.detail.xhr.status === 400 && event.detail.target && swapsErrors.includes(event.detail.target.id)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Search: the results (count included) are swapped in whole, and a live region inserted with new content is not
// reliably announced; copy the new count into the persistent #search-live region so screen readers hear it.
// (Keyboard focus on a ticked symptom survives the swap by itself: htmx refocuses the element with the same id.)
document.addEventListener("htmx:afterSettle", (event) => {
  const live = document.getElementById("search-live");
  const status = document.getElementById("search-status");
  if (!live || !status || event.target.id !== "search-results") return;
  const text = status.textContent.replace(/\s+/g, " ").trim();
  live.textContent = "";  // the same count twice is announced again
  setTimeout(() => { live.textContent = text; }, 100);
});

// Ticket page: each action's confirmation lands in the #ticket-status live region (shown as a toast); it stays
// long enough to read, then the toast goes away (the timeline keeps the record).
let ticketStatusTimer = null;
document.addEventListener("htmx:oobBeforeSwap", (event) => {
  const status = event.detail.target;
  if (!status || status.id !== "ticket-status") return;
  // Said here rather than swapped, so that the same message twice ("linked already") is announced again: the
  // region is emptied, then given the text.
  const text = event.detail.fragment.textContent;
  event.detail.shouldSwap = false;
  status.textContent = "";
  clearTimeout(ticketStatusTimer);
  setTimeout(() => { status.textContent = text; }, 100);
  ticketStatusTimer = setTimeout(() => { status.textContent = ""; }, 8000);
});

// Ticket page: a button that goes away with its action (Unlink, a run's "Link KB-...") would drop keyboard focus to
// the page; its form names where focus goes instead (data-focus-after: the id of its section's heading).
// (htmx:afterRequest reaches the document even when the form itself was swapped away.)
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!form || !form.dataset || !form.dataset.focusAfter) return;
  if (document.activeElement && document.activeElement !== document.body && document.body.contains(document.activeElement)) return;
  const target = document.getElementById(form.dataset.focusAfter);
  if (target) target.focus({ preventScroll: true });
});

// Search: the symptom selector is a <details> inside the results that each query replaces; a reader who collapsed
// it keeps it collapsed (the server renders it open).
let symptomPanelOpen = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  const panel = document.getElementById("symptom-panel");
  if (panel && event.detail.target && event.detail.target.id === "search-results") symptomPanelOpen = panel.open;
});
document.addEventListener("htmx:afterSwap", () => {
  const panel = document.getElementById("symptom-panel");
  if (panel && symptomPanelOpen !== null) panel.open = symptomPanelOpen;
  symptomPanelOpen = null;
});
