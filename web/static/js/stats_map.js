// The statistics map: a choropleth of the focus division's regions (colour = reports), figures in the
// tooltip, a click on a region opens the same page filtered by it. Regions are GeoJSON features named by
// their GB/T 2260 code (built by `make assets`); the page's JSON block gives each code's name and figures.
(function () {
  var el = document.getElementById("chart-map");
  if (!el) return;
  var view = JSON.parse(document.getElementById("stats-data").textContent).map;
  function unavailable() {
    el.hidden = true;
    document.getElementById("map-note").hidden = false;
  }
  if (typeof echarts === "undefined" || !view.shape || !window.fetch) { unavailable(); return; }
  var byCode = {};
  view.regions.forEach(function (r) { byCode[r.code] = r; });
  var esc = echarts.format.encodeHTML;

  function tooltip(p) {
    var r = byCode[p.name];
    if (!r) return esc(p.name);
    if (!r.in_scope) return esc(r.name) + "<br>不在本区划统计范围";
    return "<strong>" + esc(r.name) + "</strong><br>报送：" + r.total + " 条<br>重大风险：" + r.major +
      " 条<br>逾期：" + r.overdue + " 条<br>已办结：" + r.closed + " 条" + (r.link ? "<br>点击查看该地区统计" : "");
  }

  function option(mapName) {
    var counted = view.regions.filter(function (r) { return r.in_scope; });
    var max = Math.max.apply(null, [1].concat(counted.map(function (r) { return r.total; })));
    return {
      tooltip: {trigger: "item", formatter: tooltip},
      visualMap: {type: "continuous", min: 0, max: max, text: ["报送多", "少"], left: 4, bottom: 4, itemWidth: 12, itemHeight: 90,
                  calculable: false, inRange: {color: ["#e3eefb", "#6fa3dc", "#0b5cad"]}},
      series: [{
        type: "map", map: mapName, selectedMode: false, roam: false,
        layoutCenter: ["52%", "50%"], layoutSize: "98%",  // keeps the shapes' proportions at any width
        label: {show: true, fontSize: 11, color: "#1f2933",
                formatter: function (p) { return byCode[p.name] ? byCode[p.name].label : ""; }},
        itemStyle: {areaColor: "#eceff1", borderColor: "#fff", borderWidth: 1},
        emphasis: {label: {color: "#000"}, itemStyle: {areaColor: "#f9a825"}},
        data: counted.map(function (r) { return {name: r.code, value: r.total}; })
      }]
    };
  }

  function draw(geo) {
    var mapName = "shaanxi-" + view.shape;
    echarts.registerMap(mapName, geo);
    var chart = echarts.init(el);
    chart.setOption(option(mapName));
    chart.on("click", function (p) {
      var r = byCode[p.name];
      if (!r || !r.link) return;
      var params = new URLSearchParams(window.location.search);
      params.set("division", r.code);
      window.location.assign("?" + params.toString());
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-ready", "1");
  }

  fetch(el.getAttribute("data-shapes") + view.shape + ".json", {credentials: "same-origin"})
    .then(function (response) {
      if (!response.ok) throw new Error("map " + response.status);
      return response.json();
    })
    .then(draw)
    .catch(unavailable);
})();
