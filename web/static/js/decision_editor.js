/* The DMN decision-table editor (dmn-js, global DmnJS): open a version's table, save it as a new draft. */
(function () {
  "use strict";

  var app = document.getElementById("decision-app");
  var statusEl = document.getElementById("decision-status");
  if (!app || typeof window.DmnJS !== "function") {
    if (statusEl) { statusEl.textContent = "决策表编辑器脚本未能加载，请联系管理员（需执行 make assets）"; }
    return;
  }
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var editor = new window.DmnJS({ container: "#dmn-canvas" });
  window.riskmonDecisionEditor = editor;

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = kind ? "rm-status-" + kind : "";
  }

  function showProblems(problems) {
    var list = document.getElementById("problems");
    list.innerHTML = "";
    problems.forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = (p.element_id ? p.element_id + "：" : "") + p.message;
      list.appendChild(li);
    });
  }

  function openTable() {
    var views = editor.getViews();
    var table = views.filter(function (v) { return v.type === "decisionTable"; })[0];
    return table ? editor.open(table) : Promise.resolve();
  }

  function save() {
    setStatus("正在保存…");
    editor.saveXML({ format: true }).then(function (result) {
      return fetch(app.dataset.saveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ xml: result.xml, note: document.getElementById("decision-note").value })
      });
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { status: res.status, data: data }; });
    }).then(function (response) {
      if (response.status === 201) {
        showProblems([]);
        setStatus("已保存为草稿 v" + response.data.version + "，校验通过。", "ok");
        document.getElementById("publish-form").action = response.data.publish_url;
        document.getElementById("publish-button").textContent = "发布草稿 v" + response.data.version;
        document.getElementById("publish-panel").hidden = false;
      } else {
        var error = (response.data && response.data.error) || {};
        var problems = error.details && error.details.length ? error.details : [{ element_id: null, message: error.message || ("保存失败（HTTP " + response.status + "）") }];
        showProblems(problems);
        setStatus("未保存：发现 " + problems.length + " 个问题", "error");
      }
    }).catch(function (err) { setStatus("保存失败：" + err.message, "error"); });
  }

  document.getElementById("decision-save").addEventListener("click", save);

  fetch(app.dataset.xmlUrl, { credentials: "same-origin" })
    .then(function (res) {
      if (!res.ok) { throw new Error("HTTP " + res.status); }
      return res.text();
    })
    .then(function (xml) { return editor.importXML(xml); })
    .then(openTable)
    .then(function () {
      app.dataset.ready = "1";
      setStatus("决策表已打开。双击单元格修改；修改后点击“保存为草稿”。");
    })
    .catch(function (err) { setStatus("决策表打开失败：" + err.message, "error"); });
})();
