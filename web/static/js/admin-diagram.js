/* Admin instance page: the bpmn-js NavigatedViewer (global BpmnJS) with completed, active and failed
   elements marked (canvas.addMarker + the .el-* rules in admin/_layout.html). */
(function () {
  "use strict";
  var holder = document.getElementById("admin-diagram");
  var source = document.getElementById("diagram-data");
  if (!holder || !source) { return; }
  if (!window.BpmnJS) {
    holder.textContent = "流程图组件未加载（请运行 make assets）";
    return;
  }
  var data = JSON.parse(source.textContent);
  holder.textContent = "";
  var viewer = new window.BpmnJS({ container: holder });
  viewer.importXML(data.xml).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    canvas.zoom("fit-viewport");
    [["completed", "el-completed"], ["active", "el-active"], ["failed", "el-failed"]].forEach(function (pair) {
      (data[pair[0]] || []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, pair[1]); }
      });
    });
    holder.setAttribute("data-ready", "true");
  }).catch(function (err) {
    holder.textContent = "流程图无法显示：" + (err && err.message ? err.message : err);
  });
})();
