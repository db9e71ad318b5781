// whitecell pages: answers next to the form that was sent, a fresh idempotency key for
// each attempt, live panels that keep what people typed and opened, the round clock,
// dismissible announcements, and the action and proposal forms' helpers.
// Loaded as a file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  var store = {
    get: function (area, key, fallback) {
      try { var v = window[area].getItem("wc:" + key); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    set: function (area, key, value) {
      try { window[area].setItem("wc:" + key, JSON.stringify(value)); } catch (e) { /* private mode */ }
    }
  };
  function game() { return document.body.getAttribute("data-game") || ""; }
  function each(selector, root, fn) { Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn); }
  function freshKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(36).slice(2);
  }

  // -- the round clock: counts down, stops at 0:00 and says that time is up ---------------
  function tick() {
    each(".countdown[data-deadline]", document, function (el) {
      var left = Date.parse(el.getAttribute("data-deadline")) - Date.now();
      var out = el.querySelector(".left");
      if (!out || isNaN(left)) { return; }
      var panel = el.closest(".clock");
      var note = panel ? panel.querySelector(".time-up") : null;
      if (left <= 0) {
        out.textContent = el.getAttribute("data-over") || "0:00";
        el.classList.add("over");
        if (note) { note.hidden = false; }
        return;
      }
      if (note) { note.hidden = true; }
      el.classList.remove("over");
      var s = Math.floor(left / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60);
      out.textContent = (h ? h + ":" + String(m % 60).padStart(2, "0") : m) + ":" + String(s % 60).padStart(2, "0");
    });
  }
  setInterval(tick, 1000);

  // -- a command form: a fresh key per attempt; a retry of the same request keeps its key --
  function bodyOf(form) {
    var pairs = [];
    new FormData(form).forEach(function (v, k) { if (k !== "idempotency_key") { pairs.push(k + "=" + v); } });
    return pairs.join("&");
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.tagName !== "FORM") { return; }
    var body = bodyOf(form);
    var last = form._wcLast;
    var key = last && last.unanswered && last.body === body ? last.key : freshKey();
    form._wcLast = { body: body, key: key, unanswered: true };
    event.detail.parameters.idempotency_key = key;
    // only one answer shows at a time: the newest, next to its form
    each(".result", document, function (r) {
      if (!form.contains(r)) { r.innerHTML = ""; r.classList.remove("is-ok", "is-error"); }
    });
  });
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    if (form && form._wcLast) { form._wcLast.unanswered = true; }  // no answer: retrying keeps the key
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.tagName !== "FORM" || !event.detail.xhr || !event.detail.xhr.status) { return; }
    if (form._wcLast) { form._wcLast.unanswered = false; }  // answered: a new attempt is new
    var ok = event.detail.xhr.getResponseHeader("X-Command-Ok") === "1";
    if (ok && !form.classList.contains("keep")) {
      form.reset();
      each("select[data-keep][id]", form, function (x) { delete chosen[x.id]; });
      each("textarea, input[type=text], input:not([type])", form, function (t) { t.value = ""; });
      each("input.edited", form, function (t) { t.value = ""; });
    }
    if (ok) {  // the seat's own record (an estimate, a draft) may not reach it live
      var panel = form.closest("section.panel[hx-get]");
      if (panel && window.htmx) { setTimeout(function () { window.htmx.trigger(panel, "wc:refresh"); }, 50); }
    }
  });
  function showResult(result) {
    var error = result.querySelector("[data-error]");
    var ok = result.querySelector("[data-ok]");
    result.classList.toggle("is-error", !!error);
    result.classList.toggle("is-ok", !!ok);
    if (error || ok) {
      result.setAttribute("data-shown", String(Date.now()));
      result.focus({ preventScroll: false });
    }
  }

  // -- a choice from a list that grows with the game (the events to leak) is not kept as an
  //    element, whose options would go stale: the same option is chosen again after a refresh
  var chosen = {};
  document.addEventListener("change", function (event) {
    var s = event.target;
    if (s && s.matches && s.matches("select[data-keep][id]")) { chosen[s.id] = s.value; }
  });
  function choose(root) {
    each("select[data-keep][id]", root, function (s) {
      var v = chosen[s.id];
      if (v && Array.prototype.some.call(s.options, function (o) { return o.value === v; })) { s.value = v; }
    });
  }

  // -- live panels keep what is open: channels, folds, cases ------------------------------
  function detailsKey(d) {
    var k = d.getAttribute("data-fold") || d.getAttribute("data-channel") || d.getAttribute("data-case") || d.id;
    return k ? game() + ":" + k : null;
  }
  function restore(root) {
    var open = store.get("sessionStorage", "open", {});
    each("details", root, function (d) {
      var k = detailsKey(d);
      if (k && Object.prototype.hasOwnProperty.call(open, k)) { d.open = open[k]; }
      else if (d.hasAttribute("data-default-open") && !store.get("localStorage", "seen:" + k, null)) { d.open = true; }
    });
    unread(root);
  }
  document.addEventListener("toggle", function (event) {
    var d = event.target;
    if (!d || d.tagName !== "DETAILS") { return; }
    var k = detailsKey(d);
    if (!k) { return; }
    var open = store.get("sessionStorage", "open", {});
    open[k] = d.open;
    store.set("sessionStorage", "open", open);
    if (d.hasAttribute("data-channel") && d.open) { markRead(d); }
  }, true);
  // a fold opened (or closed) the instant its panel is drawn again keeps its state: it is
  // kept on the click, before the toggle event, which may come on the replaced fold
  document.addEventListener("click", function (event) {
    var summary = event.target.closest && event.target.closest("summary");
    var d = summary && summary.parentElement;
    if (!d || d.tagName !== "DETAILS" || d.querySelector("summary") !== summary) { return; }
    var k = detailsKey(d);
    if (!k) { return; }
    var open = store.get("sessionStorage", "open", {});
    open[k] = !d.open;
    store.set("sessionStorage", "open", open);
  }, true);
  function markRead(d) {
    store.set("localStorage", "seen:" + detailsKey(d), parseInt(d.getAttribute("data-count") || "0", 10));
    var badge = d.querySelector(".unread");
    if (badge) { badge.hidden = true; }
    var list = d.querySelector("ul.messages");
    if (list) { list.scrollTop = list.scrollHeight; }
  }
  function unread(root) {
    each("details[data-channel]", root, function (d) {
      var count = parseInt(d.getAttribute("data-count") || "0", 10);
      if (d.open) { markRead(d); return; }
      var seen = store.get("localStorage", "seen:" + detailsKey(d), 0);
      var badge = d.querySelector(".unread");
      if (badge) {
        var n = Math.max(count - seen, 0);
        badge.textContent = n ? String(n) : "";
        badge.hidden = !n;
      }
    });
  }

  // -- announcements stay until dismissed ---------------------------------------------------
  function announcements(root) {
    var gone = store.get("localStorage", "dismissed", []);
    each("[data-announce]", root, function (b) { if (gone.indexOf(b.getAttribute("data-announce")) >= 0) { b.hidden = true; } });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-dismiss]");
    if (!button) { return; }
    var key = button.getAttribute("data-dismiss");
    var gone = store.get("localStorage", "dismissed", []);
    if (gone.indexOf(key) < 0) { gone.push(key); store.set("localStorage", "dismissed", gone.slice(-200)); }
    var banner = button.closest("[data-announce]");
    if (banner) { banner.hidden = true; }
    var main = document.getElementById("main");
    if (main) { main.focus(); }
  });

  // -- the action form: explain the chosen action, offer only its targets -----------------
  function actionForm(root) {
    each("select#act-action", root, function (select) {
      var form = select.closest("form");
      var chosen = select.options[select.selectedIndex];
      var id = select.value;
      each(".explain[data-choice]", form, function (x) { x.hidden = x.getAttribute("data-choice") !== id; });
      each("[data-show-for]", form, function (x) { x.hidden = x.getAttribute("data-show-for") !== id; });
      var allowed = (chosen && chosen.getAttribute("data-targets") || "").split(" ").filter(Boolean);
      var target = form.querySelector("select#act-target");
      if (target) {
        each("option", target, function (o) {
          o.hidden = o.disabled = o.value ? allowed.indexOf(o.value) < 0 : allowed.length > 0 && id !== "free";
        });
        if (target.selectedOptions.length && target.selectedOptions[0].disabled) {
          var first = Array.prototype.find.call(target.options, function (o) { return !o.disabled; });
          if (first) { target.value = first.value; }
        }
        var label = form.querySelector("label[for=act-target]");
        target.hidden = allowed.length === 0;
        if (label) { label.hidden = allowed.length === 0; }
      }
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "act-action") { actionForm(event.target.closest("form")); }
    var clause = event.target.closest && event.target.closest("form.tabling input[name=clauses]");
    if (clause) { parties(clause.closest("form")); }
    var list = event.target.closest && event.target.closest("ol[data-matrix-base]");
    if (list) { matrixOdds(list); }
  });
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.name && field.name.indexOf("effect:") === 0) {
      var edited = field.form && field.form.querySelector("input.edited");
      if (edited) { edited.value = "on"; }  // editing the effects is choosing them
    }
  });

  // -- proposals: parties follow the clauses; "Counter" starts from a proposal's clauses ---
  function parties(form) {
    var box = form.querySelector(".parties");
    if (!box) { return; }
    var who = (box.getAttribute("data-base") || "").split(" ").filter(Boolean);
    each("input[name=clauses]:checked", form, function (c) {
      (c.getAttribute("data-parties") || "").split(" ").filter(Boolean).forEach(function (t) { if (who.indexOf(t) < 0) { who.push(t); } });
    });
    each("[data-party]", box, function (chip) { chip.hidden = who.indexOf(chip.getAttribute("data-party")) < 0; });
  }
  document.addEventListener("click", function (event) {
    var counter = event.target.closest && event.target.closest("button[data-counter]");
    if (counter) {
      var section = document.getElementById("table-" + counter.getAttribute("data-agreement"));
      var form = section && section.querySelector("form");
      if (!form) { return; }
      var clauses = (counter.getAttribute("data-clauses") || "").split(" ");
      each("input[name=clauses]", form, function (c) { c.checked = clauses.indexOf(c.value) >= 0; });
      var to = form.querySelector("input.counter-to");
      if (to) { to.value = counter.getAttribute("data-counter"); }
      var note = form.querySelector(".countering");
      if (note) { note.hidden = false; note.querySelector(".counter-pid").textContent = counter.getAttribute("data-counter"); }
      parties(form);
      var first = form.querySelector("input[name=clauses]");
      section.scrollIntoView({ block: "start" });
      if (first) { first.focus(); }
      return;
    }
    var cancel = event.target.closest && event.target.closest("button.cancel-counter");
    if (cancel) {
      var f = cancel.closest("form");
      var input = f.querySelector("input.counter-to");
      if (input) { input.value = ""; }
      cancel.closest(".countering").hidden = true;
      return;
    }
    var button = event.target.closest && event.target.closest("[data-set-percent]");
    if (button) {  // estimative words set the odds field they belong to
      var field = document.getElementById(button.getAttribute("data-for"));
      if (field) { field.value = button.getAttribute("data-set-percent"); field.focus(); }
    }
  });

  // -- matrix adjudication: the odds the strong arguments come to, before the ruling -------
  function matrixOdds(list) {
    var base = parseFloat(list.getAttribute("data-matrix-base"));
    var step = parseFloat(list.getAttribute("data-matrix-step"));
    var lo = parseFloat(list.getAttribute("data-matrix-min"));
    var hi = parseFloat(list.getAttribute("data-matrix-max"));
    var p = base;
    each("li.argument", list, function (item) {
      var box = item.querySelector("input[name=strong]");
      if (box && box.checked) { p += item.classList.contains("side-for") ? step : -step; }
    });
    p = Math.min(Math.max(p, lo), hi);
    var out = list.closest("form").querySelector("output.matrix-odds");
    if (out && !isNaN(p)) { out.textContent = "→ " + Math.round(p * 100) + "%"; }
  }

  // a panel's refresh that comes back after the room around it was replaced (the phase
  // changed) is not drawn into the old panel, now off the page: htmx would take the
  // preserved fields (a message being typed, the round's minutes) out of the live page
  function onThePage(event) {
    if (!document.body.contains(event.currentTarget)) { event.detail.shouldSwap = false; }
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && !target._wcOnThePage) {
      target._wcOnThePage = true;
      target.addEventListener("htmx:beforeSwap", onThePage);
    }
  });

  // a panel refreshed to show just what it shows is left as it is: drawing it again would
  // move what is under the pointer and replace what someone is about to click
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target, xhr = event.detail.xhr;
    if (!target || !xhr || !target.matches || !target.matches("section.panel[data-digest]")) { return; }
    var shown = xhr.getResponseHeader("X-Panel-Digest");
    if (shown && shown === target.getAttribute("data-digest") && xhr.status === 200) {
      event.detail.shouldSwap = false;
    } else if (shown) {
      target.setAttribute("data-digest", shown);
    }
  });

  // -- when the game moves to another phase, the room's order changes with it -------------
  function relayout() {
    var room = document.getElementById("room");
    var clock = document.querySelector("#panel-clock .clock");
    if (!room || !clock || !window.htmx) { return; }
    var phase = clock.getAttribute("data-phase"), round = clock.getAttribute("data-round");
    if (phase !== room.getAttribute("data-phase") || round !== room.getAttribute("data-round")) {
      if (round !== room.getAttribute("data-round")) {  // a new round: yesterday's answers go
        each(".result", document, function (r) { r.innerHTML = ""; r.classList.remove("is-ok", "is-error"); });
      }
      window.htmx.ajax("GET", "/games/" + game() + "/panel/room", { target: "#room", swap: "outerHTML" });
    }
  }

  function settle(root) {
    tick();
    restore(root);
    choose(root);
    announcements(root);
    actionForm(root);
    each("form.tabling", root, parties);
    each("ol[data-matrix-base]", root, matrixOdds);
  }
  document.addEventListener("DOMContentLoaded", function () { settle(document); });
  // the new room was drawn from the moment it was asked for: what happened while it came
  // (its panels were not on the page to hear of it) is fetched once htmx has wired its
  // panels, which it does as the swap settles, not when it is made
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.target;
    if (target && target.id === "room") { each("section.panel[hx-get]", target, refresh); }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    // what was drawn: the target of an inner swap, the new element of an outer one (the
    // room after a change of phase; ``detail.target`` is then the old room, off the page)
    var target = event.target;
    if (target && target.classList && target.classList.contains("result")) { showResult(target); return; }
    settle(target || document);
    if (target && target.id === "panel-clock") { relayout(); }
    // an answer shown a moment ago keeps the focus after its panel is drawn again
    each(".result[data-shown]", document, function (r) {
      if (Date.now() - parseInt(r.getAttribute("data-shown"), 10) < 1500 && document.activeElement === document.body) { r.focus(); }
    });
  });

  // a panel whose refresh failed (the network dropped) tries again; so does every panel
  // when the browser comes back online
  function refresh(panel) { if (window.htmx) { window.htmx.trigger(panel, "wc:refresh"); } }
  document.addEventListener("htmx:sendError", function (event) {
    var panel = event.detail.elt;
    if (panel && panel.matches && panel.matches("section.panel[hx-get]")) {
      setTimeout(function () { refresh(panel); }, 2000);
    }
  });
  window.addEventListener("online", function () { each("section.panel[hx-get]", document, refresh); });
})();
