/* Follow-ups in the conversation view: times shown in the agent's own zone, the edit form's
 * "send at" filled in local time, and a default "send later" time (tomorrow 09:00). */
(function () {
  "use strict";
  if (window.storedeskFollowups) { window.storedeskFollowups(document); return; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function localValue(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }
  function apply(root) {
    root.querySelectorAll("[data-local-time]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (!isNaN(d)) el.textContent = d.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    });
    root.querySelectorAll("input[data-local-value]").forEach(function (el) {
      var d = new Date(el.getAttribute("data-local-value"));
      if (!isNaN(d)) el.value = localValue(d);
      el.removeAttribute("data-local-value");
    });
    root.querySelectorAll("input[data-send-later-at]").forEach(function (el) {
      if (el.value) return;
      var d = new Date(); d.setDate(d.getDate() + 1); d.setHours(9, 0, 0, 0);
      el.value = localValue(d);
    });
  }
  window.storedeskFollowups = apply;
  document.addEventListener("htmx:load", function (e) { apply(e.detail && e.detail.elt || document); });
  apply(document);
})();
