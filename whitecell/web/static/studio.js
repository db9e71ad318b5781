// The studio's source view: line numbers beside the YAML, the validator's findings after
// each pause in typing (in the page's language), a click on one goes to its line and
// column, Ctrl+S saves, and leaving with unsaved changes asks first.
// Loaded as a file: the Content-Security-Policy allows no inline script.
// The form view: each problem also shown under its field, which is marked invalid.
(function () {
  "use strict";
  var form = document.getElementById("form-editor");
  if (!form) { return; }
  function mark() {
    Array.prototype.forEach.call(form.querySelectorAll(".field-problem"), function (p) { p.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) {
      el.removeAttribute("aria-invalid");
      var ids = (el.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id.indexOf("-problem") < 0; });
      if (ids.length) { el.setAttribute("aria-describedby", ids.join(" ")); } else { el.removeAttribute("aria-describedby"); }
    });
    Array.prototype.forEach.call(form.querySelectorAll("#form-check li[data-field]"), function (item) {
      var field = document.getElementById(item.getAttribute("data-field"));
      if (!field) { return; }
      var note = document.createElement("p");
      note.className = "field-problem";
      note.id = field.id + "-problem";
      note.textContent = item.getAttribute("data-words") || "";
      field.insertAdjacentElement("afterend", note);
      field.setAttribute("aria-invalid", "true");
      var described = field.getAttribute("aria-describedby");
      field.setAttribute("aria-describedby", (described ? described + " " : "") + note.id);
    });
  }
  // leaving with values changed and not saved asks first
  var dirty = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = form.getAttribute("data-leave") || ""; }
  });

  // a preference's weight: a slider beside its number, each moving the other
  Array.prototype.forEach.call(form.querySelectorAll("input.weight"), function (slider) {
    var number = document.getElementById(slider.getAttribute("data-for"));
    if (!number) { return; }
    slider.addEventListener("input", function () {
      number.value = slider.value;
      number.dispatchEvent(new Event("input", { bubbles: true }));
    });
    number.addEventListener("input", function () {
      if (!isNaN(parseFloat(number.value))) { slider.value = number.value; }
    });
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "form-check") { mark(); }
  });
  mark();
})();

(function () {
  "use strict";
  var form = document.getElementById("editor");
  var source = document.getElementById("source");
  if (!form || !source) { return; }
  var gutter = form.querySelector(".gutter");
  var status = document.getElementById("check-status");
  var list = document.getElementById("problems");
  var lang = form.getAttribute("data-lang") || "en";
  var saved = source.value;
  var timer = null;
  var asked = 0;
  var bad = {};

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return String(values[k]); });
  }

  // -- colours: keys, comments, texts, numbers, drawn under a transparent textarea ----------
  var painted = form.querySelector(".highlight");
  var painting = false;
  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function paintLine(line) {
    var hash = -1, quote = "";
    for (var i = 0; i < line.length; i++) {  // the comment starts at a # outside quotes
      var ch = line[i];
      if (quote) { if (ch === quote) { quote = ""; } }
      else if (ch === '"' || ch === "'") { quote = ch; }
      else if (ch === "#" && (i === 0 || /\s/.test(line[i - 1]))) { hash = i; break; }
    }
    var body = hash >= 0 ? line.slice(0, hash) : line;
    var note = hash >= 0 ? '<span class="t-comment">' + escape(line.slice(hash)) + "</span>" : "";
    var key = /^(\s*(?:- )?)([^\s:#][^:#]*?)(:)(?=\s|$)/.exec(body);
    var head = "", rest = body;
    if (key) {
      head = escape(key[1]) + '<span class="t-key">' + escape(key[2]) + "</span>" + key[3];
      rest = body.slice(key[0].length);
    }
    rest = escape(rest)
      .replace(/("[^"]*"|'[^']*')/g, '<span class="t-text">$1</span>')
      .replace(/(^|[\s\[{,:])(-?\d+(?:\.\d+)?)(?=[\s,\]}]|$)/g, '$1<span class="t-number">$2</span>')
      .replace(/(^|[\s\[{,:])(true|false|null)(?=[\s,\]}]|$)/g, '$1<span class="t-word">$2</span>');
    return head + rest + note;
  }
  function paint() {
    if (!painted || painting) { return; }
    painting = true;
    requestAnimationFrame(function () {
      painting = false;
      painted.innerHTML = source.value.split("\n").map(paintLine).join("\n") + "\n";
      painted.scrollTop = source.scrollTop;
      painted.scrollLeft = source.scrollLeft;
    });
  }

  function numbers() {
    var count = source.value.split("\n").length;
    var out = [];
    for (var i = 1; i <= count; i++) { out.push(bad[i] ? "● " + i : String(i)); }
    gutter.textContent = out.join("\n");
    gutter.scrollTop = source.scrollTop;
  }

  function offsetOf(line, column) {
    var lines = source.value.split("\n");
    var at = 0;
    for (var i = 0; i < Math.min(line - 1, lines.length); i++) { at += lines[i].length + 1; }
    var here = lines[Math.min(line - 1, lines.length - 1)] || "";
    return at + Math.min(Math.max(column - 1, 0), here.length);
  }

  function goTo(line, column) {
    var at = offsetOf(line, column);
    source.focus();
    source.setSelectionRange(at, at);
    var height = parseFloat(getComputedStyle(source).lineHeight) || 18;
    source.scrollTop = Math.max(0, (line - 3) * height);
    gutter.scrollTop = source.scrollTop;
  }

  function show(problems) {
    bad = {};
    list.textContent = "";
    problems.forEach(function (p) {
      bad[p.line] = true;
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "problem";
      button.setAttribute("data-line", p.line);
      button.setAttribute("data-column", p.column);
      var where = document.createElement("span");
      where.className = "where";
      where.textContent = fill(form.getAttribute("data-line"), p);
      var path = document.createElement("code");
      path.textContent = p.path;
      button.appendChild(where);
      button.appendChild(document.createTextNode(" "));
      button.appendChild(path);
      button.appendChild(document.createTextNode(" " + (p.message[lang] || p.message.en)));
      item.appendChild(button);
      list.appendChild(item);
    });
    var n = problems.length;
    status.textContent = n === 0 ? form.getAttribute("data-ok")
      : n === 1 ? form.getAttribute("data-one") : fill(form.getAttribute("data-many"), { n: n });
    status.className = n === 0 ? "ok" : "no";
    numbers();
  }

  function check() {
    var mine = ++asked;
    status.textContent = form.getAttribute("data-checking");
    fetch(form.getAttribute("data-validate"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": form.getAttribute("data-csrf") },
      body: JSON.stringify({ yaml: source.value })
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    }).then(function (answer) {
      if (mine === asked) {  // an older answer never replaces a newer
        show(answer.problems);
        if (answer.names) { suggest.names = answer.names; }
      }
    }).catch(function () {
      if (mine === asked) { status.textContent = form.getAttribute("data-unreachable"); }
    });
  }

  // -- suggestions: Ctrl+Space --------------------------------------------------------------
  var suggest = {};
  try { suggest = JSON.parse(form.getAttribute("data-suggest") || "{}"); } catch (e) { suggest = {}; }
  var box = document.getElementById("suggestions");
  var choices = [];
  var active = -1;
  var replaceFrom = 0;
  var asKey = false;

  function lineInfo(line) {
    var m = /^(\s*)(- )?/.exec(line);
    var key = /^\s*(?:- )?([A-Za-z_][\w.]*)\s*:(.*)$/.exec(line);
    return {
      dash: m[2] ? m[1].length : -1,
      keyCol: m[1].length + (m[2] ? 2 : 0),
      key: key ? key[1] : null,
      rest: key ? key[2].replace(/#.*$/, "").trim() : ""
    };
  }

  // the place of the mapping the caret's line belongs to, as field_names() names it:
  // "" the top, "actions[]" an action, "actions[].modifiers[]" one of its modifiers
  function placeAt(lines, row, col) {
    var cur = lineInfo(lines[row].slice(0, col) + "x");
    var need = cur.keyCol;
    var parts = [];
    var inItem = false;
    if (cur.dash >= 0) { parts.unshift("[]"); need = cur.dash; inItem = true; }
    for (var i = row - 1; i >= 0; i--) {
      var line = lines[i];
      if (!line.trim() || /^\s*#/.test(line)) { continue; }
      var info = lineInfo(line);
      var listKey = inItem && info.keyCol === need && info.dash < 0 && info.key && !info.rest;
      if (info.keyCol > need || (info.keyCol === need && !listKey)) {
        if (!inItem && info.keyCol === need && info.dash >= 0) {  // the item this line is in
          parts.unshift("[]"); need = info.dash; inItem = true;
        }
        continue;
      }
      if (!info.key || info.rest) { break; }  // not a parent: give up on this place
      parts.unshift(info.key);
      need = info.keyCol;
      inItem = false;
      if (info.dash >= 0) { parts.unshift("[]"); need = info.dash; inItem = true; }
    }
    return parts.join(".").replace(/\.\[\]/g, "[]");
  }

  function close() {
    box.hidden = true;
    box.textContent = "";
    choices = [];
    active = -1;
    source.removeAttribute("aria-activedescendant");
  }

  function highlight(i) {
    active = i;
    Array.prototype.forEach.call(box.children, function (li, j) {
      li.setAttribute("aria-selected", j === i ? "true" : "false");
    });
    if (i >= 0) { source.setAttribute("aria-activedescendant", "suggestion-" + i); }
  }

  function open() {
    var caret = source.selectionStart;
    var before = source.value.slice(0, caret);
    var lines = source.value.split("\n");
    var row = before.split("\n").length - 1;
    var lineStart = before.lastIndexOf("\n") + 1;
    var col = caret - lineStart;
    var head = before.slice(lineStart);
    var word = /[\w.]*$/.exec(head)[0];
    replaceFrom = caret - word.length;
    asKey = /^\s*(- )?[\w]*$/.test(head);
    var pool = [];
    if (asKey) {
      (suggest.fields && suggest.fields[placeAt(lines, row, col)] || []).forEach(function (n) { pool.push([n, ""]); });
    } else {
      var names = suggest.names || {};
      Object.keys(names).forEach(function (kind) {
        names[kind].forEach(function (n) { pool.push([n, kind]); });
      });
    }
    choices = pool.filter(function (c) { return c[0].indexOf(word) === 0 && c[0] !== word; });
    box.textContent = "";
    if (!choices.length) {
      var none = document.createElement("li");
      none.textContent = form.getAttribute("data-no-suggestion");
      none.setAttribute("role", "option");
      none.setAttribute("aria-disabled", "true");
      box.appendChild(none);
      box.hidden = false;
      setTimeout(close, 1500);
      return;
    }
    choices.slice(0, 50).forEach(function (c, i) {
      var li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.textContent = c[0];
      if (c[1]) {
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = " " + c[1];
        li.appendChild(kind);
      }
      li.addEventListener("mousedown", function (event) { event.preventDefault(); take(i); });
      box.appendChild(li);
    });
    choices = choices.slice(0, 50);
    box.hidden = false;
    highlight(0);
  }

  function take(i) {
    var c = choices[i];
    if (!c) { return; }
    var text = c[0] + (asKey ? ": " : "");
    var caret = source.selectionStart;
    source.setRangeText(text, replaceFrom, caret, "end");
    close();
    source.dispatchEvent(new Event("input"));
    source.focus();
  }

  source.addEventListener("keydown", function (event) {
    if (event.ctrlKey && (event.key === " " || event.code === "Space")) {
      event.preventDefault();
      open();
      return;
    }
    if (box.hidden || !choices.length) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % choices.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + choices.length) % choices.length); }
    else if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); take(active); }
    else if (event.key === "Escape") { event.preventDefault(); close(); }
  });
  source.addEventListener("blur", function () { setTimeout(close, 150); });

  source.addEventListener("input", function () {
    numbers();
    paint();
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
  source.addEventListener("scroll", function () {
    gutter.scrollTop = source.scrollTop;
    if (painted) { painted.scrollTop = source.scrollTop; painted.scrollLeft = source.scrollLeft; }
  });
  list.addEventListener("click", function (event) {
    var button = event.target.closest("button.problem");
    if (!button) { return; }
    goTo(Number(button.getAttribute("data-line")), Number(button.getAttribute("data-column")));
  });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", function () { saved = source.value; });
  window.addEventListener("beforeunload", function (event) {
    if (source.value !== saved) {
      event.preventDefault();
      event.returnValue = form.getAttribute("data-leave");
    }
  });
  list.querySelectorAll("button.problem").forEach(function (b) { bad[Number(b.getAttribute("data-line"))] = true; });
  numbers();
  if (painted) { form.classList.add("painted"); paint(); }
})();
