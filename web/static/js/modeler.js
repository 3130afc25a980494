/* The owners' web modeler: camunda-bpmn-js (global BpmnModeler) with the Camunda 7 properties panel.
   Opens a version, validates on the server, saves drafts, marks problems on the diagram. */
(function () {
  "use strict";

  var app = document.getElementById("modeler-app");
  if (!app) { return; }
  // Below 768 px the canvas beside a 360 px properties panel has no room (bpmn-js fails to zoom a 0 px
  // canvas): phones get the read-only viewer and a note; the breakpoint matches modeler.css.
  if (window.matchMedia("(max-width: 767px)").matches) {
    openViewer(app);
    return;
  }
  if (typeof window.BpmnModeler !== "function") {
    document.getElementById("modeler-status").textContent = "建模器脚本未能加载，请联系管理员（需执行 make assets）";
    return;
  }
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var statusEl = document.getElementById("modeler-status");
  var problemsEl = document.getElementById("problems");
  var problemsEmpty = document.getElementById("problems-empty");
  var marked = [];

  var modeler = new window.BpmnModeler({
    container: "#canvas",
    propertiesPanel: { parent: "#properties" },
    additionalModules: window.riskmonTranslateModule ? [window.riskmonTranslateModule] : []
  });
  window.riskmonModeler = modeler;

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = kind ? "rm-status-" + kind : "";
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { status: res.status, data: data }; });
    });
  }

  function clearMarkers() {
    var canvas = modeler.get("canvas");
    marked.forEach(function (id) { canvas.removeMarker(id, "rm-problem"); });
    marked = [];
  }

  function selectElement(id) {
    var element = modeler.get("elementRegistry").get(id);
    if (!element) { return; }
    modeler.get("selection").select(element);
    modeler.get("canvas").scrollToElement(element);
  }

  function showProblems(problems) {
    clearMarkers();
    problemsEl.innerHTML = "";
    problemsEmpty.hidden = problems.length > 0;
    problemsEmpty.textContent = "校验通过，没有发现问题。";
    var registry = modeler.get("elementRegistry");
    var canvas = modeler.get("canvas");
    problems.forEach(function (p) {
      var li = document.createElement("li");
      var onDiagram = p.element_id && registry.get(p.element_id);
      if (onDiagram) {
        canvas.addMarker(p.element_id, "rm-problem");
        marked.push(p.element_id);
        var link = document.createElement("button");
        link.type = "button";
        link.className = "rm-link";
        link.textContent = p.element_id;
        link.addEventListener("click", function () { selectElement(p.element_id); });
        li.appendChild(link);
        li.appendChild(document.createTextNode("：" + p.message));
      } else {
        li.textContent = (p.element_id ? p.element_id + "：" : "") + p.message;
      }
      if (p.path && p.path.length) {
        var path = document.createElement("small");
        path.className = "rm-path";
        path.textContent = "路径：" + p.path.join(" → ");
        li.appendChild(document.createElement("br"));
        li.appendChild(path);
      }
      li.dataset.elementId = p.element_id || "";
      problemsEl.appendChild(li);
    });
  }

  function problemsOf(response) {
    var error = response.data && response.data.error;
    if (error && error.details && error.details.length) { return error.details; }
    return [{ element_id: null, message: (error && error.message) || ("保存失败（HTTP " + response.status + "）") }];
  }

  function currentXml() {
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  function validate() {
    setStatus("正在校验…");
    return currentXml().then(function (xml) {
      return postJson(app.dataset.validateUrl, { xml: xml, base_version_id: Number(app.dataset.versionId) });
    }).then(function (response) {
      var problems = (response.data && response.data.problems) || problemsOf(response);
      showProblems(problems);
      var paths = response.data && response.data.paths;
      var passed = paths ? "校验通过，试运行 " + paths + " 条路径均无问题" : "校验通过";
      setStatus(problems.length ? "发现 " + problems.length + " 个问题，已在图中标红" : passed, problems.length ? "error" : "ok");
    });
  }

  function showPublish(draft) {
    var panel = document.getElementById("publish-panel");
    var form = document.getElementById("publish-form");
    form.action = draft.publish_url;
    document.getElementById("publish-button").textContent = "发布草稿 v" + draft.version;
    var diffLink = document.getElementById("diff-link");
    if (draft.diff_url) { diffLink.href = draft.diff_url; diffLink.hidden = false; }
    panel.hidden = false;
  }

  function save() {
    setStatus("正在保存…");
    var note = document.getElementById("draft-note").value;
    return currentXml().then(function (xml) {
      return postJson(app.dataset.saveUrl, { xml: xml, note: note, base_version_id: Number(app.dataset.versionId) });
    }).then(function (response) {
      if (response.status === 201) {
        showProblems([]);
        setStatus("已保存为草稿 v" + response.data.version + "，校验通过。发布后新报送按此版本流转。", "ok");
        showPublish(response.data);
      } else {
        var problems = problemsOf(response);
        showProblems(problems);
        setStatus("未保存：发现 " + problems.length + " 个问题，请按下方清单修改", "error");
      }
    }).catch(function (err) { setStatus("保存失败：" + err.message, "error"); });
  }

  document.getElementById("save-button").addEventListener("click", save);
  document.getElementById("validate-button").addEventListener("click", function () {
    validate().catch(function (err) { setStatus("校验失败：" + err.message, "error"); });
  });

  fetch(app.dataset.xmlUrl, { credentials: "same-origin" })
    .then(function (res) {
      if (!res.ok) { throw new Error("HTTP " + res.status); }
      return res.text();
    })
    .then(function (xml) { return modeler.importXML(xml); })
    .then(function () {
      modeler.get("canvas").zoom("fit-viewport");
      app.dataset.ready = "1";
      setStatus("流程图已打开。点击元素，在右侧属性面板中修改；修改后点击“保存为草稿”。");
    })
    .catch(function (err) { setStatus("流程图打开失败：" + err.message, "error"); });

  function zoomButtons(canvas) {
    var group = document.getElementById("viewer-zoom");
    group.hidden = false;
    group.addEventListener("click", function (event) {
      var kind = event.target.getAttribute("data-zoom");
      if (kind === "fit") { canvas.zoom("fit-viewport"); }
      if (kind === "in" || kind === "out") {
        canvas.zoom(canvas.zoom() * (kind === "in" ? 1.5 : 1 / 1.5), "auto");
      }
    });
  }

  function openViewer(root) {
    var status = document.getElementById("modeler-status");
    root.dataset.mode = "viewer";
    if (typeof window.BpmnJS !== "function") {
      status.textContent = "流程图查看器脚本未能加载，请联系管理员（需执行 make assets）";
      return;
    }
    var viewer = new window.BpmnJS({ container: "#canvas" });
    fetch(root.dataset.xmlUrl, { credentials: "same-origin" })
      .then(function (res) {
        if (!res.ok) { throw new Error("HTTP " + res.status); }
        return res.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        viewer.get("canvas").zoom("fit-viewport");
        zoomButtons(viewer.get("canvas"));
        root.dataset.ready = "1";
        status.textContent = "流程图已打开（只读）：可拖动、缩放查看。";
      })
      .catch(function (err) {
        status.textContent = "流程图打开失败：" + err.message;
        status.className = "rm-status-error";
      });
  }
})();
