// Submit page: cascading 种类 → 类别 → 品种 selects, the content character counter, attachment checks.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;

  // parentOf: the code whose children fill childSelect (安全附件 F000 has 品种 but no 类别, so the 品种 select
  // follows the 种类 when no 类别 is chosen).
  function cascade(parentSelect, childSelect, reset, parentOf) {
    var all = Array.prototype.slice.call(childSelect.options, 1).map(function (o) { return o.cloneNode(true); });
    function refill() {
      var keep = childSelect.value;
      var parent = parentOf ? parentOf() : parentSelect.value;
      while (childSelect.options.length > 1) childSelect.remove(1);
      all.forEach(function (o) {
        if (parent && o.getAttribute("data-parent") === parent) childSelect.appendChild(o.cloneNode(true));
      });
      childSelect.value = keep;
      if (childSelect.value !== keep) childSelect.value = "";
      childSelect.disabled = childSelect.options.length <= 1;
      if (reset) reset();
    }
    parentSelect.addEventListener("change", refill);
    refill();
    return refill;
  }

  var category = document.getElementById("eq_category");
  var klass = document.getElementById("eq_class");
  var variety = document.getElementById("eq_variety");
  var refillVariety = cascade(klass, variety, null, function () { return klass.value || category.value; });
  cascade(category, klass, refillVariety);

  var content = document.getElementById("content");
  var counter = document.querySelector("#content-count [data-count]");
  var max = parseInt(content.getAttribute("maxlength"), 10);
  function count() {
    var n = content.value.length;
    counter.textContent = String(n);
    counter.parentNode.classList.toggle("over", n > max * 0.95);
  }
  content.addEventListener("input", count);
  count();

  var files = document.getElementById("attachments");
  var fileError = document.getElementById("attachments-error");
  var maxBytes = parseInt(files.getAttribute("data-max-bytes"), 10);
  var maxFiles = parseInt(files.getAttribute("data-max-files"), 10);
  var okTypes = ["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "application/pdf"];
  var heicName = /\.hei[cf]$/i;  // many browsers give HEIC photos an empty type; the server converts them to JPEG
  function checkFiles() {
    var list = Array.prototype.slice.call(files.files || []);
    var total = 0, problem = "";
    list.forEach(function (f) {
      total += f.size;
      if (okTypes.indexOf(f.type) < 0 && !heicName.test(f.name)) problem = "文件“" + f.name + "”类型不支持，只能上传照片（JPG、PNG、WEBP、HEIC）或 PDF";
      else if (f.size > maxBytes) problem = "文件“" + f.name + "”超过 " + files.getAttribute("data-max-text");
    });
    if (!problem && list.length > maxFiles) problem = "最多 " + maxFiles + " 个附件";
    if (!problem && total > maxBytes) problem = "一次提交的附件合计不能超过 " + files.getAttribute("data-max-text") + "，可提交后再补充";
    fileError.textContent = problem;
    fileError.hidden = !problem;
    files.setCustomValidity(problem);
    return !problem;
  }
  files.addEventListener("change", checkFiles);
  form.addEventListener("submit", function (event) {
    if (!checkFiles()) { event.preventDefault(); files.focus(); }
  });
})();
