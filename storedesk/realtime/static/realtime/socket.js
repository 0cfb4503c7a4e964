/*
 * Storedesk realtime client (no dependencies). Loaded on every workspace page for signed-in
 * agents: {% static 'realtime/socket.js' %}.
 *
 * Connection
 *   Opens ws(s)://<same host>/ws/agent/ with the session cookie. The server accepts only a
 *   signed-in agent with an active seat, and only when the Origin header matches the Host
 *   (or STOREDESK_CSRF_TRUSTED_ORIGINS). On loss it reconnects with exponential backoff
 *   (1 s doubling to 30 s, with jitter). Close codes 4401 (not signed in) and 4403 (no active
 *   seat) are final: no reconnect until the page is reloaded.
 *
 * Handshake
 *   Once the server has accepted the agent it sends {"type": "ready", "account_id",
 *   "agent": {"id": membership id, "name"}}; only then is the socket "open" (the fields are
 *   kept as storedeskSocket.accountId / .agent). A refused agent is accepted and at once
 *   closed with 4401/4403 and never gets "ready".
 *
 * Browser events dispatched on `document`
 *   "storedesk:socket"  detail = {state: "open"|"closed", reconnected: bool, code?: number}
 *       "closed" is sent once per lost connection, not for every failed retry.
 *       After an "open" with reconnected=true, events may have been missed while offline:
 *       re-fetch what is on screen (list, thread).
 *   "storedesk:event"   detail = one server event (below), exactly as the server sent it.
 *
 * Server -> browser events (JSON objects, always with "type")
 *   {"type": "message.created", "conversation": C, "message": M}   new message or private note
 *   {"type": "message.updated", "conversation": C, "message": M}   delivery status changed
 *   {"type": "conversation.updated", "conversation": C}             status/assignee/team/tags...
 *   {"type": "mention.created", "membership_id", "conversation": C, "message": M}
 *       sent only to the mentioned agent
 *   {"type": "contact.updated", "contact_id"}
 *   {"type": "presence", "conversation_id", "agent": {"id", "name"},
 *    "state": "viewing"|"typing"|"left"}
 *       another agent (never yourself) opened, is typing in, or left a conversation you can
 *       see. When you announce "viewing", agents already viewing answer with their own
 *       "viewing", so you learn who is there. Viewers repeat "viewing" every 30 s; a UI should
 *       drop a presence not refreshed for 75 s (a crashed server cannot send "left").
 *   C = {id, display_id, inbox_id, contact_id, status, priority, assignee_id (membership id),
 *        team_id, language, last_message_at}
 *   M = {id, conversation_id, direction, sender_type, private, text (first 500 chars),
 *        delivery_status, created_at}
 *   An agent receives only events of the account they work in; a light agent only events of
 *   conversations of their teams or assigned to them.
 *
 * Browser -> server
 *   {"type": "presence", "conversation_id": <conversation pk>, "state": "viewing"|"typing"|"left"}
 *   Send it through window.storedeskSocket.presence(conversationId, state); "typing" is
 *   throttled here to one message per 3 s. Ignored by the server for conversations the agent
 *   cannot see.
 *
 * API: window.storedeskSocket = {
 *   presence(conversationId, state),   // announce viewing/typing/left
 *   on(type, handler) -> unsubscribe,  // handler(event) for server events of one type ("*" = all)
 *   state,                             // "connecting" | "open" | "closed"
 *   agent, accountId,                  // from the server's "ready" (null before)
 *   close()                            // stop for good (tests, sign-out)
 * }
 */
(function () {
  "use strict";
  if (window.storedeskSocket) {
    return;
  }

  var PATH = "/ws/agent/";
  var MIN_DELAY_MS = 1000;
  var MAX_DELAY_MS = 30000;
  var HEARTBEAT_MS = 30000;
  var TYPING_THROTTLE_MS = 3000;
  var FINAL_CODES = { 4401: true, 4403: true };
  var STATES = { viewing: true, typing: true, left: true };

  var socket = null;
  var attempts = 0;
  var everOpened = false;
  var closedAnnounced = false; // one "closed" per lost connection, not one per failed retry
  var stopped = false;
  var retryTimer = null;
  var heartbeatTimer = null;
  var viewing = null; // conversation id this page shows, re-announced on reconnect + heartbeat
  var lastTyping = { id: null, at: 0 };

  var api = {
    state: "closed",
    agent: null,
    accountId: null,
    presence: presence,
    on: on,
    close: close,
  };
  window.storedeskSocket = api;

  function url() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return scheme + "//" + window.location.host + PATH;
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function setState(state, extra) {
    api.state = state;
    if (state === "connecting") {
      return;
    }
    var detail = { state: state, reconnected: state === "open" && everOpened };
    if (extra) {
      for (var key in extra) {
        detail[key] = extra[key];
      }
    }
    emit("storedesk:socket", detail);
  }

  function connect() {
    if (stopped) {
      return;
    }
    retryTimer = null;
    setState("connecting");
    try {
      socket = new WebSocket(url());
    } catch (err) {
      scheduleReconnect();
      return;
    }
    socket.onmessage = function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (err) {
        return;
      }
      if (!event || typeof event.type !== "string") {
        return;
      }
      if (event.type === "ready") {
        // The server accepted this agent: only now is the socket "open".
        attempts = 0;
        api.agent = event.agent;
        api.accountId = event.account_id;
        closedAnnounced = false;
        setState("open");
        everOpened = true;
        if (viewing !== null) {
          send({ type: "presence", conversation_id: viewing, state: "viewing" });
        }
        return;
      }
      emit("storedesk:event", event);
    };
    socket.onclose = function (closeEvent) {
      socket = null;
      if (!closedAnnounced || FINAL_CODES[closeEvent.code]) {
        closedAnnounced = true;
        setState("closed", { code: closeEvent.code });
      } else {
        api.state = "closed";
      }
      if (FINAL_CODES[closeEvent.code]) {
        stopped = true;
        return;
      }
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (stopped || retryTimer !== null) {
      return;
    }
    var base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * Math.pow(2, attempts));
    attempts += 1;
    var delay = base / 2 + Math.random() * (base / 2);
    retryTimer = window.setTimeout(connect, delay);
  }

  function send(payload) {
    if (socket !== null && socket.readyState === WebSocket.OPEN && api.state === "open") {
      socket.send(JSON.stringify(payload));
      return true;
    }
    return false;
  }

  function presence(conversationId, state) {
    var id = parseInt(conversationId, 10);
    if (!(id > 0) || !STATES[state]) {
      return false;
    }
    if (state === "typing") {
      var now = Date.now();
      if (lastTyping.id === id && now - lastTyping.at < TYPING_THROTTLE_MS) {
        return false;
      }
      lastTyping = { id: id, at: now };
      viewing = id;
    } else if (state === "viewing") {
      viewing = id;
      lastTyping = { id: null, at: 0 };
    } else if (viewing === id) {
      viewing = null;
    }
    return send({ type: "presence", conversation_id: id, state: state });
  }

  function on(type, handler) {
    function listener(domEvent) {
      if (type === "*" || domEvent.detail.type === type) {
        handler(domEvent.detail);
      }
    }
    document.addEventListener("storedesk:event", listener);
    return function () {
      document.removeEventListener("storedesk:event", listener);
    };
  }

  function close() {
    stopped = true;
    if (retryTimer !== null) {
      window.clearTimeout(retryTimer);
      retryTimer = null;
    }
    if (heartbeatTimer !== null) {
      window.clearInterval(heartbeatTimer);
      heartbeatTimer = null;
    }
    if (socket !== null) {
      socket.close(1000);
    }
  }

  heartbeatTimer = window.setInterval(function () {
    if (viewing !== null) {
      send({ type: "presence", conversation_id: viewing, state: "viewing" });
    } else {
      send({ type: "alive" }); // keeps "an agent is online" for the chat widget
    }
  }, HEARTBEAT_MS);

  window.addEventListener("online", function () {
    if (socket === null && !stopped) {
      if (retryTimer !== null) {
        window.clearTimeout(retryTimer);
        retryTimer = null;
      }
      attempts = 0;
      connect();
    }
  });

  connect();
})();
