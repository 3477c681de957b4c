// Pictures, progressive enhancement: a "Copy" button beside each picture's Markdown, and on the article
// form an "Insert" button that puts it into the body where the cursor is. Without it, the Markdown is
// there to select and copy.
(function () {
  "use strict";
  document.querySelectorAll("input.media-snippet").forEach(function (snippet) {
    var target = snippet.dataset.insertInto && document.getElementById(snippet.dataset.insertInto);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small button-secondary";
    button.textContent = target ? "Insert" : "Copy";
    button.setAttribute("aria-label", (target ? "Insert into the body: " : "Copy the Markdown of ") + snippet.value);
    snippet.insertAdjacentElement("afterend", button);
    button.addEventListener("click", function () {
      if (target) {
        var start = target.selectionStart, end = target.selectionEnd, text = "\n\n" + snippet.value + "\n\n";
        target.value = target.value.slice(0, start) + text + target.value.slice(end);
        target.focus();
        target.selectionStart = target.selectionEnd = start + text.length;
        return;
      }
      snippet.select();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(snippet.value).then(function () { button.textContent = "Copied"; });
      }
    });
  });
})();
