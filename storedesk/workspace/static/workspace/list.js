/* Inbox list pane: live rows and counts, row selection. No build step; needs htmx. */
(function () {
  "use strict";
  if (window.storedeskList) return; // the pane may be swapped in many times
  var DEBOUNCE_MS = 60; // batches a burst of events; short, as it adds to the time a new row takes
  var pending = new Map(); // conversation id -> true when it may be new to the list
  var timer = null;

  function pane() { return document.getElementById("list-state"); }

  function rowUrl(root, id) {
    var base = root.dataset.rowUrl.replace(/0\/$/, id + "/");
    var query = root.dataset.listQuery;
    return query ? base + "?" + query : base;
  }

  function flush() {
    timer = null;
    var root = pane();
    if (!root || !window.htmx) { pending.clear(); return; }
    var list = document.getElementById("conversation-list");
    pending.forEach(function (isNew, id) {
      var row = document.getElementById("conv-row-" + id);
      if (row) {
        var checked = row.querySelector(".conv-select");
        var wasChecked = checked && checked.checked;
        htmx.ajax("GET", rowUrl(root, id), { target: row, swap: "outerHTML" }).then(function () {
          var fresh = document.getElementById("conv-row-" + id);
          var box = fresh && fresh.querySelector(".conv-select");
          if (box && wasChecked) box.checked = true;
          markActive();
        });
      } else if (isNew && list) {
        var empty = list.querySelector(".empty-list");
        htmx.ajax("GET", rowUrl(root, id), { target: list, swap: "afterbegin" }).then(function () {
          if (empty && document.getElementById("conv-row-" + id)) empty.remove();
          // a racing request may have added the same row twice: keep the first
          var dupes = list.querySelectorAll("#conv-row-" + id);
          for (var i = 1; i < dupes.length; i++) dupes[i].remove();
        });
      }
    });
    pending.clear();
    htmx.trigger(document.body, "storedesk:counts");
  }

  function onEvent(e) {
    var ev = e.detail || {};
    var conv = ev.conversation;
    if (!conv || !conv.id) return;
    if (ev.type !== "message.created" && ev.type !== "message.updated" &&
        ev.type !== "conversation.updated") return;
    var id = String(conv.id);
    pending.set(id, pending.get(id) || ev.type === "message.created");
    if (!timer) timer = setTimeout(flush, DEBOUNCE_MS);
  }

  function markActive() {
    var m = window.location.pathname.match(/^\/conversations\/(\d+)\//);
    document.querySelectorAll(".conv-row.is-active").forEach(function (r) { r.classList.remove("is-active"); });
    if (!m) return;
    document.querySelectorAll(".conv-link").forEach(function (a) {
      if (a.getAttribute("href") === m[0]) {
        var row = a.closest(".conv-row");
        row.classList.add("is-active");
        row.classList.remove("is-unread");
      }
    });
  }

  document.addEventListener("storedesk:event", onEvent);
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest(".conv-link");
    if (link) {
      var row = link.closest(".conv-row");
      row.classList.remove("is-unread");
      var dot = row.querySelector(".unread-dot");
      if (dot) dot.remove();
    }
  });
  // The bulk confirmation is for one selection and one action: any change withdraws it.
  function clearBulkConfirm() {
    var box = document.getElementById("bulk-confirm");
    if (box) box.textContent = "";
  }
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-bulk-cancel]")) {
      clearBulkConfirm();
      var apply = document.querySelector("[data-bulk-apply]");
      if (apply) apply.focus();
    }
  });
  document.addEventListener("change", function (e) {
    if (e.target.closest && e.target.closest("#bulk-form") && !e.target.closest("#bulk-confirm")) {
      clearBulkConfirm();
    }
    if (e.target.matches && e.target.matches("[data-select-all]")) {
      document.querySelectorAll("#conversation-list .conv-select").forEach(function (box) {
        box.checked = e.target.checked;
      });
    }
  });
  function markNav() {
    var state = pane();
    var nav = document.getElementById("view-nav");
    if (!state || !nav) return;
    var current = state.dataset.navCurrent;
    nav.setAttribute("hx-vals", JSON.stringify({ nav: current }));
    nav.querySelectorAll("a[data-nav]").forEach(function (a) {
      if (a.dataset.nav === current) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
  }

  // A counts refresh updates the numbers in place instead of replacing the nav, so a click or
  // focus on a nav link is never lost to a swap. A nav with other entries is swapped whole.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    if (!target || target.id !== "view-nav" || !e.detail.xhr || e.detail.xhr.status !== 200) return;
    var doc = new DOMParser().parseFromString(e.detail.serverResponse, "text/html");
    var fresh = doc.getElementById("view-nav");
    if (!fresh) return;
    var spans = fresh.querySelectorAll("[data-count]");
    if (spans.length !== target.querySelectorAll("[data-count]").length) return;
    for (var i = 0; i < spans.length; i++) {
      var mine = target.querySelector('[data-count="' + spans[i].dataset.count + '"]');
      if (!mine) return; // different entries: let htmx swap the nav
    }
    spans.forEach(function (span) {
      target.querySelector('[data-count="' + span.dataset.count + '"]').textContent = span.textContent;
    });
    e.detail.shouldSwap = false;
  });

  // --- Keyboard: j/k open the next/previous conversation (no click needed first), / searches,
  // x selects the open conversation's row for a bulk action. Labels come translated.
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#conversation-list .conv-row"));
  }
  function openRow(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.findIndex(function (r) { return r.classList.contains("is-active"); });
    var next = index === -1 ? (step > 0 ? 0 : list.length - 1) : index + step;
    if (next < 0 || next >= list.length) return;
    var link = list[next].querySelector(".conv-link");
    if (link) { link.click(); list[next].scrollIntoView({ block: "nearest" }); }
  }
  function selectActive() {
    var row = document.querySelector("#conversation-list .conv-row.is-active");
    var box = row && row.querySelector(".conv-select");
    if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); }
  }
  var shortcutsDone = false;
  function registerShortcuts() {
    var sc = window.storedeskShortcuts;
    if (!sc || shortcutsDone) return;
    shortcutsDone = true;
    var strings = document.getElementById("list-strings");
    function label(name, fallback) { return (strings && strings.dataset[name]) || fallback; }
    sc.register("j", function () { openRow(1); }, label("shortcutNext", "Next conversation"));
    sc.register("k", function () { openRow(-1); }, label("shortcutPrevious", "Previous conversation"));
    sc.register("/", function () {
      var q = document.getElementById("list-q");
      if (q) { q.focus(); q.select(); }
    }, label("shortcutSearch", "Search the list"));
    sc.register("x", selectActive, label("shortcutSelect", "Select the open conversation"));
  }
  // Esc in the search box hands the keys back to the shortcuts.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && e.target && e.target.id === "list-q") e.target.blur();
  });

  document.addEventListener("htmx:afterSettle", function () { markActive(); markNav(); registerShortcuts(); });
  window.addEventListener("popstate", markActive);
  document.addEventListener("DOMContentLoaded", function () { markActive(); registerShortcuts(); });
  if (document.readyState !== "loading") registerShortcuts();
  window.storedeskList = { refreshRow: function (id) { pending.set(String(id), false); flush(); } };
})();
