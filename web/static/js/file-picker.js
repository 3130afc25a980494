// Chinese file picker over <input type="file" data-file-picker>: 选择文件 / 拍照上传 buttons and the chosen files,
// each removable before submit. The real input stays in the form (it is what is submitted and what its <label>
// names); it is only visually replaced. Without DataTransfer (very old browsers) the native input is left as is.
(function () {
  "use strict";
  var SYNC = "filePickerSync";

  function canRewrite() {
    try { return typeof DataTransfer === "function" && new DataTransfer().items !== undefined; } catch (e) { return false; }
  }

  function sizeText(n) {
    if (n >= 1024 * 1024) return (n / 1024 / 1024).toFixed(1) + " MB";
    return Math.max(1, Math.round(n / 1024)) + " KB";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function sameFile(a, b) {
    return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
  }

  function Picker(input) {
    this.input = input;
    this.files = [];
    this.multiple = input.multiple;
    this.build();
  }

  Picker.prototype.build = function () {
    var input = this.input, self = this;
    var label = document.querySelector('label[for="' + input.id + '"]');
    var box = el("div", "file-picker");
    var bar = el("div", "fp-bar");
    bar.setAttribute("role", "group");
    if (label) {
      if (!label.id) label.id = input.id + "-label";
      bar.setAttribute("aria-labelledby", label.id);
    }
    this.choose = el("button", "fp-choose", "选择文件");
    this.choose.type = "button";
    bar.appendChild(this.choose);
    this.camera = null;
    if (/image/.test(input.accept || "image")) {
      this.camera = el("button", "fp-camera", "拍照上传");
      this.camera.type = "button";
      bar.appendChild(this.camera);
      this.shooter = el("input");
      this.shooter.type = "file";
      this.shooter.accept = "image/*";
      this.shooter.setAttribute("capture", "environment");
      this.shooter.tabIndex = -1;
      var shooterLabel = el("label", "fp-shooter", "拍照上传");  // never shown: the 拍照上传 button opens it
      shooterLabel.hidden = true;
      shooterLabel.appendChild(this.shooter);
      bar.appendChild(shooterLabel);
    }
    this.status = el("span", "fp-status", "未选择文件");
    this.status.setAttribute("aria-live", "polite");
    bar.appendChild(this.status);
    this.list = el("ul", "fp-list");
    this.list.hidden = true;
    if (input.getAttribute("aria-describedby")) {
      this.choose.setAttribute("aria-describedby", input.getAttribute("aria-describedby"));
    }
    input.parentNode.insertBefore(box, input);
    box.appendChild(input);
    box.appendChild(bar);
    box.appendChild(this.list);
    input.classList.add("fp-native");
    input.tabIndex = -1;
    this.choose.addEventListener("click", function () { input.click(); });
    if (this.camera) {
      this.camera.addEventListener("click", function () { self.shooter.click(); });
      this.shooter.addEventListener("change", function () {
        self.add(self.shooter.files);
        self.shooter.value = "";
        self.sync(true);
      });
    }
    if (input.form) input.form.addEventListener("reset", function () { self.files = []; self.sync(false); });
  };

  Picker.prototype.add = function (fileList) {
    var self = this;
    Array.prototype.forEach.call(fileList || [], function (f) {
      if (!self.multiple) self.files = [];
      if (!self.files.some(function (g) { return sameFile(f, g); })) self.files.push(f);
    });
  };

  // Put the kept files back into the real input; `announce` fires a change event the form's own checks hear.
  Picker.prototype.sync = function (announce) {
    var dt = new DataTransfer();
    this.files.forEach(function (f) { dt.items.add(f); });
    this.input.files = dt.files;
    this.render();
    if (announce) {
      var event = new Event("change", { bubbles: true });
      event[SYNC] = true;
      this.input.dispatchEvent(event);
    }
  };

  Picker.prototype.render = function () {
    var self = this;
    this.list.textContent = "";
    this.files.forEach(function (f, i) {
      var item = el("li", "fp-item");
      item.appendChild(el("span", "fp-name", f.name));
      item.appendChild(el("span", "fp-size", "（" + sizeText(f.size) + "）"));
      var remove = el("button", "fp-remove", "移除");
      remove.type = "button";
      var hidden = el("span", "sr-only", "文件“" + f.name + "”");
      remove.appendChild(hidden);
      remove.addEventListener("click", function () { self.remove(i); });
      item.appendChild(remove);
      self.list.appendChild(item);
    });
    this.list.hidden = this.files.length === 0;
    this.status.textContent = this.files.length ? "已选择 " + this.files.length + " 个文件" : "未选择文件";
  };

  Picker.prototype.remove = function (index) {
    this.files.splice(index, 1);
    this.sync(true);
    var buttons = this.list.querySelectorAll(".fp-remove");
    (buttons[Math.min(index, buttons.length - 1)] || this.choose).focus();
  };

  if (!canRewrite()) return;
  var pickers = [];
  Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-file-picker]"), function (input) {
    pickers.push(new Picker(input));
  });
  // Capture phase on the document: runs before the page's own change listeners, so they see the whole selection.
  document.addEventListener("change", function (event) {
    if (event[SYNC]) return;
    pickers.forEach(function (p) {
      if (event.target !== p.input) return;
      p.add(p.input.files);
      p.sync(false);
    });
  }, true);
})();
