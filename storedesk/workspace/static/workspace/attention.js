/* Attention (issue 8, point 10): the unread count in the tab title, a screen-reader live region
 * announcing new messages, and opt-in desktop notifications and sound for new conversations and
 * mentions. Preferences are per browser (localStorage); nothing is on until the agent turns it
 * on, and notifications also need the browser's permission. Strings come translated from
 * #attention-strings (workspace/shell.html). No dependencies.
 */
(function () {
  "use strict";
  if (window.storedeskAttention) return;
  var KEY_NOTIFY = "storedesk.notify";
  var KEY_SOUND = "storedesk.sound";
  var baseTitle = document.title;

  function strings() { return (document.getElementById("attention-strings") || {}).dataset || {}; }
  function fill(template, number) { return String(template || "").replace("%(number)s", number); }
  function pref(key) { try { return window.localStorage.getItem(key) === "1"; } catch (e) { return false; } }
  function setPref(key, on) { try { window.localStorage.setItem(key, on ? "1" : "0"); } catch (e) { /* */ } }

  // --- Unread count in the tab title -------------------------------------------------------
  function unread() { return document.querySelectorAll("#conversation-list .conv-row.is-unread").length; }
  function updateTitle() {
    var n = unread();
    var title = n > 0 ? "(" + n + ") " + baseTitle : baseTitle;
    if (document.title !== title) document.title = title;
  }
  var titleTimer = null;
  function scheduleTitle() { clearTimeout(titleTimer); titleTimer = setTimeout(updateTitle, 50); }

  // --- Live region ---------------------------------------------------------------------------
  function announce(text) {
    var region = document.getElementById("live-announcer");
    if (!region || !text) return;
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 30);
  }

  // --- Notifications and sound ---------------------------------------------------------------
  var audio = null;
  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audio = audio || new Ctx();
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.25);
    } catch (e) { /* no sound device */ }
  }
  function notify(text, number) {
    if (pref(KEY_SOUND)) beep();
    if (!pref(KEY_NOTIFY) || !("Notification" in window) || Notification.permission !== "granted") return;
    if (!document.hidden && document.hasFocus()) return; // the page itself shows it
    try {
      var n = new Notification("Storedesk", { body: text, tag: "storedesk-" + number });
      n.onclick = function () { window.focus(); window.location.assign("/conversations/" + number + "/"); };
    } catch (e) { /* notifications unavailable here */ }
  }

  document.addEventListener("storedesk:event", function (event) {
    var ev = event.detail || {};
    var conv = ev.conversation || {};
    var s = strings();
    if (ev.type === "message.created" && ev.message && ev.message.direction === "incoming") {
      var text = fill(s.newMessage, conv.display_id);
      announce(text);
      // Not in the list yet (list.js adds it after this): a conversation new to this agent.
      if (!document.getElementById("conv-row-" + conv.id)) {
        notify(fill(s.newConversation, conv.display_id), conv.display_id);
      }
    } else if (ev.type === "mention.created") {
      var mention = fill(s.mention, conv.display_id);
      announce(mention);
      notify(mention, conv.display_id);
    }
    scheduleTitle();
  });

  // --- The toggles ---------------------------------------------------------------------------
  function syncToggles() {
    document.querySelectorAll("[data-attention-toggle]").forEach(function (box) {
      var key = box.dataset.attentionToggle === "sound" ? KEY_SOUND : KEY_NOTIFY;
      box.checked = pref(key);
    });
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.attentionToggle) return;
    if (box.dataset.attentionToggle === "sound") {
      setPref(KEY_SOUND, box.checked);
      if (box.checked) beep();
      return;
    }
    if (!box.checked) { setPref(KEY_NOTIFY, false); return; }
    if (!("Notification" in window)) { box.checked = false; return; }
    Promise.resolve(Notification.requestPermission()).then(function (permission) {
      var granted = permission === "granted";
      setPref(KEY_NOTIFY, granted);
      box.checked = granted;
      if (!granted && window.storedeskToast) window.storedeskToast(strings().denied, "warning");
    });
  });

  function start() {
    baseTitle = document.title.replace(/^\(\d+\) /, "");
    syncToggles();
    updateTitle();
    var pane = document.getElementById("list-pane");
    if (pane && window.MutationObserver) {
      new MutationObserver(scheduleTitle).observe(pane, { subtree: true, childList: true,
        attributes: true, attributeFilter: ["class"] });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.storedeskAttention = { updateTitle: updateTitle, announce: announce };
})();
