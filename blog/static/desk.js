// Moderation desk, progressive enhancement; every form works without it.
// - a "select all" box;
// - one-click actions change the row in place (no reload, the scroll position kept), the tab counts and the
//   staff bar's badge follow, and the row offers "Undo" for its last action; a permanent delete asks first
//   (a second click);
// - "Reply" opens a form under the comment;
// - "Ban" (this address / this network) asks with a second click, then the row says "Banned", the rows of the
//   pending comments the ban moved to Spam follow, and an admin gets an Undo that lifts the ban;
// - keyboard shortcuts, for those who turned them on on their profile: j/k move, a/s/d/u approve, spam,
//   trash, unapprove, r replies, z undoes, ? lists them.
(function () {
  "use strict";
  var desk = document.querySelector(".desk");
  var table = document.querySelector(".desk-table");
  var form = document.querySelector(".desk-form");
  var live = document.getElementById("desk-status");
  if (!desk || !table || !form) return;

  // --- Select all --------------------------------------------------------------------------------
  var cell = table.querySelector("thead th");
  var boxes = table.querySelectorAll("tbody input[name=ids]");
  var all = document.createElement("input");
  all.type = "checkbox";
  all.id = "select-all";
  all.setAttribute("aria-label", "Select all comments on this page");
  cell.textContent = "";
  cell.appendChild(all);
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
  });
  table.addEventListener("change", function (event) {
    if (event.target.name !== "ids") return;
    var checked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    all.checked = checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  });

  if (!window.fetch || !window.FormData) return;
  var token = form.querySelector("input[name=csrf_token]").value;
  var here = form.querySelector("input[name=next]").value;
  var ACT = /\/moderation\/comments\/(\d+)\/([a-z]+)$/;

  function say(text) {
    if (live) live.textContent = text;
  }

  function post(url, fields) {
    var data = new FormData();
    data.append("csrf_token", token);
    data.append("next", here);
    Object.keys(fields || {}).forEach(function (k) { data.append(k, fields[k]); });
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        return { error: "The server answered " + response.status + "; reload the page and try again." };
      }
      return response.json();
    }, function () {
      return { error: "No answer from the server; check the connection and try again." };
    });
  }

  function follow(answer) {
    Object.keys(answer.counts || {}).forEach(function (status) {
      var count = desk.querySelector('.tabs a[data-status="' + status + '"] .count');
      if (count) count.textContent = "(" + answer.counts[status] + ")";
    });
    var link = document.querySelector(".staff-bar a[href$='/moderation/']");
    if (!link || answer.pending === undefined) return;
    var badge = link.querySelector(".badge");
    if (answer.pending === "0") {
      if (badge) badge.remove();
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      link.appendChild(document.createTextNode(" "));
      link.appendChild(badge);
    }
    badge.textContent = answer.pending;
    badge.setAttribute("aria-label", answer.pending + " awaiting moderation");
  }

  function actionsOf(row) {
    return row.querySelector(".row-actions");
  }

  function notice(row, text, isError) {
    var old = row.querySelector(".row-notice");
    if (old) old.remove();
    var p = document.createElement("p");
    p.className = "row-notice" + (isError ? " error-message" : "");
    p.setAttribute("role", isError ? "alert" : "status");
    p.textContent = text;
    actionsOf(row).insertAdjacentElement("beforebegin", p);
    return p;
  }

  function act(row, url, action, fields) {
    row.setAttribute("aria-busy", "true");
    return post(url, fields).then(function (answer) {
      row.removeAttribute("aria-busy");
      if (answer.error) {
        notice(row, answer.error, true);
        say(answer.error);
        return answer;
      }
      follow(answer);
      say(answer.message);
      return answer;
    });
  }

  function done(row, answer) {
    var actions = actionsOf(row);
    var hadFocus = actions.contains(document.activeElement);
    row.classList.add("row-done");
    var box = row.querySelector("input[name=ids]");
    if (box) { box.checked = false; box.disabled = true; }
    var p = notice(row, answer.message, false);
    actions.hidden = true;
    if (answer.undo) {
      var undo = document.createElement("button");
      undo.type = "button";
      undo.className = "link-button row-undo";
      undo.textContent = "Undo";
      undo.dataset.url = answer.undo.url;
      if (answer.undo.then) undo.dataset.then = answer.undo.then;
      p.appendChild(document.createTextNode(" "));
      p.appendChild(undo);
    }
    if (hadFocus) {  // the button pressed is hidden now: keep the keyboard user's place on the row
      var target = p.querySelector(".row-undo") || p;
      if (target === p) p.tabIndex = -1;
      target.focus({ preventScroll: true });
    }
  }

  function undone(row, answer) {
    var hadFocus = row.contains(document.activeElement) && document.activeElement.classList.contains("row-undo");
    row.classList.remove("row-done");
    var box = row.querySelector("input[name=ids]");
    if (box) box.disabled = false;
    notice(row, "Undone: " + answer.message, false);
    var actions = actionsOf(row);
    actions.hidden = false;
    if (hadFocus && actions.querySelector("button")) actions.querySelector("button").focus({ preventScroll: true });
  }

  function undo(row) {
    var button = row.querySelector(".row-undo");
    if (!button) return;
    button.disabled = true;
    var then = button.dataset.then;  // a lifted ban leaves the row's comment in Spam: its Undo restores it next
    act(row, button.dataset.url, "undo").then(function (answer) {
      if (answer.error) return;
      if (then) done(row, { message: answer.message + " Comment " + row.dataset.id + " is still in spam.", undo: { url: then } });
      else undone(row, answer);
    });
  }

  function run(button) {
    var row = button.closest("tr");
    var match = ACT.exec(new URL(button.formAction, location.href).pathname);
    if (!row || !match) return false;
    var action = match[2];
    var fields = {};
    if (action === "delete") {
      if (button.dataset.armed !== "yes") {  // a second click confirms
        button.dataset.armed = "yes";
        button.dataset.label = button.textContent;
        button.textContent = "Confirm permanent delete";
        say("Press again to delete comment " + match[1] + " permanently; this cannot be undone.");
        setTimeout(function () {
          button.dataset.armed = "";
          button.textContent = button.dataset.label;
        }, 5000);
        return true;
      }
      fields.confirm = "yes";
    }
    act(row, button.formAction, action, fields).then(function (answer) {
      if (!answer.error) done(row, answer);
    });
    return true;
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.hasAttribute("formaction") && run(button)) event.preventDefault();
  });
  table.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList.contains("row-undo")) undo(target.closest("tr"));
    if (target.dataset.action === "reply") openReply(target.closest("tr"));
  });

  // --- Reply from the desk -------------------------------------------------------------------------
  function openReply(row) {
    var existing = row.querySelector(".desk-reply");
    if (existing) { existing.querySelector("textarea").focus(); return; }
    var id = row.dataset.id;
    var box = document.createElement("div");
    box.className = "desk-reply";
    var label = document.createElement("label");
    label.htmlFor = "reply-" + id;
    label.textContent = "Reply to comment " + id + " (published under your name)";
    var text = document.createElement("textarea");
    text.id = "reply-" + id;
    text.rows = 3;
    text.maxLength = 5000;
    var send = document.createElement("button");
    send.type = "button";
    send.className = "button button-small";
    send.textContent = "Publish reply";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link-button";
    cancel.textContent = "Cancel";
    box.append(label, text, send, " ", cancel);
    actionsOf(row).insertAdjacentElement("afterend", box);
    text.focus({ preventScroll: true });
    cancel.addEventListener("click", function () { box.remove(); });
    send.addEventListener("click", function () {
      send.disabled = true;
      act(row, "/moderation/comments/" + id + "/reply", "reply", { body: text.value }).then(function (answer) {
        send.disabled = false;
        if (answer.error) return;
        box.remove();
        var p = notice(row, answer.message + " ", false);
        if (answer.reply_url) {
          var a = document.createElement("a");
          a.href = answer.reply_url;
          a.textContent = "See it";
          p.appendChild(a);
        }
      });
    });
  }
  table.querySelectorAll("[data-action=reply]").forEach(function (b) { b.hidden = false; });

  // --- Ban from the row ------------------------------------------------------------------------------
  // The row's Ban buttons belong to a form of its own after the table (forms do not nest).
  function ban(button) {
    var own = button.form;
    var row = document.getElementById("row-" + own.dataset.comment);
    if (!row) return false;
    if (button.dataset.armed !== "yes") {  // a second click confirms
      button.dataset.armed = "yes";
      button.dataset.label = button.textContent;
      button.textContent = "Confirm: " + button.dataset.label.toLowerCase();
      say("Press again to ban the " + button.value + " of comment " + own.dataset.comment + ".");
      setTimeout(function () {
        button.dataset.armed = "";
        button.textContent = button.dataset.label;
      }, 5000);
      return true;
    }
    button.dataset.armed = "";
    button.textContent = button.dataset.label;
    var fields = { comment_id: own.dataset.comment, kind: button.value, confirm: "yes" };
    var box = own.elements.namedItem("spam_pending");
    if (box && box.checked) fields.spam_pending = "yes";
    act(row, own.action, "ban", fields).then(function (answer) {
      if (answer.error) return;
      (answer.moved || []).forEach(function (id) {
        var other = document.getElementById("row-" + id);
        if (!other || other === row || other.classList.contains("row-done")) return;
        done(other, {
          message: "Comment " + id + " moved to spam with the ban.",
          undo: { url: "/moderation/comments/" + id + "/restore" }
        });
      });
      done(row, answer);
    });
    return true;
  }
  document.querySelectorAll("form.ban-form").forEach(function (own) {
    own.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.dataset.ban && ban(button)) event.preventDefault();
    });
  });

  // --- Keyboard shortcuts (opt-in, per user) ---------------------------------------------------------
  if (desk.dataset.shortcuts !== "on") return;
  var KEYS = { a: "approve", s: "spam", d: "trash", u: "unapprove" };
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
  var current = -1;
  var help = null;

  function select(index) {
    if (!rows.length) return;
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0) rows[current].classList.remove("row-current");
    current = index;
    var row = rows[current];
    row.classList.add("row-current");
    row.tabIndex = -1;
    row.focus({ preventScroll: true });
    var box = row.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) row.scrollIntoView({ block: "nearest" });
  }

  function toggleHelp() {
    if (!help) {
      help = document.getElementById("desk-keys");
      if (!help) return;
    }
    help.hidden = !help.hidden;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape" && target.closest(".desk-reply")) target.closest(".desk-reply").remove();
      return;
    }
    var key = event.key;
    var row = current >= 0 ? rows[current] : null;
    if (key === "?") { toggleHelp(); event.preventDefault(); return; }
    if (key === "Escape" && help && !help.hidden) { help.hidden = true; return; }
    if (key === "j") { select(current + 1); event.preventDefault(); return; }
    if (key === "k") { select(current < 0 ? 0 : current - 1); event.preventDefault(); return; }
    if (!row) return;
    if (KEYS[key]) {
      if (row.classList.contains("row-done")) return;
      var button = row.querySelector('.row-actions [data-action="' + KEYS[key] + '"]');
      if (button) { run(button); event.preventDefault(); }
      return;
    }
    if (key === "z") { undo(row); event.preventDefault(); return; }
    if (key === "r") {
      if (row.querySelector("[data-action=reply]")) { openReply(row); event.preventDefault(); }
    }
  });
})();
