// The JSON API's docs page: lists the operations of the OpenAPI document, built with DOM calls (no HTML strings).
(function () {
  "use strict";
  var root = document.querySelector("[data-spec]");
  if (!root) { return; }
  var status = document.getElementById("api-docs-status");
  var list = document.getElementById("api-docs-routes");

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function schemaName(schema) {
    if (!schema) { return ""; }
    if (schema.$ref) { return schema.$ref.split("/").pop(); }
    if (schema.type === "array") { return "array of " + schemaName(schema.items); }
    return schema.type || "";
  }

  function render(doc) {
    status.textContent = doc.info.title + ", version " + doc.info.version + ".";
    Object.keys(doc.paths).sort().forEach(function (path) {
      var ops = doc.paths[path];
      Object.keys(ops).forEach(function (method) {
        var op = ops[method];
        var section = el("section", null, "api-op");
        section.id = op.operationId || (method + path);
        section.appendChild(el("h2", method.toUpperCase() + " " + path));
        if (op.summary) { section.appendChild(el("p", op.summary)); }
        if (op.description) { section.appendChild(el("p", op.description, "muted")); }
        if (op.security && op.security.length) {
          section.appendChild(el("p", "Needs a personal access token.", "muted"));
        }
        var params = op.parameters || [];
        if (params.length) {
          var ul = el("ul");
          params.forEach(function (p) {
            ul.appendChild(el("li", p.name + " (" + p["in"] + ", " + schemaName(p.schema) +
              (p.required ? ", required" : "") + ")" + (p.description ? ": " + p.description : "")));
          });
          section.appendChild(el("h3", "Parameters"));
          section.appendChild(ul);
        }
        if (op.requestBody) {
          var body = op.requestBody.content["application/json"];
          section.appendChild(el("p", "JSON body: " + schemaName(body && body.schema)));
        }
        var codes = el("ul");
        Object.keys(op.responses || {}).forEach(function (code) {
          var r = op.responses[code];
          var content = r.content || {};
          var type = Object.keys(content)[0];
          codes.appendChild(el("li", code + " " + (r.description || "") +
            (type ? " — " + type + " " + schemaName(content[type].schema) : "")));
        });
        section.appendChild(el("h3", "Responses"));
        section.appendChild(codes);
        list.appendChild(section);
      });
    });
  }

  fetch(root.getAttribute("data-spec"), { headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(render)
    .catch(function (e) { status.textContent = "The document could not be loaded (" + e.message + ")."; });
})();
