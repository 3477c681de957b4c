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

// Replying, progressive enhancement (as WordPress's comment-reply.js): a comment's Reply link moves the form
// under that comment, with a "Cancel reply" link that puts it back. Without this script the Reply links open
// the page with ?replytocom=N, and the server fills the form in the same way.
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  var parent = document.getElementById("parent_id");
  var title = document.getElementById("reply-title");
  var list = document.querySelector(".comment-list");
  if (!respond || !parent || !title || !list) return;
  var home = document.createElement("div");  // where the form goes back to
  home.id = "respond-home";
  home.hidden = true;
  respond.parentNode.insertBefore(home, respond);
  var plainTitle = "Leave a Reply";
  var startedBy = null;

  function cancelLink() {
    var note = respond.querySelector(".replying-to");
    if (!note) {
      note = document.createElement("p");
      note.className = "replying-to";
      var link = document.createElement("a");
      link.href = "#respond";
      link.textContent = "Cancel reply";
      note.appendChild(link);
      title.parentNode.insertBefore(note, title.nextSibling);
    }
    return note;
  }

  function focusBox() {
    var box = respond.querySelector("textarea[name=body]");
    if (box) box.focus();
  }

  list.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-reply-to]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var comment = document.getElementById("comment-" + link.getAttribute("data-reply-to"));
    if (!comment) return;
    event.preventDefault();
    var author = comment.querySelector(".comment-author");
    comment.appendChild(respond);
    parent.value = link.getAttribute("data-reply-to");
    title.textContent = "Reply to " + (author ? author.textContent.trim() : "this comment");
    cancelLink();
    startedBy = link;
    focusBox();
  });

  respond.addEventListener("click", function (event) {
    var link = event.target.closest(".replying-to a");
    if (!link) return;
    event.preventDefault();
    home.parentNode.insertBefore(respond, home);
    parent.value = "";
    title.textContent = plainTitle;
    link.parentNode.parentNode.removeChild(link.parentNode);
    if (startedBy) startedBy.focus();
    else focusBox();
    startedBy = null;
  });
})();
