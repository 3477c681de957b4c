// The comment form, progressive enhancement: a character counter under the comment box. Everything works
// without it (the browser's maxlength stops at the limit; the server checks it again).
(function () {
  "use strict";
  var body = document.querySelector(".comment-form textarea[name=body][maxlength]");
  if (!body) return;
  var limit = parseInt(body.getAttribute("maxlength"), 10);

  // What sighted readers see, updated on every key; screen readers get a polite, quieter live region that
  // speaks only once typing pauses, so it does not talk over every keystroke.
  var counter = document.createElement("span");
  counter.className = "char-count";
  counter.id = "body-count";
  counter.setAttribute("aria-hidden", "true");
  var spoken = document.createElement("span");
  spoken.className = "visually-hidden";
  spoken.id = "body-count-status";
  spoken.setAttribute("aria-live", "polite");
  var hint = document.getElementById("body-hint");
  var field = body.parentNode;
  field.insertBefore(counter, hint || body.nextSibling);
  field.insertBefore(spoken, counter.nextSibling);

  function left() {
    // value.length counts as maxlength does: a line break is one character (UTF-16 code units)
    return limit - body.value.length;
  }
  function describe(n) {
    return n === 1 ? "1 character left" : n + " characters left";
  }
  var timer = null;
  function update() {
    var n = left();
    counter.textContent = describe(n);
    counter.classList.toggle("char-count-low", n <= 100);
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(function () { spoken.textContent = describe(left()); }, 1000);
  }
  body.addEventListener("input", update);
  counter.textContent = describe(left());
})();
