// Builds the demo map page into api/assets/map/ (embedded in the Rust binary):
//   index.html      copied from src/index.html
//   map.js          src/main.js + Leaflet + Leaflet.markercluster, bundled and minified
//   map.css         src/map.css + the libraries' CSS (their few images inlined)
//   countries.json  GeoJSON country outlines around Europe, from world-atlas (Natural Earth)
//
// Usage: npm ci && npm run build   (from web/map/)
import { mkdir, readFile, writeFile, copyFile, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import { feature } from 'topojson-client';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'api', 'assets', 'map');
const require = createRequire(import.meta.url);

// Countries are kept (whole, unclipped: clipping would draw false borders)
// where they meet this box around Europe; their far-flung parts (overseas
// departments, ...) are dropped where they do not meet the wider one.
const KEEP = { west: -30, south: 30, east: 60, north: 75 };
const PARTS = { west: -80, south: 10, east: 100, north: 90 };
const DECIMALS = 3;

await mkdir(out, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
};

await esbuild.build({
  ...common,
  entryPoints: [join(here, 'src', 'main.js')],
  outfile: join(out, 'map.js'),
  // Leaflet's notice is kept by legalComments; markercluster's has no marker.
  banner: { js: '/*! Leaflet.markercluster (c) 2012-2017 Dave Leaver, smartrak; MIT licence. WISH map page. */' },
  format: 'iife',
  target: 'es2020',
});

await esbuild.build({
  ...common,
  entryPoints: [join(here, 'src', 'map.css')],
  outfile: join(out, 'map.css'),
  target: ['chrome90', 'firefox88', 'safari14'],
  // Leaflet's CSS refers to three small PNGs: inline them so no extra file exists.
  loader: { '.png': 'dataurl' },
});

await copyFile(join(here, 'src', 'index.html'), join(out, 'index.html'));

await writeFile(join(out, 'countries.json'), JSON.stringify(await countries()));

for (const name of (await readdir(out)).sort()) {
  const { size } = await stat(join(out, name));
  console.log(`${name.padEnd(16)} ${(size / 1024).toFixed(1).padStart(7)} KiB`);
}

async function countries() {
  const topo = JSON.parse(await readFile(require.resolve('world-atlas/countries-50m.json'), 'utf8'));
  const features = [];
  for (const f of feature(topo, topo.objects.countries).features) {
    if (!f.geometry) continue;
    const polygons = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates)
      .map((polygon) => polygon.map(unwrap));
    if (!polygons.some((polygon) => intersects(bounds(polygon[0]), KEEP))) continue;
    const kept = polygons
      .filter((polygon) => intersects(bounds(polygon[0]), PARTS))
      .map((polygon) => polygon.map(round).filter((ring) => ring.length >= 4))
      .filter((polygon) => polygon.length);
    if (!kept.length) continue;
    features.push({
      type: 'Feature',
      id: f.id,
      properties: { name: f.properties.name },
      geometry: kept.length === 1
        ? { type: 'Polygon', coordinates: kept[0] }
        : { type: 'MultiPolygon', coordinates: kept },
    });
  }
  return { type: 'FeatureCollection', features };
}

// A ring that crosses the antimeridian (Russia's) jumps from +180 to -180:
// move its western points east of 180 so that it stays one planar shape.
function unwrap(ring) {
  const crosses = ring.some((p, i) => i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180);
  return crosses ? ring.map(([x, y]) => [x < 0 ? x + 360 : x, y]) : ring;
}

function bounds(ring) {
  const b = { west: Infinity, south: Infinity, east: -Infinity, north: -Infinity };
  for (const [x, y] of ring) {
    if (x < b.west) b.west = x;
    if (x > b.east) b.east = x;
    if (y < b.south) b.south = y;
    if (y > b.north) b.north = y;
  }
  return b;
}

function intersects(a, b) {
  return a.west <= b.east && a.east >= b.west && a.south <= b.north && a.north >= b.south;
}

// Rounds to DECIMALS and drops points that became duplicates of their predecessor.
function round(ring) {
  const f = 10 ** DECIMALS;
  const outRing = [];
  for (const [x, y] of ring) {
    const p = [Math.round(x * f) / f, Math.round(y * f) / f];
    const last = outRing[outRing.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) outRing.push(p);
  }
  return outRing;
}
