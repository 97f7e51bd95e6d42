// Builds web/dist, which the rasd-serve crate embeds: the page, its bundled script and styles, and the base
// map (country outlines of the Middle East and North Africa from Natural Earth via world-atlas). Nothing here
// is fetched at run time. Also copies axe-core for the browser test into web/test/ (not served).
import * as esbuild from "esbuild";
import { feature } from "topojson-client";
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
writeFileSync(
  "dist/NOTICE.txt",
  "Country outlines: Natural Earth (public domain), via the world-atlas package (ISC).\n" +
    "Leaflet (BSD-2-Clause), Leaflet.markercluster (MIT), topojson-client (ISC).\n",
);
copyFileSync("node_modules/axe-core/axe.min.js", "test/axe.min.js");
console.log(`dist: ${features.length} country outlines`);
