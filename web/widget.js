/*! clinicbot chat widget: one <script> tag, no dependencies, CSP-friendly (no inline code or styles). */
(function () {
  "use strict";
  if (window.clinicbot) return;
  var script = document.currentScript;
  if (!script) return;

  var data = script.dataset;
  var api = (data.api || new URL(script.src).origin).replace(/\/+$/, "");
  var config = {
    title: data.title || "Ask our clinic",
    greeting: data.greeting || "Hi! I can answer questions from our clinic's articles. What would you like to know?",
    starters: (data.starters || "Does dry needling hurt?|How do I book an appointment?|What causes recurring back pain?")
      .split("|").map(function (s) { return s.trim(); }).filter(Boolean).slice(0, 4),
    position: data.position === "left" ? "left" : "right",
    accent: data.accent || ""
  };
  var STORE = "clinicbot:" + api;
  var TIMEOUT_MS = 15000;
  var state = load();
  var phone = state.phone || "";

  // ---- DOM helpers: text only, never innerHTML of data ----
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  var ICONS = {  // 24×24 outline paths, drawn with the text colour
    chat: "M4 4h16v11H8l-4 4z",
    up: "M7 10v10H4V10zm3 10h7.5a2 2 0 0 0 2-1.6l1.3-6A2 2 0 0 0 18.8 10H14l.8-4a1.8 1.8 0 0 0-3.3-1.2L10 9z",
    down: "M7 14V4H4v10zm3-10h7.5a2 2 0 0 1 2 1.6l1.3 6a2 2 0 0 1-2 2.4H14l.8 4a1.8 1.8 0 0 1-3.3 1.2L10 15z"
  };
  function icon(name) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "cb-icon");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }
  function safeUrl(value) {
    try {
      var url = new URL(value, api);
      return /^(https?:|tel:)$/.test(url.protocol) ? url.href : null;
    } catch (e) { return null; }
  }
  function link(label, href, className) {
    var url = safeUrl(href);
    if (!url) return el("span", { className: "cb-plain", text: label });
    var attrs = { href: url, className: className || "cb-action" , text: label };
    if (!/^tel:/.test(url)) { attrs.target = "_blank"; attrs.rel = "noopener noreferrer"; }
    return el("a", attrs);
  }

  // ---- state kept for the tab (sessionStorage) ----
  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE)) || { open: false, messages: [] }; }
    catch (e) { return { open: false, messages: [] }; }
  }
  function save() {
    try { sessionStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode: keep in memory */ }
  }

  // ---- build the widget inside a Shadow DOM ----
  var host = el("div", { id: "clinicbot-widget" });
  var root = host.attachShadow({ mode: "open" });
  if (/^(#[0-9a-f]{3,8}|rgb\(\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\)|[a-z]+)$/i.test(config.accent)) {
    host.style.setProperty("--cb-accent", config.accent);
  }
  root.appendChild(el("link", { rel: "stylesheet", href: api + "/widget.css" }));

  var launcher = el("button", {
    type: "button", className: "cb-launcher cb-" + config.position, "aria-label": "Open chat with " + config.title,
    "aria-expanded": "false", "aria-controls": "cb-panel"
  }, [icon("chat"), el("span", { className: "cb-launcher-label", text: "Questions?" })]);
  var log = el("div", { className: "cb-log", role: "log", "aria-live": "off", "aria-label": "Conversation" });
  var live = el("div", { className: "cb-sr", "aria-live": "polite", "aria-atomic": "true" });
  var input = el("input", {
    type: "text", id: "cb-input", className: "cb-input", maxlength: "500", autocomplete: "off",
    placeholder: "Type your question…", "aria-label": "Your question"
  });
  var send = el("button", { type: "submit", className: "cb-send", text: "Send" });
  var form = el("form", { className: "cb-form" }, [input, send]);
  var closeButton = el("button", { type: "button", className: "cb-icon-button", "aria-label": "Close chat", text: "✕" });
  var resetButton = el("button", { type: "button", className: "cb-text-button", text: "New conversation" });
  var panel = el("div", {
    id: "cb-panel", className: "cb-panel cb-" + config.position, role: "dialog", "aria-label": config.title, hidden: ""
  }, [
    el("div", { className: "cb-header" }, [el("h2", { className: "cb-title", text: config.title }), resetButton, closeButton]),
    log,
    form,
    el("p", { className: "cb-disclaimer", text: "General information, not medical advice. In an emergency call 911." }),
    live
  ]);
  root.appendChild(launcher);
  root.appendChild(panel);

  // ---- rendering ----
  function announce(text) {
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 50);
  }
  function chips(items, label) {
    if (!items || !items.length) return null;
    return el("div", { className: "cb-chips", role: "group", "aria-label": label },
      items.map(function (text) {
        var chip = el("button", { type: "button", className: "cb-chip", text: text });
        chip.addEventListener("click", function () { ask(text); });
        return chip;
      }));
  }
  function feedback(message) {
    var group = el("div", { className: "cb-feedback", role: "group", "aria-label": "Was this helpful?" });
    [["up", "Helpful"], ["down", "Not helpful"]].forEach(function (choice) {
      var button = el("button", {
        type: "button", className: "cb-thumb", "aria-label": choice[1], "aria-pressed": String(message.rated === choice[0])
      }, [icon(choice[0])]);
      if (message.rated) button.disabled = true;
      button.addEventListener("click", function () {
        message.rated = choice[0];
        save();
        var reply = message.reply;
        fetch(api + "/api/v1/feedback", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ rating: choice[0], question: message.question, status: reply.status,
                                 article_url: reply.sources && reply.sources[0] ? reply.sources[0].url : null })
        }).catch(function () { /* a lost vote is not worth bothering the patient */ });
        group.replaceWith(feedback(message));
        announce("Thanks for your feedback.");
      });
      group.appendChild(button);
    });
    return group;
  }
  function botBubble(message) {
    var reply = message.reply;
    if (message.error) {
      var retry = el("button", { type: "button", className: "cb-action cb-retry", text: "Retry" });
      retry.addEventListener("click", function () {
        state.messages.splice(state.messages.indexOf(message), 1);
        save();
        render();
        request(message.question);
      });
      return el("div", { className: "cb-bubble cb-bot cb-error" }, [
        el("p", { text: "Sorry, I couldn't reach the clinic's assistant." + (phone ? " You can call us at " + phone + "." : "") }),
        el("div", { className: "cb-actions" }, [retry, phone ? link("Call " + phone, state.phoneHref || "") : null])
      ]);
    }
    if (!reply) return el("div", { className: "cb-bubble cb-bot" }, [el("p", { text: message.text }), chips(config.starters, "Suggested questions")]);
    var actions = el("div", { className: "cb-actions" });
    var bubble = el("div", { className: "cb-bubble cb-bot cb-" + reply.status });
    if (reply.status === "emergency") {
      bubble.appendChild(el("p", { className: "cb-emergency-title", text: "This may be an emergency" }));
      bubble.appendChild(el("p", { className: "cb-text", text: reply.answer }));
      actions.appendChild(link("Call 911", "tel:911", "cb-action cb-call"));
      if (/988/.test(reply.answer)) actions.appendChild(link("Call or text 988", "tel:988", "cb-action cb-call"));
      bubble.appendChild(actions);
      return bubble;
    }
    // The answer text without its trailing link lines: those become real buttons below.
    var lines = reply.answer.split("\n").filter(function (line) {
      return !/^(Read the full article|Book an appointment:)/.test(line) && !/not medical advice/.test(line);
    });
    bubble.appendChild(el("p", { className: "cb-text", text: lines.join("\n").trim() }));
    var source = reply.sources && reply.sources[0];
    if (reply.status === "answered" && source) actions.appendChild(link("Read the full article", source.url));
    actions.appendChild(link("Book an appointment", reply.booking_url));
    if (reply.status === "no_answer" && reply.phone) actions.appendChild(link("Call " + reply.phone, reply.phone_href || ""));
    bubble.appendChild(actions);
    if (reply.status === "answered") bubble.appendChild(feedback(message));
    var followUps = chips(reply.suggestions, "Related questions");
    var wrapper = el("div", { className: "cb-turn" }, [bubble, followUps]);
    return wrapper;
  }
  function render() {
    log.textContent = "";
    log.appendChild(botBubble({ text: config.greeting }));
    state.messages.forEach(function (message) {
      log.appendChild(message.role === "user"
        ? el("div", { className: "cb-bubble cb-user" }, [el("p", { text: message.text })])
        : botBubble(message));
    });
    if (state.pending) log.appendChild(el("div", { className: "cb-bubble cb-bot cb-typing" }, [
      el("span", { className: "cb-dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]),
      el("span", { className: "cb-sr", text: "Assistant is typing" })
    ]));
    // Show the newest reply from its first line, not its last.
    var last = log.lastElementChild;
    log.scrollTop = state.pending || !last ? log.scrollHeight : Math.max(0, last.offsetTop - log.offsetTop - 8);
  }

  // ---- talking to the server ----
  function request(question) {
    state.pending = true;
    render();
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
    fetch(api + "/api/v1/ask", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question: question }), signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (reply) {
      phone = reply.phone || phone;
      state.phone = phone;
      state.phoneHref = reply.phone_href || state.phoneHref;
      finish({ role: "bot", question: question, reply: reply }, reply.answer);
    }).catch(function () {
      finish({ role: "bot", question: question, error: true },
        "Sorry, I couldn't reach the clinic's assistant." + (phone ? " You can call us at " + phone + "." : ""));
    }).then(function () { clearTimeout(timer); });
  }
  function finish(message, spoken) {
    state.pending = false;
    state.messages.push(message);
    save();
    render();
    announce(spoken);
  }
  function ask(text) {
    text = String(text || "").trim().slice(0, 500);
    if (!text || state.pending) return;
    if (!state.open) open();
    state.messages.push({ role: "user", text: text });
    save();
    request(text);
  }

  // ---- open, close, reset ----
  function open() {
    state.open = true;
    save();
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    host.classList.add("cb-is-open");
    render();
    input.focus();
  }
  function close() {
    state.open = false;
    save();
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    host.classList.remove("cb-is-open");
    launcher.focus();
  }
  function reset() {
    state = { open: true, messages: [], phone: phone, phoneHref: state.phoneHref };
    save();
    render();
    announce("New conversation started.");
    input.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
  closeButton.addEventListener("click", close);
  resetButton.addEventListener("click", reset);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    ask(text);
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); close(); }
  });

  // Phones: size the panel to the visible viewport so the on-screen keyboard never hides the input.
  function fitViewport() {
    if (window.visualViewport) host.style.setProperty("--cb-vh", window.visualViewport.height + "px");
  }
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fitViewport);
    window.visualViewport.addEventListener("scroll", fitViewport);
  }

  function mount() {
    document.body.appendChild(host);
    fitViewport();
    state.pending = false;
    if (state.open) { panel.hidden = false; launcher.setAttribute("aria-expanded", "true"); host.classList.add("cb-is-open"); }
    render();
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  window.clinicbot = { open: open, close: close, ask: ask, reset: reset };
})();
