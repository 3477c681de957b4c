// Moderation desk, progressive enhancement: a "select all" box. Everything works without it.
(function () {
  "use strict";
  var table = document.querySelector(".desk-table");
  var cell = table && table.querySelector("thead th");
  if (!cell) return;
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
})();
