// Builds ../static/vendor.js and copies the Natural Earth country outlines (world-atlas).
// Usage: npm ci && npm run build   (the outputs are committed; CI never runs npm)
import { build } from "esbuild";
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from "node:fs";

const out = new URL("../static/", import.meta.url).pathname;
const versions = ["sigma", "graphology", "@sigma/node-border", "d3-geo", "topojson-client", "world-atlas"]
  .map((name) => `${name} ${JSON.parse(readFileSync(`node_modules/${name}/package.json`)).version}`)
  .join(", ");

await build({
  entryPoints: ["vendor-entry.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2019"],
  legalComments: "eof",
  banner: { js: `/* citygraph map vendor bundle: ${versions}. Licences: README.md next to this file. */` },
  outfile: out + "vendor.js",
});
for (const scale of ["50m", "110m"]) copyFileSync(`node_modules/world-atlas/countries-${scale}.json`, out + `countries-${scale}.json`);
// every package whose code is in vendor.js (or whose data is copied), with its licence text
const bundled = ["sigma", "graphology", "graphology-utils", "events", "@sigma/node-border", "d3-geo",
  "d3-array", "internmap", "topojson-client", "world-atlas"];
writeFileSync(out + "vendor.LICENSES.txt", bundled.map((name) => {
  const dir = `node_modules/${name}/`;
  const meta = JSON.parse(readFileSync(dir + "package.json"));
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  return `== ${name} ${meta.version} (${meta.license}) ==\n\n${readFileSync(dir + file, "utf8").trim()}\n`;
}).join("\n"));
console.log("built", out + "vendor.js", "and countries-{50m,110m}.json:", versions);
