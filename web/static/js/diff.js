/* Visual diff of two versions: the old diagram marks removed/changed, the new one added/changed. */
(function () {
  "use strict";

  var app = document.getElementById("diff-app");
  if (!app || typeof window.BpmnNavigatedViewer !== "function") { return; }
  var diff = JSON.parse(document.getElementById("diff-data").textContent);

  function ids(key) { return diff[key].map(function (c) { return c.element_id; }); }

  function open(container, url, marks) {
    var viewer = new window.BpmnNavigatedViewer({ container: container });
    return fetch(url, { credentials: "same-origin" })
      .then(function (res) { return res.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        Object.keys(marks).forEach(function (cls) {
          marks[cls].forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, cls); } });
        });
        canvas.zoom("fit-viewport");
        return viewer;
      });
  }

  Promise.all([
    open("#diff-old", app.dataset.oldUrl, { "rm-removed": ids("removed"), "rm-changed": ids("changed") }),
    open("#diff-new", app.dataset.newUrl, { "rm-added": ids("added"), "rm-changed": ids("changed") })
  ]).then(function () { app.dataset.ready = "1"; });
})();
