// 年-月-日 date fields (input[data-date-input]): typed dates are normalised (2026/11/1, 2026年11月1日, 20261101 →
// 2026-11-01), refused ones get a Chinese message, and a small calendar (日历) fills the field by mouse or keyboard.
(function () {
  "use strict";
  var FORMAT = "日期格式应为 年-月-日，例如 2026-11-01";
  var WEEK = ["日", "一", "二", "三", "四", "五", "六"];

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function iso(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }

  // The day the text names, or null; a real calendar day only (no 2026-02-30).
  function parse(text) {
    var m = /^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$/.exec(text) || /^\s*(\d{4})(\d{2})(\d{2})\s*$/.exec(text);
    if (!m) return null;
    var d = new Date(+m[1], +m[2] - 1, +m[3]);
    return d.getFullYear() === +m[1] && d.getMonth() === +m[2] - 1 && d.getDate() === +m[3] ? d : null;
  }

  function check(input) {
    var text = input.value.trim(), day = text ? parse(text) : null;
    if (day) input.value = iso(day);
    var problem = text && !day ? FORMAT : "";
    input.setCustomValidity(problem);
    return !problem;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function Calendar(input) {
    this.input = input;
    var wrap = el("span", "date-wrap"), self = this;
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    this.toggle = el("button", "date-toggle", "日历");
    this.toggle.type = "button";
    this.toggle.setAttribute("aria-expanded", "false");
    this.toggle.setAttribute("aria-controls", input.id + "-cal");
    var label = document.querySelector('label[for="' + input.id + '"]');
    this.toggle.appendChild(el("span", "sr-only", "：选择" + (label ? label.textContent.trim() : "日期")));
    wrap.appendChild(this.toggle);
    this.popup = el("div", "date-popup");
    this.popup.id = input.id + "-cal";
    this.popup.hidden = true;
    this.popup.setAttribute("role", "dialog");
    this.popup.setAttribute("aria-label", "选择日期");
    wrap.appendChild(this.popup);
    this.toggle.addEventListener("click", function () { self.popup.hidden ? self.open() : self.close(false); });
    this.popup.addEventListener("keydown", function (e) { self.key(e); });
    document.addEventListener("click", function (e) { if (!wrap.contains(e.target)) self.close(false); });
  }

  Calendar.prototype.open = function () {
    this.focusDay = parse(this.input.value) || new Date();
    this.popup.hidden = false;
    this.toggle.setAttribute("aria-expanded", "true");
    this.popup.classList.remove("date-popup-end");
    this.draw(true);
    // Near the right edge of a phone screen the calendar opens towards the left instead of off the screen.
    if (this.popup.getBoundingClientRect().right > document.documentElement.clientWidth) this.popup.classList.add("date-popup-end");
  };

  Calendar.prototype.close = function (refocus) {
    if (this.popup.hidden) return;
    this.popup.hidden = true;
    this.toggle.setAttribute("aria-expanded", "false");
    if (refocus) this.toggle.focus();
  };

  Calendar.prototype.draw = function (focus) {
    var self = this, day = this.focusDay, popup = this.popup;
    popup.textContent = "";
    var head = el("div", "date-head");
    var prev = el("button", "date-prev", "上月"), next = el("button", "date-next", "下月");
    prev.type = next.type = "button";
    prev.addEventListener("click", function () { self.move(0, -1); });
    next.addEventListener("click", function () { self.move(0, 1); });
    var title = el("span", "date-title", day.getFullYear() + "年" + (day.getMonth() + 1) + "月");
    title.setAttribute("aria-live", "polite");
    head.appendChild(prev); head.appendChild(title); head.appendChild(next);
    popup.appendChild(head);
    var grid = el("table", "date-grid"), row = el("tr");
    WEEK.forEach(function (w) { var th = el("th", "", w); th.scope = "col"; row.appendChild(th); });
    var thead = el("thead"); thead.appendChild(row); grid.appendChild(thead);
    var body = el("tbody"), first = new Date(day.getFullYear(), day.getMonth(), 1);
    var cursor = new Date(first.getFullYear(), first.getMonth(), 1 - first.getDay()), chosen = this.input.value;
    for (var w = 0; w < 6; w++) {
      row = el("tr");
      for (var i = 0; i < 7; i++) {
        row.appendChild(this.cell(new Date(cursor), cursor.getMonth() === day.getMonth(), chosen));
        cursor.setDate(cursor.getDate() + 1);
      }
      body.appendChild(row);
    }
    grid.appendChild(body);
    popup.appendChild(grid);
    if (focus) popup.querySelector("button[tabindex='0'].date-day").focus();
  };

  Calendar.prototype.cell = function (date, inMonth, chosen) {
    var td = el("td"), self = this, value = iso(date);
    if (!inMonth) return td;
    var button = el("button", "date-day", String(date.getDate()));
    button.type = "button";
    button.setAttribute("data-date", value);
    button.appendChild(el("span", "sr-only", "日，" + value));
    button.tabIndex = value === iso(this.focusDay) ? 0 : -1;
    if (value === chosen) button.setAttribute("aria-pressed", "true");
    button.addEventListener("click", function () { self.pick(value); });
    td.appendChild(button);
    return td;
  };

  Calendar.prototype.pick = function (value) {
    this.input.value = value;
    check(this.input);
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
    this.close(false);
    this.input.focus();
  };

  Calendar.prototype.move = function (days, months) {
    var d = this.focusDay;
    this.focusDay = new Date(d.getFullYear(), d.getMonth() + months, months ? Math.min(d.getDate(), 28) : d.getDate() + days);
    this.draw(true);
  };

  Calendar.prototype.key = function (e) {
    var steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    if (e.key === "Escape") { e.preventDefault(); this.close(true); return; }
    if (!e.target.classList.contains("date-day")) return;
    if (steps[e.key]) { e.preventDefault(); this.move(steps[e.key], 0); }
    else if (e.key === "PageUp" || e.key === "PageDown") { e.preventDefault(); this.move(0, e.key === "PageUp" ? -1 : 1); }
  };

  Array.prototype.forEach.call(document.querySelectorAll("input[data-date-input]"), function (input) {
    input.addEventListener("change", function () { check(input); });
    input.addEventListener("blur", function () { check(input); });
    input.addEventListener("input", function () { input.setCustomValidity(""); if (/^\d{8}$/.test(input.value)) check(input); });
    if (input.form) input.form.addEventListener("submit", function (e) { if (!check(input)) { e.preventDefault(); input.reportValidity(); } });
    check(input);
    new Calendar(input);
  });
})();
