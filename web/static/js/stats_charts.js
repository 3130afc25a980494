// The statistics charts (echarts) drawn from the JSON block the page carries; the tables hold every number.
(function () {
  if (typeof echarts === "undefined") return;  // tables above carry every number
  var data = JSON.parse(document.getElementById("stats-data").textContent);
  var RISK_COLORS = {major: "#c62828", significant: "#ef6c00", general: "#f9a825", low: "#1565c0", none: "#9e9e9e"};
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function bar(names, values, color) {
    return {tooltip: {trigger: "axis"}, grid: {left: 10, right: 10, bottom: 10, top: 20, containLabel: true},
            xAxis: {type: "category", data: names, axisLabel: {interval: 0, rotate: names.length > 5 ? 35 : 0}},
            yAxis: {type: "value", minInterval: 1},
            series: [{type: "bar", data: values, itemStyle: color ? {color: color} : undefined}]};
  }
  Object.keys(data.titles).forEach(function (name) {
    var counts = data.summary[name], labels = data.labels[name] || {};
    var items = Object.keys(counts).map(function (k) {
      var item = {name: labels[k] || k, value: counts[k]};
      if (name === "by_risk_level") item.itemStyle = {color: RISK_COLORS[k]};
      return item;
    });
    if (name === "by_equipment_category" || name === "by_domain") {
      draw("chart-" + name, bar(items.map(function (i) { return i.name; }), items.map(function (i) { return i.value; })));
    } else {
      draw("chart-" + name, {tooltip: {trigger: "item", formatter: "{b}：{c}（{d}%）"},
                             legend: {type: "scroll", bottom: 0},
                             series: [{type: "pie", center: ["50%", "44%"], radius: ["28%", "52%"], data: items,
                                       label: {formatter: "{b}\n{c}"}}]});
    }
  });
  var drill = data.drilldown.items;
  draw("chart-drill", bar(drill.map(function (i) { return i.name; }), drill.map(function (i) { return i.total; })));
  var buckets = data.handling_time.buckets;
  draw("chart-time", bar(buckets.map(function (b) { return b.label; }), buckets.map(function (b) { return b.count; }), "#0b5cad"));
  var months = data.trend.map(function (m) { return m.code; });
  draw("chart-trend", {tooltip: {trigger: "axis"}, legend: {bottom: 0}, grid: {left: 40, right: 10, bottom: 50, top: 20},
                       xAxis: {type: "category", data: months}, yAxis: {type: "value", minInterval: 1},
                       series: [{name: "报送", type: "line", data: data.trend.map(function (m) { return m.total; })},
                                {name: "已办结", type: "line", data: data.trend.map(function (m) { return m.closed; })},
                                {name: "重大风险", type: "line", data: data.trend.map(function (m) { return m.major; }),
                                 itemStyle: {color: "#c62828"}}]});
})();
