/* Storedesk agent UI helpers. No build step, no dependencies besides htmx.
 *
 *   window.storedeskToast(message, kind)         kind: "info" | "success" | "error" | "warning"
 *   window.storedeskShortcuts.register(key, fn, description)
 *       key: "j", "k", "r", "n", "c", "?", "Escape", "ctrl+Enter", "g i" (two-key sequence).
 *       Shortcuts are ignored while typing in a field, except ones with ctrl/meta/alt and Escape.
 *   window.storedeskConfirm(message) -> Promise<boolean>   (a <dialog>, not window.confirm)
 *   <form data-confirm="Really?"> / <button data-confirm="...">   confirm before submitting.
 *   Server -> browser: an `HX-Trigger: {"storedesk:toast": {"message": "...", "kind": "success"}}`
 *   response header shows a toast. htmx swaps 400/422 responses (forms with errors); other
 *   errors (403, 404, 429, 5xx) show a toast instead of being swapped.
 *   [data-toggle-sidebar] toggles the customer sidebar drawer on tablets; [data-close-sidebar],
 *   Esc, a click outside it or opening another conversation close it.
 */
(function () {
  "use strict";

  function uiString(name, fallback) {
    var el = document.getElementById("ui-strings");
    return (el && el.dataset[name]) || fallback;
  }

  // --- Toasts --------------------------------------------------------------------------------
  function toast(message, kind) {
    var box = document.getElementById("toasts");
    if (!box || !message) return;
    var el = document.createElement("div");
    el.className = "toast toast-" + (kind || "info");
    el.textContent = String(message);
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, kind === "error" ? 8000 : 4000);
  }
  window.storedeskToast = toast;

  // --- Mentions ------------------------------------------------------------------------------
  // The socket delivers mention.created only to the mentioned agent (realtime/access.py);
  // the notice links to the conversation. Text is set with textContent, never as HTML.
  document.addEventListener("storedesk:event", function (e) {
    var ev = e.detail || {};
    var box = document.getElementById("toasts");
    var template = document.body.dataset.mentionText;
    if (ev.type !== "mention.created" || !ev.conversation || !box || !template) return;
    var number = String(ev.conversation.display_id);
    var link = document.createElement("a");
    link.href = "/conversations/" + encodeURIComponent(number) + "/";
    link.textContent = template.replace("%(number)s", number);
    var el = document.createElement("div");
    el.className = "toast toast-info toast-mention";
    el.setAttribute("role", "status");
    el.appendChild(link);
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 15000);
  });

  // --- Confirm dialogs -----------------------------------------------------------------------
  function confirmDialog(message) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      return Promise.resolve(window.confirm(message));
    }
    dialog.querySelector(".confirm-message").textContent = message;
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        resolve(dialog.returnValue === "ok");
      });
      dialog.returnValue = "";
      dialog.showModal();
    });
  }
  window.storedeskConfirm = confirmDialog;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (!message || form.dataset.confirmed === "1") return;
    event.preventDefault();
    confirmDialog(message).then(function (ok) {
      if (!ok) return;
      form.dataset.confirmed = "1";
      if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
      setTimeout(function () { delete form.dataset.confirmed; }, 0);
    });
  }, true);

  // --- Keyboard shortcuts --------------------------------------------------------------------
  var registry = [];
  var pendingPrefix = null;
  var pendingTimer = null;

  function normalise(key) {
    return key.split(" ").map(function (part) {
      var bits = part.split("+");
      var base = bits.pop();
      var mods = bits.map(function (m) { return m.toLowerCase(); }).sort();
      return mods.concat([base.length === 1 ? base.toLowerCase() : base]).join("+");
    }).join(" ");
  }

  function eventKey(event) {
    var mods = [];
    if (event.altKey) mods.push("alt");
    if (event.ctrlKey) mods.push("ctrl");
    if (event.metaKey) mods.push("meta");
    var base = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (base === "?" || base === "/") { /* shift is implied by the character */ }
    else if (event.shiftKey && base.length > 1) mods.push("shift");
    return mods.sort().concat([base]).join("+");
  }

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  var shortcuts = {
    register: function (key, fn, description) {
      var k = normalise(key);
      registry = registry.filter(function (s) { return s.key !== k; });
      registry.push({ key: k, label: key, fn: fn, description: description || "" });
    },
    unregister: function (key) {
      var k = normalise(key);
      registry = registry.filter(function (s) { return s.key !== k; });
    },
    list: function () { return registry.slice(); },
    showHelp: showHelp,
  };
  window.storedeskShortcuts = shortcuts;

  function showHelp() {
    var overlay = document.getElementById("shortcuts-help");
    if (!overlay) return;
    var list = overlay.querySelector(".shortcut-list");
    list.textContent = "";
    registry.forEach(function (s) {
      var dt = document.createElement("dt");
      s.label.split(" ").forEach(function (part, i) {
        if (i) dt.appendChild(document.createTextNode(" "));
        var kbd = document.createElement("kbd");
        kbd.textContent = part;
        dt.appendChild(kbd);
      });
      var dd = document.createElement("dd");
      dd.textContent = s.description;
      list.appendChild(dt);
      list.appendChild(dd);
    });
    overlay.hidden = false;
  }
  function hideHelp() {
    var overlay = document.getElementById("shortcuts-help");
    if (overlay) overlay.hidden = true;
  }

  document.addEventListener("keydown", function (event) {
    var overlay = document.getElementById("shortcuts-help");
    if (event.key === "Escape" && overlay && !overlay.hidden) { hideHelp(); return; }
    var key = eventKey(event);
    var typing = isTyping(event.target);
    var hasModifier = event.ctrlKey || event.metaKey || event.altKey;
    if (typing && !hasModifier && key !== "Escape") return;
    var candidate = pendingPrefix ? pendingPrefix + " " + key : key;
    var match = registry.find(function (s) { return s.key === candidate; });
    if (!match && pendingPrefix) { candidate = key; match = registry.find(function (s) { return s.key === key; }); }
    clearTimeout(pendingTimer);
    pendingPrefix = null;
    if (match) {
      event.preventDefault();
      match.fn(event);
      return;
    }
    var isPrefix = registry.some(function (s) { return s.key.indexOf(candidate + " ") === 0; });
    if (isPrefix) {
      pendingPrefix = candidate;
      pendingTimer = setTimeout(function () { pendingPrefix = null; }, 1200);
    }
  });

  function registerDefaults() {
    shortcuts.register("?", showHelp, uiString("shortcutsHelp", "Show keyboard shortcuts"));
    var strings = document.getElementById("ui-strings");
    if (!strings) return;
    [["g i", "urlInbox", "goInbox"], ["g s", "urlSettings", "goSettings"],
     ["g p", "urlProfile", "goProfile"]].forEach(function (entry) {
      var url = strings.dataset[entry[1]];
      if (url) shortcuts.register(entry[0], function () { window.location.assign(url); },
                                  uiString(entry[2], entry[0]));
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", registerDefaults);
  else registerDefaults();
  document.addEventListener("click", function (event) {
    var t = event.target;
    if (!(t instanceof Element)) return;
    if (t.closest("[data-shortcuts-help]")) { showHelp(); return; }
    if (t.id === "shortcuts-help") { hideHelp(); return; }
    if (t.closest("[data-toggle-sidebar]")) { document.body.classList.toggle("show-sidebar"); return; }
    if (t.closest("[data-close-sidebar]")) { closeDrawer(true); return; }
    // A click outside the open drawer closes it (it must never hide the controls under it).
    var drawer = document.getElementById("sidebar-pane");
    if (document.body.classList.contains("show-sidebar") && drawer && !drawer.contains(t) &&
        getComputedStyle(drawer).position === "absolute") closeDrawer(false);
  });
  function closeDrawer(focusToggle) {
    if (!document.body.classList.contains("show-sidebar")) return false;
    document.body.classList.remove("show-sidebar");
    var toggle = document.querySelector("[data-toggle-sidebar]");
    if (focusToggle && toggle) toggle.focus();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && closeDrawer(true)) event.stopPropagation();
  }, true);
  // Opening another conversation closes the drawer.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "conversation-pane") closeDrawer(false);
  });

  // Selects that submit their form on change (no inline handlers: the CSP allows none).
  document.addEventListener("change", function (event) {
    var t = event.target;
    if (!(t instanceof HTMLSelectElement) || !t.hasAttribute("data-autosubmit") || !t.form) return;
    if (t.getAttribute("data-autosubmit") === "request") t.form.requestSubmit();
    else t.form.submit();
  });

  // --- htmx integration ----------------------------------------------------------------------
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 422) return;
    var message = uiString("requestFailed", "The request failed.");
    if (status === 404) message = uiString("notFound", message);
    else if (status === 403) message = uiString("forbidden", message);
    else if (status === 429) message = uiString("tooMany", message);
    else if (status === 413) message = uiString("tooLarge", message);
    toast(message, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast(uiString("offline", "The server cannot be reached."), "error");
  });
  document.addEventListener("storedesk:toast", function (event) {
    var d = event.detail || {};
    toast(d.message || d.value, d.kind);
  });

  function autohide() {
    document.querySelectorAll("#toasts [data-autohide]").forEach(function (el) {
      el.removeAttribute("data-autohide");
      setTimeout(function () { el.remove(); }, 5000);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autohide);
  else autohide();
})();
