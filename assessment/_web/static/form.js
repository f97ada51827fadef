// A little help on top of a form that works without it: progress, unsent answers kept across a reload or a
// change of language (in this tab only: sessionStorage, cleared once the answers are saved), focus on the
// error summary, and no double submit.
(function () {
  "use strict";
  // the form ("/") and its thank-you page ("/thanks") share one key: the folder they are served from
  var KEY = "osa-form:" + location.pathname.replace(/[^\/]*$/, "");

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  if (document.body.classList.contains("thanks")) {
    var s = storage();
    if (s) { s.removeItem(KEY); }
    return;
  }
  var form = document.getElementById("survey");
  if (!form) { return; }

  function fields() {
    return form.querySelectorAll("input[type=radio], select, textarea, input[type=text]");
  }

  function save() {
    var s = storage();
    if (!s) { return; }
    var kept = {};
    fields().forEach(function (el) {
      if (el.type === "radio") { if (el.checked) { kept[el.name] = el.value; } }
      else if (el.value) { kept[el.name] = el.value; }
    });
    try { s.setItem(KEY, JSON.stringify(kept)); } catch (e) { /* storage full or blocked: nothing kept */ }
  }

  function restore() {
    var s = storage();
    var kept = null;
    try { kept = JSON.parse((s && s.getItem(KEY)) || "null"); } catch (e) { kept = null; }
    if (!kept) { return; }
    var answered = {};
    fields().forEach(function (el) {
      if (el.type === "radio") { if (el.checked) { answered[el.name] = true; } }
      else if (el.value) { answered[el.name] = true; }
    });
    fields().forEach(function (el) {
      if (answered[el.name] || !(el.name in kept)) { return; }   // what the server shows wins
      if (el.type === "radio") { el.checked = (el.value === kept[el.name]); }
      else { el.value = kept[el.name]; }
    });
  }

  var progress = document.getElementById("progress");
  function update() {
    if (!progress) { return; }
    var groups = {}, done = 0, total = 0;
    form.querySelectorAll("input[type=radio]").forEach(function (el) {
      if (!(el.name in groups)) { groups[el.name] = false; total += 1; }
      if (el.checked && !groups[el.name]) { groups[el.name] = true; done += 1; }
    });
    progress.textContent = form.getAttribute("data-progress").replace("{done}", done).replace("{total}", total);
  }

  restore();
  if (progress) { progress.hidden = false; }
  update();
  form.addEventListener("change", function () { save(); update(); });
  form.addEventListener("input", save);

  var button = document.getElementById("submit");
  form.addEventListener("submit", function () {
    save();
    window.setTimeout(function () { button.disabled = true; }, 0);
  });
  window.addEventListener("pageshow", function () { button.disabled = false; });

  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      if (!link || link.getAttribute("href").charAt(0) !== "#") { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var legend = target.closest("fieldset") && target.closest("fieldset").querySelector("legend");
      (legend || target.closest(".field") || target).scrollIntoView();
      target.focus({ preventScroll: true });
    });
  }
})();
