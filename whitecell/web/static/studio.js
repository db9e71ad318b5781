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
      if (mine === asked) { show(answer.problems); }  // an older answer never replaces a newer
    }).catch(function () {
      if (mine === asked) { status.textContent = form.getAttribute("data-unreachable"); }
    });
  }

  source.addEventListener("input", function () {
    numbers();
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
  source.addEventListener("scroll", function () { gutter.scrollTop = source.scrollTop; });
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
})();
