// Task page: show the process diagram read-only (bpmn-js NavigatedViewer) with the current element marked.
(function () {
  "use strict";
  var box = document.getElementById("diagram");
  if (!box) return;
  function fail(message) {
    box.innerHTML = "";
    var p = document.createElement("p");
    p.className = "muted";
    p.textContent = message;
    box.appendChild(p);
  }
  if (typeof window.BpmnJS !== "function") {
    fail("流程图组件未加载（请运行 make assets）");
    return;
  }
  fetch(box.getAttribute("data-xml-url"), { credentials: "same-origin" })
    .then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      var current = (res.headers.get("X-Current-Elements") || "").split(",").filter(Boolean);
      return res.text().then(function (xml) { return { xml: xml, current: current }; });
    })
    .then(function (loaded) {
      box.innerHTML = "";
      var viewer = new window.BpmnJS({ container: box });
      return viewer.importXML(loaded.xml).then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");
        // The task page marks its own element red and other open ones orange; the report page marks all open ones red.
        var mine = box.getAttribute("data-current");
        loaded.current.forEach(function (id) {
          if (registry.get(id) && id !== mine) canvas.addMarker(id, mine ? "open-element" : "current-element");
        });
        if (mine && registry.get(mine)) canvas.addMarker(mine, "current-element");
        box.setAttribute("data-ready", "1");
      });
    })
    .catch(function (err) { fail("流程图加载失败：" + err.message); });
})();
