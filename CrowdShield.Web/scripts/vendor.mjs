// Copies the distributable files of the npm packages CrowdShield uses into wwwroot/lib (run: npm ci && npm run vendor).
import { cpSync, mkdirSync } from "node:fs";

const copies = [
  ["node_modules/leaflet/dist/leaflet.js", "wwwroot/lib/leaflet/leaflet.js"],
  ["node_modules/leaflet/dist/leaflet.css", "wwwroot/lib/leaflet/leaflet.css"],
  ["node_modules/leaflet/dist/images", "wwwroot/lib/leaflet/images"],
  ["node_modules/leaflet/LICENSE", "wwwroot/lib/leaflet/LICENSE"],
  ["node_modules/leaflet.heat/dist/leaflet-heat.js", "wwwroot/lib/leaflet.heat/leaflet-heat.js"],
  ["node_modules/leaflet.heat/LICENSE", "wwwroot/lib/leaflet.heat/LICENSE"],
  ["node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.js", "wwwroot/lib/leaflet-geoman/leaflet-geoman.js"],
  ["node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css", "wwwroot/lib/leaflet-geoman/leaflet-geoman.css"],
  ["node_modules/@geoman-io/leaflet-geoman-free/LICENSE", "wwwroot/lib/leaflet-geoman/LICENSE"],
];
for (const [from, to] of copies) {
  mkdirSync(to.substring(0, to.lastIndexOf("/")), { recursive: true });
  cpSync(from, to, { recursive: true });
}
console.log(`vendored ${copies.length} paths into wwwroot/lib`);
