// Center assessment: insert the chosen mitigation-measure template into the 风险减缓措施 textarea.
// A button rather than the select's change event, so that moving through the options with the
// keyboard does not insert every template passed on the way.
(function () {
  "use strict";
  var box = document.getElementById("mitigation-template-box");
  var select = document.getElementById("mitigation-template");
  var button = document.getElementById("mitigation-template-insert");
  var hint = document.getElementById("mitigation-template-hint");
  var target = document.getElementById("f_mitigation_measures");
  if (!box || !select || !button || !target) return;
  box.hidden = false;

  button.addEventListener("click", function () {
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) {
      hint.textContent = "请先选择一个措施模板。";
      select.focus();
      return;
    }
    var text = option.getAttribute("data-text") || "";
    var current = target.value.replace(/\s+$/, "");
    target.value = current ? current + "\n" + text : text;
    target.dispatchEvent(new Event("input", {bubbles: true}));
    hint.textContent = "已插入“" + option.textContent + "”，请结合本报送信息修改。";
    target.focus();
  });
})();
