/* The conversation pane (UI-CONV). No dependencies besides htmx and, when present,
 * window.storedeskSocket (realtime/socket.js) and window.storedeskShortcuts (storedesk/app.js).
 *
 * - Live thread: "storedesk:event" message.created / message.updated for the open conversation
 *   re-fetch the thread; conversation.updated re-fetches the header. After a socket reconnect
 *   both are re-fetched (events may have been missed).
 * - Presence: announces "viewing" when a conversation opens, "typing" while the agent types
 *   (throttled), "left" when another conversation opens or the page goes away; shows
 *   "Olivia is viewing / typing…" from other agents' presence events.
 * - Composer: separate reply and note forms (own box, draft, button); Ctrl/Cmd+Enter sends the
 *   focused box's form, Esc and every send move focus out to the thread; drafts saved as typed.
 * - Shortcuts: r reply, n note, m macro picker, e resolve, s snooze, p priority, t tag,
 *   a assign to me (j/k and / are the list's, in list.js).
 * - Snooze presets (the browser names its zone); the macro picker (type to search, arrows,
 *   Enter; the conversation's language first).
 * Loaded by workspace/_conversation_pane.html; a second load only re-initialises the pane.
 */
(function () {
  "use strict";
  if (window.storedeskConversation) {
    window.storedeskConversation.init();
    return;
  }

  var TYPING_EVERY_MS = 3000;
  var TYPING_SHOWN_MS = 6000;
  var PRESENCE_STALE_MS = 75000;
  var REFRESH_DELAY_MS = 120;

  var current = null; // {id, displayId, threadUrl, headerUrl}
  var lastTypingSent = 0;
  var presence = {}; // agent id -> {name, state, at}
  var refreshTimers = {};

  function root() { return document.getElementById("conversation-root"); }
  function socket() { return window.storedeskSocket || null; }

  function announce(conversationId, state) {
    var s = socket();
    if (s && conversationId) {
      try { s.presence(conversationId, state); } catch (err) { /* socket not ready */ }
    }
  }

  // --- Opening and leaving a conversation ------------------------------------------------------
  function init() {
    var el = root();
    var id = el ? Number(el.dataset.conversationId) : null;
    if (current && current.id !== id) {
      announce(current.id, "left");
      presence = {};
    }
    if (!el) { current = null; return; }
    var opened = !current || current.id !== id;
    current = {
      id: id,
      displayId: el.dataset.displayId,
      threadUrl: el.dataset.threadUrl,
      headerUrl: el.dataset.headerUrl,
    };
    if (opened) {
      registerShortcuts();
      announce(id, "viewing");
      scrollThread(true);
      renderPresence();
    }
    syncComposer();
  }

  function scrollThread(force) {
    var thread = document.getElementById("thread");
    if (!thread) return;
    var nearBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 160;
    if (force || nearBottom) thread.scrollTop = thread.scrollHeight;
  }

  // --- Live updates ------------------------------------------------------------------------------
  var inflight = {};
  var again = {};

  function refresh(kind) {
    if (!current || !window.htmx) return;
    clearTimeout(refreshTimers[kind]);
    refreshTimers[kind] = setTimeout(function () { fetchPart(kind); }, REFRESH_DELAY_MS);
  }

  var threadStale = false;
  function threadBusy() {
    var thread = document.getElementById("thread");
    return !!(thread && thread.querySelector("details[open] form"));
  }
  function threadFree() {
    if (threadStale && !threadBusy()) { threadStale = false; refresh("thread"); }
  }
  // "toggle" does not bubble: listen in the capture phase for a form in the thread closing.
  document.addEventListener("toggle", function (event) {
    var thread = document.getElementById("thread");
    if (thread && event.target && thread.contains(event.target)) setTimeout(threadFree, 0);
  }, true);

  // One request per part at a time; an event arriving meanwhile triggers one more fetch after
  // it, so the last state always wins (htmx would drop a second request on the same element).
  function fetchPart(kind) {
    if (!current) return;
    if (inflight[kind]) { again[kind] = true; return; }
    var request;
    if (kind === "thread") {
      // Do not close a form the agent has open in the thread (a scheduled reply's edit form):
      // the re-fetch waits until it is closed or swapped (threadFree below).
      if (threadBusy()) { threadStale = true; return; }
      var thread = document.getElementById("thread");
      var stick = thread && thread.scrollHeight - thread.scrollTop - thread.clientHeight < 160;
      // `source` = the part itself: htmx serialises requests per source element, and with the
      // default (body) a thread and a header refresh would replace each other in its queue.
      request = window.htmx.ajax("GET", current.threadUrl,
        { source: "#thread", target: "#thread", swap: "outerHTML" })
        .then(function () { if (stick) scrollThread(true); });
    } else {
      var header = document.getElementById("conversation-header");
      // Do not yank a control out from under the agent's hands: wait until focus leaves.
      if (header && header.contains(document.activeElement) &&
          document.activeElement.tagName !== "BUTTON") {
        headerStale = true;
        return;
      }
      request = window.htmx.ajax("GET", current.headerUrl,
        { source: "#conversation-header", target: "#conversation-header", swap: "outerHTML" });
    }
    inflight[kind] = true;
    var done = function () {
      inflight[kind] = false;
      if (again[kind]) { again[kind] = false; fetchPart(kind); }
    };
    request.then(done, done);
  }

  // The open conversation counts as read while the agent looks at it: a customer message
  // arriving meanwhile is read too (the shopper's chat widget shows "Seen"), and so is one
  // that came while the tab was in the background, once the agent is back.
  var readStale = false;
  function markRead() {
    if (!current || !current.threadUrl) return;
    if (document.visibilityState !== "visible") { readStale = true; return; }
    readStale = false;
    // fetch, not htmx: htmx queues requests per element and would hold up a thread refresh
    fetch(current.threadUrl.replace(/thread\/$/, "read/"), { method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() } }).catch(function () { /* the next open marks it */ });
  }
  document.addEventListener("visibilitychange", function () {
    if (readStale && document.visibilityState === "visible") markRead();
  });

  var headerStale = false;
  document.addEventListener("focusout", function (event) {
    var header = document.getElementById("conversation-header");
    if (!headerStale || !header || !header.contains(event.target)) return;
    setTimeout(function () {
      if (headerStale && !header.contains(document.activeElement)) {
        headerStale = false;
        refresh("header");
      }
    }, 0);
  });

  document.addEventListener("storedesk:event", function (event) {
    var ev = event.detail || {};
    if (!current) return;
    if (ev.type === "presence") {
      if (Number(ev.conversation_id) !== current.id || !ev.agent) return;
      if (ev.state === "left") delete presence[ev.agent.id];
      else presence[ev.agent.id] = { name: ev.agent.name, state: ev.state, at: Date.now() };
      renderPresence();
      return;
    }
    if (ev.type === "visitor.typing") { // the shopper typing in the chat widget
      var box = document.getElementById("presence");
      if (!box || !ev.conversation || Number(ev.conversation.id) !== current.id) return;
      if (ev.state === "typing") presence.visitor = { name: box.dataset.shopper, state: "typing", at: Date.now() };
      else delete presence.visitor;
      renderPresence();
      return;
    }
    var conv = ev.conversation || {};
    if (Number(conv.id) !== current.id) return;
    if (ev.type === "message.created" && ev.message && ev.message.direction === "incoming") markRead();
    if (ev.type === "message.created" || ev.type === "message.updated") refresh("thread");
    if (ev.type === "conversation.updated") {
      // The agent's own change already re-rendered the header; a re-fetch racing with their
      // next click would swap the control out from under them. Re-fetch only when the header
      // shows something else than the event (someone else changed it).
      lastConversation = conv;
      if (headerBusy > 0) headerCheckPending = true; // decide once the agent's own change lands
      else if (!headerMatches(conv)) refresh("header");
      refresh("thread");
    }
  });

  // The agent's own header POSTs: the event they cause can arrive before their response does.
  var headerBusy = 0;
  var headerCheckPending = false;
  var lastConversation = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var d = event.detail || {};
    if (d.elt && d.elt.closest && d.elt.closest("#conversation-header") &&
        d.requestConfig && d.requestConfig.verb === "post") {
      d.xhr.storedeskHeaderPost = true;
      headerBusy += 1;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var d = event.detail || {};
    if (!d.xhr || !d.xhr.storedeskHeaderPost) return;
    d.xhr.storedeskHeaderPost = false;
    headerBusy = Math.max(0, headerBusy - 1);
    if (headerBusy === 0 && headerCheckPending) {
      headerCheckPending = false;
      // after the swap settles, compare with the latest event
      setTimeout(function () {
        if (lastConversation && !headerMatches(lastConversation)) refresh("header");
      }, 0);
    }
  });
  // A background re-fetch never replaces a control the agent is using.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var d = event.detail || {};
    // a background thread re-fetch that was already on its way when the agent opened a form
    if (d.target && d.target.id === "thread" && d.requestConfig &&
        d.requestConfig.verb === "get" && threadBusy()) {
      d.shouldSwap = false;
      threadStale = true;
      return;
    }
    if (!d.target || d.target.id !== "conversation-header") return;
    if (!d.requestConfig || d.requestConfig.verb !== "get") return;
    var active = document.activeElement;
    if (active && d.target.contains(active) && active.tagName !== "BUTTON") {
      d.shouldSwap = false;
      headerStale = true;
    }
  });

  function headerMatches(conv) {
    var header = document.getElementById("conversation-header");
    if (!header) return false;
    var shown = [header.dataset.status, header.dataset.priority, header.dataset.assigneeId || "",
      header.dataset.teamId || ""].join("|");
    var fresh = [conv.status, conv.priority, conv.assignee_id == null ? "" : String(conv.assignee_id),
      conv.team_id == null ? "" : String(conv.team_id)].join("|");
    return shown === fresh;
  }

  document.addEventListener("storedesk:socket", function (event) {
    var d = event.detail || {};
    if (d.state === "open" && d.reconnected && current) {
      refresh("thread");
      refresh("header");
    }
  });

  function renderPresence() {
    var box = document.getElementById("presence");
    if (!box) return;
    var now = Date.now();
    var viewing = [];
    var typing = [];
    Object.keys(presence).forEach(function (agentId) {
      var p = presence[agentId];
      if (now - p.at > PRESENCE_STALE_MS) { delete presence[agentId]; return; }
      if (agentId === "visitor" && now - p.at >= TYPING_SHOWN_MS) { delete presence.visitor; return; }
      if (p.state === "typing" && now - p.at < TYPING_SHOWN_MS) typing.push(p.name);
      else viewing.push(p.name);
    });
    var parts = [];
    if (typing.length) {
      parts.push((typing.length > 1 ? box.dataset.typingMany : box.dataset.typing)
        .replace("%(names)s", typing.join(", ")));
    }
    if (viewing.length) {
      parts.push((viewing.length > 1 ? box.dataset.viewingMany : box.dataset.viewing)
        .replace("%(names)s", viewing.join(", ")));
    }
    box.textContent = parts.join(" · ");
    box.hidden = parts.length === 0;
  }
  setInterval(renderPresence, 3000);

  window.addEventListener("pagehide", function () { if (current) announce(current.id, "left"); });

  // --- Composer ----------------------------------------------------------------------------------
  // Two forms, #reply-form and #note-form, each with its own text box, draft and send button.
  // The tabs only choose which one is shown; Ctrl+Enter sends the form of the focused box, so
  // text typed in the note box can only ever become a note.
  function composer() { return document.getElementById("composer"); }
  function textFor(mode) { return document.querySelector("[data-composer-text=" + mode + "]"); }

  function setMode(mode) {
    var box = composer();
    if (!box) return;
    box.dataset.mode = mode;
    box.querySelectorAll("[data-composer-tab]").forEach(function (tab) {
      tab.setAttribute("aria-selected", tab.dataset.composerTab === mode ? "true" : "false");
    });
    syncComposer();
  }

  function syncComposer() {
    checkVariables();
    filterMentions();
    armUndo();
  }

  function focusComposer(mode) {
    var box = composer();
    if (!box) return;
    if (mode === "reply" && box.querySelector("[data-send=reply][disabled]")) mode = "note";
    setMode(mode);
    var text = textFor(mode);
    if (text && !text.disabled) {
      text.focus();
      text.setSelectionRange(text.value.length, text.value.length);
    }
  }

  // Leave the composer: focus goes to the thread, so single-key shortcuts work again.
  function leaveComposer() {
    var thread = document.getElementById("thread");
    if (thread) thread.focus({ preventScroll: true });
    else if (document.activeElement) document.activeElement.blur();
  }

  function inComposer(el) {
    var box = composer();
    return !!(box && el && box.contains(el));
  }

  function send() {
    var text = document.activeElement;
    if (!text || !text.dataset || !text.dataset.composerText || !text.form) return;
    // A form htmx has just swapped in (a macro's preview) is wired up only when the swap
    // settles; a send pressed before that would submit it natively (a 405 page). process() is
    // idempotent, so wire it up now.
    if (window.htmx) window.htmx.process(text.form);
    var button = text.form.querySelector("[data-send]");
    if (button && !button.disabled) button.click();
  }

  // A macro variable without a value ({{order.number}}) blocks sending until it is filled in.
  var VARIABLE_RE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g;
  function checkVariables() {
    var text = textFor("reply");
    var form = document.getElementById("reply-form");
    if (!text || !form) return;
    var found = [];
    (text.value.match(VARIABLE_RE) || []).forEach(function (v) {
      var clean = v.replace(/\s+/g, "");
      if (found.indexOf(clean) === -1) found.push(clean);
    });
    var notice = form.querySelector("[data-missing-variables]");
    if (notice) {
      notice.hidden = found.length === 0;
      notice.textContent = found.length ? notice.dataset.template.replace("%(variables)s", found.join(", ")) : "";
    }
    text.setAttribute("aria-invalid", found.length ? "true" : "false");
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      if (b.dataset.closed === undefined) b.dataset.closed = b.disabled ? "1" : "0";
      b.disabled = b.dataset.closed === "1" || found.length > 0;
    });
  }

  // Drafts: saved on the server as the agent types (per conversation and mode).
  var DRAFT_DELAY_MS = 400;
  var draftTimers = {};
  function csrfToken() {
    var input = document.querySelector("#composer input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function saveDraft(text, beacon) {
    clearTimeout(draftTimers[text.dataset.composerText]);
    delete draftTimers[text.dataset.composerText];
    var body = new FormData();
    body.append("text", text.value);
    body.append("csrfmiddlewaretoken", csrfToken());
    if (beacon && navigator.sendBeacon) { navigator.sendBeacon(text.dataset.draftUrl, body); return; }
    fetch(text.dataset.draftUrl, { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() } }).catch(function () { /* kept locally meanwhile */ });
  }
  function scheduleDraft(text) {
    var mode = text.dataset.composerText;
    clearTimeout(draftTimers[mode]);
    draftTimers[mode] = setTimeout(function () { saveDraft(text); }, DRAFT_DELAY_MS);
  }
  function flushDrafts(beacon) {
    Object.keys(draftTimers).forEach(function (mode) {
      var text = textFor(mode);
      if (text) saveDraft(text, beacon); else clearTimeout(draftTimers[mode]);
    });
    draftTimers = {};
  }
  window.addEventListener("pagehide", function () { flushDrafts(true); });

  // Undo-send: the button goes away when the delivery's wait is over.
  function armUndo() {
    document.querySelectorAll("[data-undo-until]").forEach(function (el) {
      if (el.dataset.armed) return;
      el.dataset.armed = "1";
      var left = new Date(el.dataset.undoUntil).getTime() - Date.now();
      setTimeout(function () { el.remove(); }, Math.max(0, left));
    });
  }

  function mentionPrefix(text) {
    var before = text.value.slice(0, text.selectionStart);
    var match = before.match(/(^|\s)@([\w.+-]*)$/);
    return match ? match[2].toLowerCase() : null;
  }

  function filterMentions() {
    var text = textFor("note");
    var chips = document.querySelectorAll("[data-mention]");
    if (!text || !chips.length) return;
    var prefix = mentionPrefix(text);
    chips.forEach(function (chip) {
      chip.hidden = prefix !== null && prefix !== "" && chip.dataset.mention.toLowerCase().indexOf(prefix) !== 0;
    });
  }

  function insertMention(handle) {
    var text = textFor("note");
    if (!text) return;
    var start = text.selectionStart;
    var before = text.value.slice(0, start);
    var after = text.value.slice(text.selectionEnd);
    var partial = before.match(/(^|\s)@([\w.+-]*)$/);
    if (partial) before = before.slice(0, before.length - partial[2].length - 1);
    else if (before && !/\s$/.test(before)) before += " ";
    var insert = "@" + handle + " ";
    text.value = before + insert + after;
    var caret = (before + insert).length;
    text.focus();
    text.setSelectionRange(caret, caret);
    filterMentions();
    scheduleDraft(text);
  }

  document.addEventListener("click", function (event) {
    var t = event.target;
    if (!(t instanceof Element)) return;
    var tab = t.closest("[data-composer-tab]");
    if (tab) { focusComposer(tab.dataset.composerTab); return; }
    var chip = t.closest("[data-mention]");
    if (chip) { insertMention(chip.dataset.mention); return; }
    var suggested = t.closest("[data-macro-suggest]");
    if (suggested) {
      chooseMacro(suggested.closest("[data-macro-picker]"),
        { dataset: { macroId: suggested.dataset.macroSuggest } });
    }
  });

  document.addEventListener("input", function (event) {
    var t = event.target;
    if (!(t instanceof Element)) return;
    if (t.dataset.composerText) {
      if (t.dataset.composerText === "reply") checkVariables();
      else filterMentions();
      if (t.dataset.draftUrl) scheduleDraft(t);
      var now = Date.now();
      if (current && now - lastTypingSent > TYPING_EVERY_MS) {
        lastTypingSent = now;
        announce(current.id, "typing");
      }
    }
    if (t.matches("[data-snooze-input]")) {
      var form = t.closest("form");
      var offset = form.querySelector("[data-tz-offset]");
      var select = form.querySelector("select[name=status]");
      if (t.value) {
        if (offset) offset.value = String(new Date(t.value).getTimezoneOffset());
        if (select && select.querySelector("option[value=snoozed]")) select.value = "snoozed";
      }
    }
  });

  // Without storedeskShortcuts, Ctrl/Cmd+Enter and Esc are handled here.
  document.addEventListener("keydown", function (event) {
    if (window.storedeskShortcuts) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && inComposer(event.target)) {
      event.preventDefault();
      send();
    } else if (event.key === "Escape" && inComposer(event.target)) {
      leaveComposer();
    }
  });

  // A send (or a draft's form being replaced) never leaves the caret in the composer.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var d = event.detail || {};
    var form = d.elt && d.elt.closest && d.elt.closest("[data-composer-form]");
    if (form && d.requestConfig && d.requestConfig.verb === "post") {
      // This form's text is being sent: its pending draft save must not bring it back.
      clearTimeout(draftTimers[form.dataset.composerForm]);
      delete draftTimers[form.dataset.composerForm];
      // Focus leaves the box at once, not when the answer lands: a key pressed meanwhile
      // ("n" for a note) is a shortcut, never more text in the message just sent.
      if (inComposer(document.activeElement) && form.contains(document.activeElement)) {
        leaveComposer();
      }
    } else {
      flushDrafts(false);
    }
    if (current) nextAfterResolve = neighbourRow();
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var d = event.detail || {};
    var target = d.target;
    if (target && target.dataset && target.dataset.composerForm && d.requestConfig &&
        d.requestConfig.verb === "post" && d.xhr && d.xhr.status === 200) {
      // Unless the agent has already moved on (e.g. pressed n and is typing a note).
      var active = document.activeElement;
      if (!active || active === document.body ||
          (active.dataset && active.dataset.composerText === target.dataset.composerForm)) {
        leaveComposer();
      }
    }
  });

  // After resolving, open the next conversation of the list being shown.
  var nextAfterResolve = null;
  function neighbourRow() {
    var list = rows();
    for (var i = 0; i < list.length; i++) {
      if (current && Number(list[i].dataset.conversationId) === current.id) {
        return list[i + 1] ? list[i + 1].dataset.conversationId : (list[i - 1] ? list[i - 1].dataset.conversationId : null);
      }
    }
    return list.length ? list[0].dataset.conversationId : null;
  }
  document.addEventListener("storedesk:resolved", function () {
    var id = nextAfterResolve;
    nextAfterResolve = null;
    var row = id && document.querySelector("#conversation-list .conv-row[data-conversation-id='" + id + "']");
    if (!row || (current && Number(id) === current.id)) return;
    var link = row.querySelector(".conv-link");
    if (link) { link.click(); row.scrollIntoView({ block: "nearest" }); }
  });

  // --- Snooze presets ---------------------------------------------------------------------------
  // Presets are computed on the server in the agent's own zone, which the browser names.
  function zoneName() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (err) { return ""; }
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var p = event.detail && event.detail.parameters;
    if (!p) return;
    if (p instanceof FormData) { if (p.has("tz")) p.set("tz", zoneName()); }
    else if (Object.prototype.hasOwnProperty.call(p, "tz")) p.tz = zoneName();
  });
  document.addEventListener("click", function (event) {
    var t = event.target;
    if (!(t instanceof Element) || !t.closest("[data-snooze-custom]")) return;
    var select = document.getElementById("status-select");
    if (select && select.querySelector("option[value=snoozed]")) select.value = "snoozed";
    var input = document.querySelector("#conversation-root [data-snooze-input]");
    if (input) { input.focus(); if (input.showPicker) { try { input.showPicker(); } catch (err) { /* */ } } }
  });

  // --- Macro picker: type to search, the conversation's language first ---------------------------
  function fold(text) {
    return String(text || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[łŁ]/g, "l").replace(/[ıİ]/g, "i").replace(/[øØ]/g, "o").replace(/[đĐ]/g, "d")
      .replace(/ß/g, "ss").toLowerCase();
  }
  function picker() { return document.querySelector("#conversation-root [data-macro-picker]"); }
  function visibleOptions(box) {
    return Array.prototype.slice.call(box.querySelectorAll("[data-macro-id]"))
      .filter(function (o) { return !o.hidden; });
  }
  function highlight(box, option) {
    var input = box.querySelector("[data-macro-search]");
    box.querySelectorAll("[data-macro-id]").forEach(function (o) {
      o.setAttribute("aria-selected", o === option ? "true" : "false");
    });
    if (option) { input.setAttribute("aria-activedescendant", option.id); option.scrollIntoView({ block: "nearest" }); }
    else input.removeAttribute("aria-activedescendant");
  }
  function filterMacros(box) {
    var input = box.querySelector("[data-macro-search]");
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    box.querySelectorAll("[data-macro-id]").forEach(function (o) {
      var hay = o.dataset.search || "";
      o.hidden = !words.every(function (w) { return hay.indexOf(w) !== -1; });
      if (!o.hidden) shown += 1;
    });
    var none = box.querySelector("[data-macro-none]");
    if (none) none.hidden = shown > 0 || !box.querySelector("[data-macro-id]");
    highlight(box, visibleOptions(box)[0] || null);
  }
  function showMacros(box, open) {
    var list = box.querySelector(".macro-options");
    var input = box.querySelector("[data-macro-search]");
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) filterMacros(box);
  }
  function chooseMacro(box, option) {
    if (!option || !window.htmx) return;
    showMacros(box, false);
    var url = box.dataset.previewUrl + "?macro=" + encodeURIComponent(option.dataset.macroId);
    window.htmx.ajax("GET", url, { source: "#reply-form", target: "#reply-form", swap: "outerHTML" })
      .then(function () { focusComposer("reply"); checkVariables(); });
  }
  function openMacroPicker() {
    setMode("reply");
    var box = picker();
    if (!box) return;
    var input = box.querySelector("[data-macro-search]");
    input.focus();
    input.select();
    showMacros(box, true);
  }
  document.addEventListener("focusin", function (event) {
    var t = event.target;
    if (t instanceof Element && t.matches("[data-macro-search]")) showMacros(t.closest("[data-macro-picker]"), true);
  });
  document.addEventListener("focusout", function (event) {
    var t = event.target;
    if (!(t instanceof Element) || !t.matches("[data-macro-search]")) return;
    var box = t.closest("[data-macro-picker]");
    setTimeout(function () { if (box && !box.contains(document.activeElement)) showMacros(box, false); }, 150);
  });
  document.addEventListener("input", function (event) {
    var t = event.target;
    if (t instanceof Element && t.matches("[data-macro-search]")) {
      var box = t.closest("[data-macro-picker]");
      showMacros(box, true);
    }
  });
  document.addEventListener("keydown", function (event) {
    var t = event.target;
    if (!(t instanceof Element) || !t.matches("[data-macro-search]")) return;
    var box = t.closest("[data-macro-picker]");
    var options = visibleOptions(box);
    var at = options.indexOf(box.querySelector("[data-macro-id][aria-selected=true]"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      showMacros(box, true);
      options = visibleOptions(box);
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight(box, options[Math.max(0, Math.min(options.length - 1, at + step))] || null);
    } else if (event.key === "Enter") {
      event.preventDefault();
      chooseMacro(box, options[at] || options[0]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      showMacros(box, false);
      leaveComposer();
    }
  }, true);
  document.addEventListener("mousedown", function (event) {
    var t = event.target;
    var option = t instanceof Element && t.closest("[data-macro-id]");
    if (!option) return;
    event.preventDefault(); // keep focus in the search box until the macro is in
    chooseMacro(option.closest("[data-macro-picker]"), option);
  });

  // --- Keyboard shortcuts ------------------------------------------------------------------------
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#conversation-list .conv-row"));
  }

  function clickIn(selector) {
    var el = document.querySelector("#conversation-root " + selector);
    if (el) el.click();
  }

  function focusIn(selector) {
    var el = document.querySelector("#conversation-root " + selector);
    if (el) { el.focus(); if (el.scrollIntoView) el.scrollIntoView({ block: "nearest" }); }
  }

  // Descriptions for the "?" overlay come translated from the pane (#conversation-strings);
  // registering again when a pane opens replaces the English fallbacks.
  function registerShortcuts() {
    var sc = window.storedeskShortcuts;
    if (!sc) return;
    var strings = document.getElementById("conversation-strings");
    if (sc.__conversationRegistered && !strings) return;
    sc.__conversationRegistered = true;
    function label(name, fallback) { return (strings && strings.dataset[name]) || fallback; }
    sc.register("r", function () { if (current) focusComposer("reply"); }, label("shortcutReply", "Reply"));
    sc.register("n", function () { if (current) focusComposer("note"); }, label("shortcutNote", "Private note"));
    sc.register("m", function () { if (current) openMacroPicker(); }, label("shortcutMacro", "Insert a macro"));
    sc.register("e", function () { clickIn("[data-resolve]"); }, label("shortcutResolve", "Resolve the conversation"));
    sc.register("s", function () { focusIn("[data-snooze-preset]"); }, label("shortcutSnooze", "Snooze"));
    sc.register("p", function () { focusIn("#priority-select"); }, label("shortcutPriority", "Set the priority"));
    sc.register("t", function () { focusIn(".tag-add input[name=name]"); }, label("shortcutTag", "Add a tag"));
    sc.register("a", function () { clickIn("[data-assign-me]"); }, label("shortcutAssignMe", "Assign to me"));
    sc.register("ctrl+Enter", send, label("shortcutSend", "Send"));
    sc.register("meta+Enter", send, label("shortcutSend", "Send"));
    sc.register("Escape", function (event) {
      var t = event && event.target;
      var pane = root();
      // Any box of the conversation (composer, tag field, snooze time): back to the keys.
      if (inComposer(t) || (pane && t && t !== document.body && pane.contains(t))) leaveComposer();
    }, label("shortcutLeave", "Leave the text box"));
  }

  // --- htmx wiring -------------------------------------------------------------------------------
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "thread") scrollThread(false);
    if (target && target.id === "composer") scrollThread(true);
    threadFree();
    init();
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "thread") scrollThread(true);
  });

  window.storedeskConversation = {
    init: init,
    refresh: refresh,
    setMode: setMode,
    // For debugging and tests: what the live-update machinery is waiting for.
    state: function () {
      return { current: current, inflight: inflight, again: again, headerBusy: headerBusy,
        headerStale: headerStale, headerCheckPending: headerCheckPending };
    },
  };

  function start() { registerShortcuts(); init(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
