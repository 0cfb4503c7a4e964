/* Storedesk chat widget: <script src="https://HOST/widget.js" data-inbox="KEY" async></script>
 *
 * One dependency-free Web Component, <storedesk-chat>, with an open shadow root exposing the
 * parts launcher, panel, input, send and message (one per message). Everything from the server
 * or the visitor is drawn with textContent: no HTML is ever interpreted. The visitor token and
 * the last message id seen (the catch-up cursor) are kept in localStorage per inbox.
 *
 * Identity: data-customer-id / data-customer-email / data-customer-name and
 * data-customer-signature (hex HMAC-SHA256 of the id, or of the email without an id, under the
 * inbox secret, computed by the store's backend). window.StoredeskChat.reset() forgets the
 * visitor (call it when the shopper signs out).
 */
(function () {
  "use strict";
  if (window.customElements.get("storedesk-chat")) return;
  var script = document.currentScript || document.querySelector("script[data-inbox]");
  var BASE = script ? new URL(script.src, location.href).origin : location.origin;
  var PING_MS = 60000; // "still here" for the reply-by-email decision; uvicorn pings the socket itself

  var STYLE = [
    ":host{all:initial;position:fixed;bottom:20px;z-index:2147483000;font:14px/1.4 system-ui,sans-serif;color:#1f2328}",
    ":host([data-position=right]){right:20px}:host([data-position=left]){left:20px}",
    "[part=launcher]{width:56px;height:56px;border-radius:50%;border:0;background:var(--sd-color);color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);display:inline-flex;align-items:center;justify-content:center;padding:0}",
    "[part=launcher]:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible{outline:3px solid #111;outline-offset:2px}",
    "[part=panel]{position:absolute;bottom:70px;width:min(360px,calc(100vw - 40px));height:min(540px,calc(100vh - 110px));background:#fff;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden}",
    ":host([data-position=right]) [part=panel]{right:0}:host([data-position=left]) [part=panel]{left:0}",
    "[hidden]{display:none!important}",
    "header{background:var(--sd-color);color:#fff;padding:12px 14px;display:flex;align-items:center;gap:10px}",
    "header img{width:32px;height:32px;border-radius:50%}header h2{font-size:16px;margin:0;flex:1}",
    "header button{background:none;border:0;color:#fff;cursor:pointer;display:inline-flex;padding:4px}",
    "svg{display:block;flex:none}a.file{display:inline-flex;align-items:center;gap:4px}",
    ".note{padding:8px 14px;background:#fff8e6;font-size:13px}",
    ".log{flex:1;overflow-y:auto;padding:12px;margin:0;list-style:none;display:flex;flex-direction:column;gap:6px}",
    "[part=message]{max-width:80%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word;background:#f0f1f3}",
    "[part=message][data-mine]{align-self:flex-end;background:var(--sd-color);color:#fff}",
    "[part=message][data-pending]{opacity:.6}",
    "[part=message] small{display:block;font-size:11px;opacity:.75}",
    "[part=message] small.seen{text-align:right;margin-top:2px}",
    "[part=message] a{color:inherit}",
    ".typing{padding:0 14px 6px;font-size:12px;color:#555;min-height:16px}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #e5e7eb;align-items:flex-end}",
    "form.stack{flex-direction:column;align-items:stretch}",
    "textarea,input{font:inherit;border:1px solid #c9ced6;border-radius:8px;padding:7px;flex:1;min-width:0}",
    "textarea{resize:none;height:38px;max-height:120px}",
    "button.primary{background:var(--sd-color);color:#fff;border:0;border-radius:8px;padding:8px 12px;cursor:pointer}",
    "button.icon{background:none;border:1px solid #c9ced6;border-radius:8px;padding:9px;cursor:pointer;color:#444;display:inline-flex}",
    ".help{padding:10px 12px;border-bottom:1px solid #e5e7eb}.help ul{margin:6px 0 0;padding-left:18px}",
    ".orders{padding:8px 12px;border-bottom:1px solid #e5e7eb;font-size:13px}.orders ul{margin:4px 0 0;padding-left:18px}",
    ".err{color:#b42318;font-size:12px;padding:0 12px}"
  ].join("");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }
  // Icons are inline SVG (drawn with currentColor): emoji need an emoji font, which many
  // systems (headless browsers, some Linux desktops) lack and show as empty boxes. Each icon is
  // aria-hidden; its button carries the label.
  var ICONS = {
    chat: "M4 5h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H10l-5 4v-4H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zM8 10h8M8 13h5",
    attach: "M20 11.5l-8.3 8.3a5 5 0 0 1-7-7L13 4.5a3.3 3.3 0 0 1 4.7 4.7l-8.3 8.3a1.7 1.7 0 0 1-2.4-2.4L14.5 7.6",
    close: "M6 6l12 12M18 6L6 18"
  };
  function icon(name, size) {
    var NS = "http://www.w3.org/2000/svg", svg = document.createElementNS(NS, "svg"), path = document.createElementNS(NS, "path");
    var attrs = { viewBox: "0 0 24 24", width: size, height: size, fill: "none", stroke: "currentColor", "stroke-width": "2",
      "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true", focusable: "false", "data-icon": name };
    for (var k in attrs) svg.setAttribute(k, attrs[k]);
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }
  function withIcon(node, name, size) { node.appendChild(icon(name, size)); return node; }
  function uid() {
    var a = new Uint8Array(12);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  class StoredeskChat extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      this.key = this.getAttribute("inbox") || "";
      this.store = "storedesk-chat:" + this.key;
      this.state = this._load();
      this.seen = {};
      this.queue = [];
      this.retry = 0;
      this.attachShadow({ mode: "open" });
      this._start();
    }
    disconnectedCallback() {
      this._stopped = true;
      if (this._ws) this._ws.close(1000);
      clearInterval(this._ping);
    }
    _load() {
      try { return JSON.parse(localStorage.getItem(this.store)) || {}; } catch (e) { return {}; }
    }
    _save() {
      try { localStorage.setItem(this.store, JSON.stringify(this.state)); } catch (e) { /* private mode */ }
    }
    _api(path, options) {
      options = options || {};
      // The key goes in the URL: a CORS preflight carries the URL but no custom headers.
      var headers = Object.assign({}, options.headers || {});
      if (this.state.token) headers.Authorization = "Bearer " + this.state.token;
      var url = BASE + "/widget/api/" + path + (path.indexOf("?") < 0 ? "?" : "&") + "key=" + encodeURIComponent(this.key);
      return fetch(url, Object.assign({}, options, { headers: headers, credentials: "omit" }))
        .then(function (r) {
          return r.json().catch(function () { return {}; }).then(function (body) {
            if (!r.ok) { var e = new Error(body.detail || r.status); e.code = body.code; e.status = r.status; throw e; }
            return body;
          });
        });
    }
    _start() {
      var self = this, a = function (n) { return self.getAttribute("customer-" + n) || ""; };
      var languages = this.getAttribute("lang") ? [this.getAttribute("lang")] : (navigator.languages || [navigator.language]);
      return this._api("session", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token: this.state.token || "", languages: languages,
          customer: { id: a("id"), email: a("email"), name: a("name"), signature: a("signature") } })
      }).then(function (s) {
        self.state.token = s.token;
        self._save();
        self.session = s;
        self.t = s.texts;
        if (!self.ui) self._draw();
        self._merge(s.messages);
        self._connect();
      }).catch(function (e) {
        if (self.ui) { setTimeout(function () { self._start(); }, 5000); return; }
        console.warn("storedesk-chat:", e.message); // refused origin or unknown inbox: stay invisible
      });
    }

    // --- drawing -------------------------------------------------------------------------
    _draw() {
      var s = this.session, t = this.t, self = this, root = this.shadowRoot;
      this.setAttribute("data-position", s.settings.position);
      this.style.setProperty("--sd-color", s.settings.color);
      var style = el("style", {}, STYLE);
      root.appendChild(style);
      var launcher = withIcon(el("button", { part: "launcher", type: "button", "aria-label": t.open, title: t.open, "aria-expanded": "false" }), "chat", "28");
      var panel = el("section", { part: "panel", role: "dialog", "aria-label": t.title, hidden: "" });
      var header = el("header");
      if (s.settings.avatar_url) header.appendChild(el("img", { src: s.settings.avatar_url, alt: "" }));
      header.appendChild(el("h2", {}, t.title));
      var close = withIcon(el("button", { type: "button", "aria-label": t.close, title: t.close }), "close", "20");
      header.appendChild(close);
      panel.appendChild(header);
      var away = el("div", { class: "note", role: "status", hidden: "" });
      panel.appendChild(away);
      var emailForm = el("form", { class: "stack", hidden: "" });
      emailForm.appendChild(el("label", {}, t.email_prompt));
      var emailInput = el("input", { type: "email", required: "", placeholder: t.email_placeholder, "aria-label": t.email });
      emailForm.appendChild(emailInput);
      emailForm.appendChild(el("button", { class: "primary", type: "submit" }, t.send));
      panel.appendChild(emailForm);
      var orders = el("div", { class: "orders", hidden: "" });
      panel.appendChild(orders);
      var help = el("div", { class: "help", hidden: "" });
      var search = el("input", { type: "search", placeholder: t.search_placeholder, "aria-label": t.search_placeholder });
      var results = el("ul", { "aria-label": t.search_title });
      help.appendChild(search);
      help.appendChild(results);
      panel.appendChild(help);
      var log = el("ol", { class: "log", role: "log", "aria-live": "polite", "aria-label": t.title });
      panel.appendChild(log);
      var typing = el("div", { class: "typing", "aria-live": "polite" });
      panel.appendChild(typing);
      var error = el("div", { class: "err", role: "alert" });
      panel.appendChild(error);
      var prechat = el("form", { class: "stack", hidden: "" });
      prechat.appendChild(el("p", {}, t.prechat_intro));
      var pname = el("input", { required: "", maxlength: "100", placeholder: t.name, "aria-label": t.name });
      var pemail = el("input", { type: "email", required: "", placeholder: t.email_placeholder, "aria-label": t.email });
      prechat.appendChild(pname);
      prechat.appendChild(pemail);
      prechat.appendChild(el("button", { class: "primary", type: "submit" }, t.start));
      panel.appendChild(prechat);
      var composer = el("form", {});
      var file = el("input", { type: "file", hidden: "", accept: "image/*,application/pdf,text/plain" });
      var attach = withIcon(el("button", { class: "icon", type: "button", "aria-label": t.attach, title: t.attach }), "attach", "18");
      var input = el("textarea", { part: "input", rows: "1", maxlength: String(s.settings.max_chars), placeholder: t.placeholder, "aria-label": t.placeholder });
      var send = el("button", { part: "send", class: "primary", type: "submit" }, t.send);
      composer.appendChild(file);
      composer.appendChild(attach);
      composer.appendChild(input);
      composer.appendChild(send);
      panel.appendChild(composer);
      root.appendChild(panel);
      root.appendChild(launcher);
      this.ui = { launcher: launcher, panel: panel, log: log, typing: typing, error: error, input: input,
        composer: composer, prechat: prechat, away: away, emailForm: emailForm, help: help, results: results, orders: orders };

      launcher.addEventListener("click", function () { self.toggle(); });
      close.addEventListener("click", function () { self.toggle(false); launcher.focus(); });
      panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { self.toggle(false); launcher.focus(); } });
      composer.addEventListener("submit", function (e) { e.preventDefault(); self._send(input.value); });
      input.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); self._send(input.value); }
      });
      input.addEventListener("input", function () { self._typing(); });
      attach.addEventListener("click", function () { file.click(); });
      file.addEventListener("change", function () { if (file.files[0]) self._upload(file.files[0]); file.value = ""; });
      prechat.addEventListener("submit", function (e) {
        e.preventDefault();
        self.state.name = pname.value.trim();
        self.state.email = pemail.value.trim();
        self._save();
        self._layout();
        input.focus();
      });
      emailForm.addEventListener("submit", function (e) {
        e.preventDefault();
        self._api("email", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email: emailInput.value }) })
          .then(function (r) { self.state.left_email = true; self._save(); self._add(r.message); self._layout(); })
          .catch(function (err) { self._error(err); });
      });
      var timer = null;
      search.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { self._search(search.value); }, 250);
      });
      document.addEventListener("visibilitychange", function () { self._readAll(); });
      if (s.visitor.verified) this._orders();
      this._layout();
      if (this.state.open) this.toggle(true);
    }
    _layout() {
      var s = this.session, ui = this.ui, t = this.t, hasMessages = ui.log.children.length > 0;
      var needPrechat = s.settings.prechat_form && !s.visitor.verified && !hasMessages && !this.state.name;
      ui.prechat.hidden = !needPrechat;
      ui.composer.hidden = needPrechat;
      ui.help.hidden = !s.settings.help_search || hasMessages;
      var a = s.availability;
      ui.away.hidden = a.online;
      if (!a.online) {
        var when = "";
        if (a.back_at) {
          try { when = new Intl.DateTimeFormat(s.language, { weekday: "long", hour: "numeric", minute: "2-digit" }).format(new Date(a.back_at)); } catch (e) { when = a.back_at; }
        }
        ui.away.textContent = t.away + (when ? " " + t.away_until.replace("{when}", when) : "");
      }
      ui.emailForm.hidden = a.online || s.visitor.verified || !!this.state.left_email || !!this.state.email;
      if (!ui.log.children.length && !ui.log.dataset.greeted) {
        ui.log.dataset.greeted = "1";
        this._bubble({ id: "greeting", text: t.greeting, sender_type: "bot", sender_name: "" });
      }
    }
    toggle(open) {
      if (!this.ui) return;
      open = open === undefined ? this.ui.panel.hidden : open;
      this.ui.panel.hidden = !open;
      this.ui.launcher.setAttribute("aria-expanded", String(open));
      this.state.open = open;
      this._save();
      if (open) { (this.ui.prechat.hidden ? this.ui.input : this.ui.prechat.querySelector("input")).focus(); this._readAll(); this._scroll(); }
    }
    _bubble(m, pending) {
      var li = el("li", { part: "message", "data-sender": m.sender_type });
      if (m.sender_type === "contact") li.setAttribute("data-mine", "");
      if (pending) li.setAttribute("data-pending", "");
      if (m.sender_name) li.appendChild(el("small", {}, m.sender_name));
      li.appendChild(document.createTextNode(m.text || ""));
      var self = this;
      (m.attachments || []).forEach(function (a) {
        var link = withIcon(el("a", { href: "#", download: a.filename, class: "file" }), "attach", "14");
        link.appendChild(document.createTextNode(a.filename));
        link.addEventListener("click", function (e) { e.preventDefault(); self._download(a); });
        li.appendChild(el("br"));
        li.appendChild(link);
      });
      this.ui.log.appendChild(li);
      this._scroll();
      return li;
    }
    _scroll() { this.ui.log.scrollTop = this.ui.log.scrollHeight; }
    _error(err) {
      var code = err && err.code;
      this.ui.error.textContent = (code && this.t[code]) || (err && err.message) || "";
      var box = this.ui.error;
      setTimeout(function () { box.textContent = ""; }, 6000);
    }

    // --- messages --------------------------------------------------------------------------
    _merge(list) { for (var i = 0; i < (list || []).length; i++) this._add(list[i]); }
    _add(m) {
      if (!m || this.seen[m.id]) return;
      this.seen[m.id] = true;
      var pending = this.ui.log.querySelector("[data-client='" + CSS.escape(String(m.client_id || "-")) + "']");
      if (pending) pending.remove();
      var li = this._bubble(m, false);
      li.setAttribute("data-id", m.id);
      if (!this.state.cursor || m.id > this.state.cursor) { this.state.cursor = m.id; this._save(); }
      if (m.sender_type !== "contact" && m.id > (this.state.read || 0)) {
        this.ui.typing.textContent = "";
        // One receipt per reply drawn: "read" says "delivered" too (one write, not two).
        if (this._visible()) this._receipt(m.id, "read");
        else { this._receipt(m.id, "delivered"); (this.unread = this.unread || []).push(m.id); }
      } else if (m.sender_type === "contact") {
        this._seen();
      }
      this._layout();
    }
    _seen(id) {
      // "Seen" under the visitor's newest message an agent has read (one marker, moved on).
      if (typeof id === "number" && id > (this.seenId || 0)) this.seenId = id;
      if (!this.ui || !this.seenId) return;
      var mine = this.ui.log.querySelectorAll("[part=message][data-mine][data-id]"), target = null;
      for (var i = 0; i < mine.length; i++) {
        if (Number(mine[i].getAttribute("data-id")) <= this.seenId) target = mine[i];
      }
      var old = this.ui.log.querySelector(".seen");
      if (old && old.parentNode === target) return;
      if (old) old.remove();
      if (target) target.appendChild(el("small", { class: "seen", part: "seen" }, this.t.seen));
    }
    _visible() { return this.ui && !this.ui.panel.hidden && document.visibilityState === "visible"; }
    _readAll() {
      if (!this._visible()) return;
      var ids = this.unread || [];
      this.unread = [];
      for (var i = 0; i < ids.length; i++) this._receipt(ids[i], "read");
    }
    _receipt(id, status) {
      // Kept (in localStorage) until the server answers "receipted": sent again on every
      // connect, so a receipt is never lost to a closed socket or a reload.
      var r = this.state.receipts = this.state.receipts || {};
      if (r[id] !== "read") r[id] = status;
      var ids = Object.keys(r);
      if (ids.length > 50) {
        ids.sort(function (a, b) { return a - b; });
        for (var i = 0; i < ids.length - 50; i++) delete r[ids[i]];
      }
      if (status === "read" && id > (this.state.read || 0)) this.state.read = id;
      this._save();
      this._frame({ type: "receipt", id: id, status: status });
    }
    _resendReceipts() {
      var r = this.state.receipts || {};
      for (var id in r) this._frame({ type: "receipt", id: Number(id), status: r[id] });
    }
    _receipted(data) {
      var r = this.state.receipts || {};
      if (r[data.id] && (r[data.id] === data.status || data.status === "read" || !data.ok)) {
        delete r[data.id];
        this._save();
      }
    }
    _send(text) {
      text = (text || "").trim();
      if (!text) return;
      if (text.length > this.session.settings.max_chars) { this._error({ code: "too_long" }); return; }
      var clientId = uid();
      var li = this._bubble({ text: text, sender_type: "contact" }, true);
      li.setAttribute("data-client", clientId);
      this.ui.input.value = "";
      var frame = { type: "message", client_id: clientId, text: text, page: location.href };
      if (this.state.name) frame.name = this.state.name;
      if (this.state.email) frame.email = this.state.email;
      this.queue.push(frame);
      this._flush();
    }
    _flush() {
      if (!this._open()) return;
      for (var i = 0; i < this.queue.length; i++) this._ws.send(JSON.stringify(this.queue[i]));
    }
    _typing() {
      var now = Date.now();
      if (now - (this._typedAt || 0) > 3000) { this._typedAt = now; this._frame({ type: "typing" }); }
    }
    _upload(file) {
      var self = this;
      if (file.size > this.session.settings.max_upload_bytes) { this._error({ code: "too_large" }); return; }
      var body = new FormData();
      body.append("file", file);
      body.append("client_id", uid());
      this._api("uploads", { method: "POST", body: body })
        .then(function (r) { self._add(r.message); })
        .catch(function (e) { self._error(e); });
    }
    _download(a) {
      var self = this;
      fetch(BASE + "/widget/api/attachments/" + a.id + "?key=" + encodeURIComponent(this.key), { headers: { Authorization: "Bearer " + this.state.token }, credentials: "omit" })
        .then(function (r) { return r.blob(); })
        .then(function (blob) {
          var url = URL.createObjectURL(blob), link = el("a", { href: url, download: a.filename });
          self.shadowRoot.appendChild(link); link.click(); link.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        });
    }
    _search(q) {
      var self = this, ui = this.ui;
      if (!q.trim()) { ui.results.textContent = ""; return; }
      this._api("articles?lang=" + encodeURIComponent(this.session.language) + "&q=" + encodeURIComponent(q), {})
        .then(function (r) {
          ui.results.textContent = "";
          if (!r.articles.length) ui.results.appendChild(el("li", {}, self.t.no_results));
          r.articles.forEach(function (a) {
            var li = el("li"), link = el("a", { href: new URL(a.url, BASE).href, target: "_blank", rel: "noopener" }, a.title);
            li.appendChild(link);
            li.appendChild(el("div", {}, a.snippet));
            ui.results.appendChild(li);
          });
        }).catch(function (e) { self._error(e); });
    }
    _orders() {
      var self = this;
      this._api("orders", {}).then(function (r) {
        if (!r.orders.length) return;
        var box = self.ui.orders, list = el("ul");
        box.textContent = "";
        box.appendChild(el("strong", {}, self.t.orders));
        r.orders.forEach(function (o) { list.appendChild(el("li", {}, "#" + o.number + " · " + o.status + " · " + o.total + " " + o.currency)); });
        box.appendChild(list);
        box.hidden = false;
      }).catch(function () {});
    }

    // --- the socket --------------------------------------------------------------------------
    _open() { return this._ws && this._ws.readyState === 1 && this._ready; }
    _frame(payload) { if (this._open()) this._ws.send(JSON.stringify(payload)); }
    _connect() {
      if (this._stopped) return;
      var self = this, url = BASE.replace(/^http/, "ws") + "/ws/widget/?key=" + encodeURIComponent(this.key) +
        "&token=" + encodeURIComponent(this.state.token) + (this.state.cursor ? "&after=" + this.state.cursor : "");
      var ws = new WebSocket(url);
      this._ws = ws;
      this._ready = false;
      ws.onmessage = function (e) {
        var data;
        try { data = JSON.parse(e.data); } catch (err) { return; }
        if (data.type === "ready") {
          self._ready = true;
          self.retry = 0;
          self._merge(data.messages);
          self._flush();
          self._resendReceipts();
          self._seen(data.seen);
          self.dispatchEvent(new CustomEvent("storedesk:ready"));
        } else if (data.type === "message") {
          self._add(data.message);
        } else if (data.type === "ack") {
          self.queue = self.queue.filter(function (f) { return f.client_id !== data.client_id; });
          var mine = self.ui.log.querySelector("[data-client='" + CSS.escape(String(data.client_id)) + "']");
          if (mine) mine.remove();
          if (self.seen[data.message.id]) return;
          self._add(data.message);
        } else if (data.type === "error") {
          self.queue = self.queue.filter(function (f) { return f.client_id !== data.client_id; });
          var stale = self.ui.log.querySelector("[data-client='" + CSS.escape(String(data.client_id || "-")) + "']");
          if (stale) stale.remove();
          self._error(data);
        } else if (data.type === "seen") {
          self._seen(data.id);
        } else if (data.type === "receipted") {
          self._receipted(data);
        } else if (data.type === "typing") {
          self.ui.typing.textContent = data.typing ? self.t.typing.replace("{name}", data.name) : "";
        }
      };
      ws.onclose = function (e) {
        self._ready = false;
        if (self._stopped || e.code === 4403) return;
        if (e.code === 4401) { self.state.token = ""; self._save(); self._start(); return; }
        self.retry = Math.min(self.retry + 1, 6);
        setTimeout(function () { self._connect(); }, 500 * Math.pow(2, self.retry - 1));
      };
      clearInterval(this._ping);
      this._ping = setInterval(function () { self._frame({ type: "ping" }); self._resendReceipts(); }, PING_MS);
    }
  }

  window.customElements.define("storedesk-chat", StoredeskChat);
  window.StoredeskChat = {
    reset: function () {
      document.querySelectorAll("storedesk-chat").forEach(function (node) {
        try { localStorage.removeItem(node.store); } catch (e) { /* ignore */ }
        node.remove();
      });
      mount();
    }
  };
  function mount() {
    if (!script || !script.getAttribute("data-inbox") || document.querySelector("storedesk-chat")) return;
    var node = document.createElement("storedesk-chat");
    node.setAttribute("inbox", script.getAttribute("data-inbox"));
    ["id", "email", "name", "signature"].forEach(function (n) {
      var v = script.getAttribute("data-customer-" + n);
      if (v) node.setAttribute("customer-" + n, v);
    });
    if (script.getAttribute("data-lang")) node.setAttribute("lang", script.getAttribute("data-lang"));
    document.body.appendChild(node);
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
