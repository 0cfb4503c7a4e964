/* The composer's formatting (workspace/_format_toolbar.html). No dependencies.
 *
 * The boxes hold Markdown; the server renders it (core/formatting.py). Buttons and keys put
 * markers around the selection: Ctrl/Cmd+B **bold**, Ctrl/Cmd+I *italic*, Ctrl/Cmd+K
 * [link](https://), and "- " / "1. " before the selected lines. Pressing a key again on a
 * marked selection takes the markers off. Edits go through execCommand("insertText") where the
 * browser has it, so Ctrl+Z undoes them and the draft is saved like typing. "Preview" shows
 * the HTML the server will store (with the one signature a reply gets), and follows typing.
 * Loaded by workspace/_conversation_pane.html; a second load does nothing.
 */
(function () {
  "use strict";
  if (window.storedeskComposerFormat) {
    window.storedeskComposerFormat.register();
    return;
  }

  var PREVIEW_DELAY_MS = 300;
  var WRAP = { bold: "**", italic: "*" };

  function isBox(el) {
    return !!(el && el.tagName === "TEXTAREA" && el.dataset && el.dataset.composerText);
  }

  function replace(box, start, end, text, selectFrom, selectTo) {
    box.focus();
    box.setSelectionRange(start, end);
    var done = false;
    try { done = document.execCommand("insertText", false, text); } catch (err) { done = false; }
    if (!done || box.value.slice(start, start + text.length) !== text) {
      box.setRangeText(text, start, end, "end");
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
    box.setSelectionRange(selectFrom, selectTo);
  }

  function wrap(box, marker) {
    var start = box.selectionStart, end = box.selectionEnd, value = box.value;
    var selected = value.slice(start, end);
    var m = marker.length;
    // Already marked (inside or around the selection): take the markers off.
    if (selected.length >= 2 * m && selected.slice(0, m) === marker && selected.slice(-m) === marker &&
        !(marker === "*" && selected.slice(0, 2) === "**" && selected.slice(-2) === "**" && selected.length > 4 &&
          selected.slice(0, 3) !== "***")) {
      var inner = selected.slice(m, selected.length - m);
      replace(box, start, end, inner, start, start + inner.length);
      return;
    }
    if (start >= m && value.slice(start - m, start) === marker && value.slice(end, end + m) === marker &&
        !(marker === "*" && value.slice(start - 2, start) === "**" && value.slice(start - 3, start) !== "***")) {
      replace(box, start - m, end + m, selected, start - m, end - m);
      return;
    }
    // Markers hug the words: "**bold** " and not "** bold **" (that would not render).
    var lead = selected.match(/^\s*/)[0], trail = selected.match(/\s*$/)[0];
    var core = selected.slice(lead.length, selected.length - trail.length);
    var text = lead + marker + core + marker + trail;
    var from = start + lead.length + m;
    replace(box, start, end, text, from, from + core.length);
  }

  function link(box) {
    var start = box.selectionStart, end = box.selectionEnd;
    var selected = box.value.slice(start, end).trim();
    if (/^(https?:\/\/|mailto:)\S+$/i.test(selected)) {
      // A URL was selected: it becomes the target, the caret goes to the label.
      replace(box, start, end, "[](" + selected + ")", start + 1, start + 1);
      return;
    }
    var label = selected || "";
    var text = "[" + label + "](https://)";
    var urlFrom = start + label.length + 3;
    if (label) replace(box, start, end, text, urlFrom, urlFrom + "https://".length);
    else replace(box, start, end, text, start + 1, start + 1);
  }

  function listLines(box, numbered) {
    var value = box.value;
    var start = value.lastIndexOf("\n", box.selectionStart - 1) + 1;
    var endAt = value.indexOf("\n", box.selectionEnd);
    var end = endAt === -1 ? value.length : endAt;
    var lines = value.slice(start, end).split("\n");
    var pattern = numbered ? /^\d+[.)] / : /^[-*+] /;
    var marked = lines.every(function (line) { return !line.trim() || pattern.test(line); });
    var n = 0;
    var out = lines.map(function (line) {
      if (marked) return line.replace(pattern, "");
      if (!line.trim()) return line;
      n += 1;
      return (numbered ? n + ". " : "- ") + line.replace(/^([-*+]|\d+[.)]) /, "");
    }).join("\n");
    // A list needs a blank line (or the start) above it to be a list.
    var before = value.slice(0, start);
    if (!marked && before && !/\n\s*\n$/.test(before) && !/^\s*([-*+]|\d+[.)]) /.test(
      before.slice(before.lastIndexOf("\n", before.length - 2) + 1))) {
      out = "\n" + out;
    }
    replace(box, start, end, out, start + out.length, start + out.length);
  }

  function apply(box, what) {
    if (!isBox(box) || box.disabled) return;
    if (WRAP[what]) wrap(box, WRAP[what]);
    else if (what === "link") link(box);
    else if (what === "bullets") listLines(box, false);
    else if (what === "numbers") listLines(box, true);
  }

  // --- Keys: Ctrl/Cmd + B, I, K in a composer box ---------------------------------------------
  var KEYS = { b: "bold", i: "italic", k: "link" };
  document.addEventListener("keydown", function (event) {
    if (!isBox(event.target) || event.altKey || event.shiftKey) return;
    if (!(event.ctrlKey || event.metaKey)) return;
    var what = KEYS[(event.key || "").toLowerCase()];
    if (!what) return;
    event.preventDefault();
    event.stopPropagation();
    apply(event.target, what);
  }, true);

  // --- Buttons -------------------------------------------------------------------------------
  document.addEventListener("mousedown", function (event) {
    // Keep the selection in the box while a formatting button is pressed.
    var t = event.target;
    if (t instanceof Element && t.closest("[data-format]")) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var t = event.target;
    if (!(t instanceof Element)) return;
    var button = t.closest("[data-format]");
    if (button) {
      var bar = button.closest("[data-format-bar]");
      apply(bar && document.getElementById(bar.dataset.formatBar), button.dataset.format);
      return;
    }
    var toggle = t.closest("[data-format-preview]");
    if (toggle) togglePreview(toggle);
  });

  // --- Preview -------------------------------------------------------------------------------
  var previewTimers = {};

  function previewParts(toggle) {
    var bar = toggle.closest("[data-format-bar]");
    var id = bar.dataset.formatBar;
    return {
      toggle: toggle, box: document.getElementById(id),
      pane: document.querySelector("[data-preview-for='" + id + "']"),
    };
  }

  function renderPreview(parts) {
    var form = parts.box && parts.box.form;
    if (!form || !parts.pane) return;
    var body = new FormData();
    body.append("text", parts.box.value);
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (csrf) body.append("csrfmiddlewaretoken", csrf.value);
    var signature = form.querySelector("input[name=signature]");
    if (signature && signature.checked) body.append("signature", "on");
    fetch(parts.toggle.dataset.formatPreview, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
    }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
      // The server's answer is sanitised HTML (nh3), rendered from the box's Markdown.
      parts.pane.innerHTML = html;
    }).catch(function () { /* offline: the preview stays as it was */ });
  }

  function togglePreview(toggle) {
    var parts = previewParts(toggle);
    if (!parts.pane) return;
    var show = parts.pane.hidden;
    parts.pane.hidden = !show;
    toggle.setAttribute("aria-pressed", show ? "true" : "false");
    if (show) renderPreview(parts);
  }

  function refreshPreview(box) {
    var pane = document.querySelector("[data-preview-for='" + box.id + "']");
    if (!pane || pane.hidden) return;
    var bar = document.querySelector("[data-format-bar='" + box.id + "']");
    var toggle = bar && bar.querySelector("[data-format-preview]");
    if (!toggle) return;
    clearTimeout(previewTimers[box.id]);
    previewTimers[box.id] = setTimeout(function () { renderPreview(previewParts(toggle)); }, PREVIEW_DELAY_MS);
  }

  document.addEventListener("input", function (event) {
    if (isBox(event.target)) refreshPreview(event.target);
  });
  document.addEventListener("change", function (event) {
    var t = event.target;
    if (t instanceof Element && t.matches("input[name=signature]")) {
      var box = t.form && t.form.querySelector("[data-composer-text]");
      if (box) refreshPreview(box);
    }
  });

  // The "?" overlay lists the keys (descriptions translated by the pane).
  function register() {
    var sc = window.storedeskShortcuts;
    var strings = document.getElementById("conversation-strings");
    if (!sc || !strings) return;
    var noop = function () { /* handled in the box by the listener above */ };
    sc.register("ctrl+b", noop, strings.dataset.shortcutBold || "Bold");
    sc.register("ctrl+i", noop, strings.dataset.shortcutItalic || "Italic");
    sc.register("ctrl+k", noop, strings.dataset.shortcutLink || "Link");
  }

  window.storedeskComposerFormat = { apply: apply, register: register };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", register);
  else register();
})();
