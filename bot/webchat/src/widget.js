/*
 * Wegwijzer web chat widget.
 *
 * Why our own widget: the Rasa widgets on npm are unmaintained and have no live region
 * (docs/webchat.md). This file is the whole widget: plain DOM code, no framework. The build
 * (bot/webchat/build.py) wraps it together with socket.io-client into static/wegwijzer.js, so the
 * variable `io` below is the bundled client and nothing is loaded from a CDN.
 *
 * Rules kept here on purpose:
 * - bot text is never parsed as HTML: text nodes only, links built from http(s) URLs;
 * - the message list is one role="log" polite live region; messages are appended, never
 *   re-rendered, so a screen reader announces only what is new;
 * - the transcript and session id live in sessionStorage (gone when the tab closes);
 *   preferences (larger text, read aloud) in localStorage;
 * - the session id is the server's (signed, bot/connectors/webchat_session.py): the widget sends back the
 *   one session_confirm gave it and stores whatever the server confirms. One session has one live socket,
 *   so when another tab with the same session (a duplicated tab) connects, the server disconnects this one;
 *   the next message sent here connects again and takes the conversation back.
 */
(function (io) {
  "use strict";

  var STORE_SESSION = "wegwijzer:session";
  var STORE_TRANSCRIPT = "wegwijzer:transcript";
  var STORE_OPEN = "wegwijzer:open";
  var STORE_PREFS = "wegwijzer:prefs";
  var MAX_TRANSCRIPT = 200;
  // A pasted e-mail ("Is dit bericht echt?") is longer than a question; the server cuts at 4096 as well.
  var MAX_MESSAGE_LENGTH = 4096;

  var DEFAULTS = {
    botUrl: "",
    socketPath: "/socket.io",
    title: "Wegwijzer",
    subtitle: "Digitale assistent van de bibliotheek",
    greeting:
      "Hallo! Ik ben Wegwijzer. Ik ben een digitale assistent, geen mens. " +
      "Stel uw vraag over DigiD, toeslagen, e-mail of uw telefoon. " +
      "Wilt u een medewerker spreken? Typ dan: medewerker.",
    launcherLabel: "Stel uw vraag",
    fallbackText:
      "Het lukt nu niet om te antwoorden. Probeer het later nog eens. " +
      "U kunt ook langskomen bij de bibliotheek.",
    initPayload: "",
    replyTimeoutMs: 20000,
    colorPrimary: "#0b5394",
    colorPrimaryText: "#ffffff",
  };

  /* ---------- configuration ---------- */

  function readConfig(script) {
    var config = {};
    var key;
    for (key in DEFAULTS) {
      if (Object.prototype.hasOwnProperty.call(DEFAULTS, key)) config[key] = DEFAULTS[key];
    }
    var fromWindow = window.WegwijzerConfig;
    if (fromWindow && typeof fromWindow === "object") {
      for (key in DEFAULTS) {
        if (Object.prototype.hasOwnProperty.call(fromWindow, key)) config[key] = fromWindow[key];
      }
    }
    if (script && script.dataset) {
      for (key in DEFAULTS) {
        if (script.dataset[key] !== undefined && script.dataset[key] !== "") {
          config[key] = script.dataset[key];
        }
      }
    }
    config.replyTimeoutMs = parseInt(config.replyTimeoutMs, 10) || DEFAULTS.replyTimeoutMs;
    if (!config.botUrl) {
      throw new Error("Wegwijzer: data-bot-url ontbreekt op de <script>-tag (bot URL, bijv. https://bot.example.nl)");
    }
    return config;
  }

  /* WCAG 1.4.3: the header text must keep 4.5:1 on the configured colour. */
  function luminance(hex) {
    var m = /^#?([0-9a-f]{6})$/i.exec(String(hex).trim());
    if (!m) return null;
    var n = parseInt(m[1], 16);
    var channels = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(function (c) {
      var s = c / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function contrast(a, b) {
    var la = luminance(a);
    var lb = luminance(b);
    if (la === null || lb === null) return 0;
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function safeColours(config) {
    var bg = config.colorPrimary;
    var fg = config.colorPrimaryText;
    // The primary colour is also used as text on white (links, user bubbles' border).
    if (contrast(bg, fg) >= 4.5 && contrast(bg, "#ffffff") >= 4.5) return { bg: bg, fg: fg };
    if (window.console) {
      console.warn("Wegwijzer: de gekozen kleuren halen geen contrast 4.5:1; de standaardkleuren worden gebruikt.");
    }
    return { bg: DEFAULTS.colorPrimary, fg: DEFAULTS.colorPrimaryText };
  }

  /* ---------- storage (never throws: private mode may forbid it) ---------- */

  function load(storage, key, fallback) {
    try {
      var raw = storage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }

  function save(storage, key, value) {
    try {
      storage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* storage full or disabled: the chat still works, it is just not kept */
    }
  }

  /* ---------- DOM helpers ---------- */

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var name in attrs) {
        if (Object.prototype.hasOwnProperty.call(attrs, name)) node.setAttribute(name, attrs[name]);
      }
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  var uid = 0;
  function nextId(prefix) {
    uid += 1;
    return "ww-" + prefix + "-" + uid;
  }

  function safeHref(raw) {
    try {
      var url = new URL(raw);
      if (url.protocol === "https:" || url.protocol === "http:") return url.href;
    } catch (e) {
      /* not a URL */
    }
    return null;
  }

  /* [label](https://...) or a bare http(s) URL; everything else stays text. */
  var LINK_PATTERN = /\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"']+)/g;

  function appendLine(parent, line) {
    var last = 0;
    var match;
    LINK_PATTERN.lastIndex = 0;
    while ((match = LINK_PATTERN.exec(line)) !== null) {
      var label = match[1];
      var rawUrl = match[2] || match[3];
      var trailing = "";
      if (!label) {
        var t = /[.,;:!?)]+$/.exec(rawUrl);
        if (t) {
          trailing = t[0];
          rawUrl = rawUrl.slice(0, -trailing.length);
        }
      }
      var href = safeHref(rawUrl);
      if (match.index > last) parent.appendChild(document.createTextNode(line.slice(last, match.index)));
      if (href) {
        var a = el("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, label || rawUrl);
        a.appendChild(el("span", { class: "ww-sr" }, " (opent in een nieuw venster)"));
        parent.appendChild(a);
      } else {
        parent.appendChild(document.createTextNode(match[0]));
      }
      if (trailing) parent.appendChild(document.createTextNode(trailing));
      last = match.index + match[0].length;
    }
    if (last < line.length) parent.appendChild(document.createTextNode(line.slice(last)));
  }

  function renderText(parent, text) {
    String(text).split("\n").forEach(function (line, i) {
      if (i > 0) parent.appendChild(el("br"));
      appendLine(parent, line);
    });
  }

  /* ---------- speech ---------- */

  function speechAvailable() {
    return typeof window.speechSynthesis !== "undefined" && typeof window.SpeechSynthesisUtterance !== "undefined";
  }

  function dutchVoice() {
    var voices = window.speechSynthesis.getVoices() || [];
    var nl = voices.filter(function (v) {
      return /^nl([-_]|$)/i.test(v.lang);
    });
    var nlNl = nl.filter(function (v) {
      return /^nl[-_]NL/i.test(v.lang);
    });
    return nlNl[0] || nl[0] || null;
  }

  function speak(text, interrupt) {
    if (!speechAvailable()) return;
    if (interrupt) window.speechSynthesis.cancel();
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "nl-NL";
    var voice = dutchVoice();
    if (voice) utterance.voice = voice;
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
  }

  /* ---------- the widget ---------- */

  function Widget(config, cssHref) {
    this.config = config;
    this.cssHref = cssHref;
    this.sessionId = load(window.sessionStorage, STORE_SESSION, null);
    this.transcript = load(window.sessionStorage, STORE_TRANSCRIPT, []);
    if (!Array.isArray(this.transcript)) this.transcript = [];
    this.prefs = load(window.localStorage, STORE_PREFS, { largeText: false, readAll: false });
    this.socket = null;
    this.confirmed = false;
    this.pending = [];
    this.replyTimer = null;
  }

  Widget.prototype.mount = function () {
    var c = this.config;
    var colours = safeColours(c);

    if (this.cssHref && !document.querySelector('link[data-wegwijzer="css"]')) {
      var link = el("link", { rel: "stylesheet", href: this.cssHref, "data-wegwijzer": "css" });
      document.head.appendChild(link);
    }

    var root = el("aside", { class: "ww-root", lang: "nl", "aria-label": "Chat met " + c.title });
    root.style.setProperty("--ww-primary", colours.bg);
    root.style.setProperty("--ww-primary-text", colours.fg);
    this.root = root;

    var panelId = nextId("panel");
    var titleId = nextId("title");
    var inputId = nextId("input");
    var hintId = nextId("hint");

    this.launcher = el("button", {
      type: "button",
      class: "ww-launcher",
      "aria-expanded": "false",
      "aria-controls": panelId,
    });
    this.launcher.appendChild(el("span", { class: "ww-launcher-icon", "aria-hidden": "true" }, "💬"));
    this.launcher.appendChild(el("span", null, c.launcherLabel));

    var panel = el("section", { id: panelId, class: "ww-panel", "aria-labelledby": titleId });
    panel.hidden = true;
    this.panel = panel;

    var header = el("div", { class: "ww-header" });
    var heading = el("h2", { id: titleId, class: "ww-title" }, c.title);
    var sub = el("p", { class: "ww-subtitle" }, c.subtitle);
    this.closeButton = el("button", { type: "button", class: "ww-close", "aria-label": "Sluit chat" });
    this.closeButton.appendChild(el("span", { "aria-hidden": "true" }, "✕"));
    var titleBox = el("div", { class: "ww-titlebox" });
    titleBox.appendChild(heading);
    titleBox.appendChild(sub);
    header.appendChild(titleBox);
    header.appendChild(this.closeButton);

    var tools = el("div", { class: "ww-tools", role: "group", "aria-label": "Instellingen" });
    this.largeButton = el("button", { type: "button", class: "ww-tool", "aria-pressed": "false" }, "Grotere letters");
    tools.appendChild(this.largeButton);
    if (speechAvailable()) {
      this.readAllButton = el("button", { type: "button", class: "ww-tool", "aria-pressed": "false" }, "Alles voorlezen");
      tools.appendChild(this.readAllButton);
    }

    this.log = el("div", {
      class: "ww-log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": "Gesprek met " + c.title,
      tabindex: "0",
    });

    this.typing = el("p", { class: "ww-typing" });
    this.typing.appendChild(el("span", null, c.title + " schrijft een antwoord"));
    this.typing.appendChild(el("span", { class: "ww-dots", "aria-hidden": "true" }, "…"));
    this.typing.hidden = true;

    this.status = el("p", { class: "ww-status", role: "status" });

    var form = el("form", { class: "ww-form", novalidate: "novalidate" });
    var label = el("label", { for: inputId, class: "ww-label" }, "Uw vraag");
    // A textarea, so a pasted message keeps its lines. Enter sends; Shift+Enter starts a new line.
    this.input = el("textarea", {
      id: inputId,
      rows: "2",
      class: "ww-input",
      autocomplete: "off",
      maxlength: String(MAX_MESSAGE_LENGTH),
      "aria-describedby": hintId,
    });
    var hint = el("p", { id: hintId, class: "ww-hint" }, "Typ geen BSN, wachtwoord of bankgegevens.");
    this.sendButton = el("button", { type: "submit", class: "ww-send" }, "Verstuur");
    var row = el("div", { class: "ww-row" });
    row.appendChild(this.input);
    row.appendChild(this.sendButton);
    form.appendChild(label);
    form.appendChild(row);
    form.appendChild(hint);
    this.form = form;

    panel.appendChild(header);
    panel.appendChild(tools);
    panel.appendChild(this.log);
    panel.appendChild(this.typing);
    panel.appendChild(this.status);
    panel.appendChild(form);
    root.appendChild(panel);
    root.appendChild(this.launcher);

    // History goes in before the log is attached, so nothing old is announced.
    this.restoreTranscript();
    this.applyPrefs();
    document.body.appendChild(root);
    this.bindEvents();

    if (load(window.sessionStorage, STORE_OPEN, false)) this.open(false);
  };

  Widget.prototype.bindEvents = function () {
    var self = this;
    this.launcher.addEventListener("click", function () {
      self.open(true);
    });
    this.closeButton.addEventListener("click", function () {
      self.close();
    });
    this.root.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && !self.panel.hidden) {
        event.preventDefault();
        self.close();
      }
    });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (typeof self.form.requestSubmit === "function") self.form.requestSubmit();
        else self.form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = self.input.value.trim();
      if (!text) {
        self.setStatus("Typ eerst uw vraag.");
        self.input.focus();
        return;
      }
      self.input.value = "";
      self.sendUser(text, text);
    });
    this.largeButton.addEventListener("click", function () {
      self.prefs.largeText = !self.prefs.largeText;
      save(window.localStorage, STORE_PREFS, self.prefs);
      self.applyPrefs();
    });
    if (this.readAllButton) {
      this.readAllButton.addEventListener("click", function () {
        self.prefs.readAll = !self.prefs.readAll;
        save(window.localStorage, STORE_PREFS, self.prefs);
        self.applyPrefs();
        if (!self.prefs.readAll) window.speechSynthesis.cancel();
      });
    }
  };

  Widget.prototype.applyPrefs = function () {
    this.root.classList.toggle("ww-large", !!this.prefs.largeText);
    this.largeButton.setAttribute("aria-pressed", this.prefs.largeText ? "true" : "false");
    if (this.readAllButton) {
      this.readAllButton.setAttribute("aria-pressed", this.prefs.readAll ? "true" : "false");
    }
  };

  Widget.prototype.open = function (moveFocus) {
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute("aria-expanded", "true");
    save(window.sessionStorage, STORE_OPEN, true);
    this.connect();
    if (this.transcript.length === 0) {
      this.addBot({ text: this.config.greeting }, true);
      if (this.config.initPayload) this.emitWhenReady(this.config.initPayload);
    }
    this.scrollToEnd();
    if (moveFocus) this.input.focus();
  };

  Widget.prototype.close = function () {
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    save(window.sessionStorage, STORE_OPEN, false);
    if (speechAvailable()) window.speechSynthesis.cancel();
    this.launcher.focus();
  };

  Widget.prototype.setStatus = function (text) {
    this.status.textContent = text;
  };

  /* ---------- socket ---------- */

  Widget.prototype.connect = function () {
    if (this.socket) return;
    var self = this;
    var socket = io(this.config.botUrl, {
      path: this.config.socketPath,
      transports: ["websocket"], // no long-polling: no sticky sessions needed (stack-facts a.3)
      reconnectionDelayMax: 10000,
    });
    this.socket = socket;
    socket.on("connect", function () {
      self.confirmed = false;
      socket.emit("session_request", { session_id: self.sessionId });
    });
    socket.on("session_confirm", function (data) {
      var id = typeof data === "string" ? data : data && data.session_id;
      if (!id) return;
      self.sessionId = id;
      self.confirmed = true;
      save(window.sessionStorage, STORE_SESSION, id);
      self.setStatus("");
      var queue = self.pending;
      self.pending = [];
      queue.forEach(function (message) {
        self.emitMessage(message);
      });
    });
    socket.on("bot_uttered", function (data) {
      self.onBot(data);
    });
    socket.on("connect_error", function () {
      self.setStatus("Geen verbinding met " + self.config.title + ". Wij proberen het opnieuw.");
    });
    socket.on("disconnect", function (reason) {
      self.confirmed = false;
      if (reason === "io server disconnect") {
        // The server does this only when another tab took over this conversation; socket.io does not retry.
        self.setStatus("Het gesprek gaat verder in een ander venster. Typt u hier, dan gaat het hier verder.");
      } else if (reason !== "io client disconnect") {
        self.setStatus("De verbinding is verbroken. Wij proberen het opnieuw.");
      }
    });
  };

  Widget.prototype.emitWhenReady = function (message) {
    if (this.confirmed) {
      this.emitMessage(message);
      return;
    }
    this.pending.push(message);
    // After a server disconnect socket.io stays offline; sending here takes the conversation back.
    if (this.socket && !this.socket.active) this.socket.connect();
  };

  Widget.prototype.emitMessage = function (message) {
    this.socket.emit("user_uttered", { message: message, session_id: this.sessionId });
  };

  Widget.prototype.sendUser = function (shown, payload) {
    this.addUser(shown);
    this.emitWhenReady(payload.slice(0, MAX_MESSAGE_LENGTH));
    this.showTyping();
  };

  Widget.prototype.showTyping = function () {
    var self = this;
    this.typing.hidden = false;
    window.clearTimeout(this.replyTimer);
    this.replyTimer = window.setTimeout(function () {
      self.hideTyping();
      self.addBot({ text: self.config.fallbackText }, false);
    }, this.config.replyTimeoutMs);
  };

  Widget.prototype.hideTyping = function () {
    this.typing.hidden = true;
    window.clearTimeout(this.replyTimer);
    this.replyTimer = null;
  };

  Widget.prototype.onBot = function (data) {
    if (!data || typeof data !== "object") return;
    var text = typeof data.text === "string" ? data.text : "";
    var replies = [];
    var raw = Array.isArray(data.quick_replies) ? data.quick_replies : Array.isArray(data.buttons) ? data.buttons : [];
    raw.forEach(function (r) {
      if (r && typeof r.title === "string" && typeof r.payload === "string") {
        replies.push({ title: r.title, payload: r.payload });
      }
    });
    if (!text && replies.length === 0) return; // shapes the bot does not use (images, templates)
    this.hideTyping();
    this.addBot({ text: text, replies: replies }, false);
  };

  /* ---------- transcript ---------- */

  Widget.prototype.record = function (entry) {
    this.transcript.push(entry);
    if (this.transcript.length > MAX_TRANSCRIPT) this.transcript = this.transcript.slice(-MAX_TRANSCRIPT);
    save(window.sessionStorage, STORE_TRANSCRIPT, this.transcript);
    return this.transcript.length - 1;
  };

  Widget.prototype.restoreTranscript = function () {
    var self = this;
    this.transcript.forEach(function (entry, index) {
      if (entry.from === "user") self.log.appendChild(self.userNode(entry.text));
      else self.log.appendChild(self.botNode(entry, index));
    });
  };

  Widget.prototype.addUser = function (text) {
    this.record({ from: "user", text: text });
    this.log.appendChild(this.userNode(text));
    this.scrollToEnd();
  };

  Widget.prototype.addBot = function (message, local) {
    var entry = { from: "bot", text: message.text || "", replies: message.replies || [] };
    if (local) entry.local = true;
    var index = this.record(entry);
    this.log.appendChild(this.botNode(entry, index));
    this.scrollToEnd();
    if (this.prefs.readAll && entry.text && !local) speak(entry.text, false);
  };

  Widget.prototype.userNode = function (text) {
    var node = el("div", { class: "ww-msg ww-user" });
    node.appendChild(el("span", { class: "ww-sr" }, "U: "));
    var body = el("p", { class: "ww-text" });
    body.textContent = text;
    node.appendChild(body);
    return node;
  };

  Widget.prototype.botNode = function (entry, index) {
    var self = this;
    var node = el("div", { class: "ww-msg ww-bot" });
    node.appendChild(el("span", { class: "ww-sr" }, this.config.title + ": "));
    if (entry.text) {
      var body = el("p", { class: "ww-text" });
      renderText(body, entry.text);
      node.appendChild(body);
    }
    if (entry.replies && entry.replies.length && !entry.used) {
      var group = el("div", { class: "ww-replies", role: "group" });
      var groupLabel = el("p", { class: "ww-replies-label", id: nextId("choices") }, "Kies een optie:");
      group.setAttribute("aria-labelledby", groupLabel.id);
      group.appendChild(groupLabel);
      entry.replies.forEach(function (reply) {
        var button = el("button", { type: "button", class: "ww-reply" }, reply.title);
        button.addEventListener("click", function () {
          entry.used = true;
          self.transcript[index] = entry;
          save(window.sessionStorage, STORE_TRANSCRIPT, self.transcript);
          group.remove();
          self.sendUser(reply.title, reply.payload);
          self.input.focus();
        });
        group.appendChild(button);
      });
      node.appendChild(group);
    }
    if (entry.text && speechAvailable()) {
      var speakButton = el("button", { type: "button", class: "ww-speak" });
      speakButton.appendChild(el("span", { "aria-hidden": "true" }, "🔊 "));
      speakButton.appendChild(el("span", null, "Lees voor"));
      speakButton.addEventListener("click", function () {
        speak(entry.text, true);
      });
      node.appendChild(speakButton);
    }
    return node;
  };

  Widget.prototype.scrollToEnd = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  /* ---------- start ---------- */

  function start() {
    var script = document.currentScript || document.querySelector("script[data-bot-url]");
    var config = readConfig(script);
    var cssHref = script && script.src ? new URL("wegwijzer.css", script.src).href : null;
    var widget = new Widget(config, cssHref);
    var run = function () {
      widget.mount();
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
    else run();
  }

  start();
})(io);
