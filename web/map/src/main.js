// The demo map page (GET /map): facilities from /facilities.geojson on offline
// country outlines (or tiles, if /map/config.json names a tile URL), filters,
// and statistics from GraphQL `facilityStats`.
//
// Hooks the browser test relies on (keep them stable):
//   #marker-count              number of features on the map
//   #stats-total               facilityStats.total
//   body[data-state]           "loading" while fetching, "ready" once both are rendered, "error"
//   select#filter-country      multiple; a `change` event refetches
//   .facility-popup            root of every marker popup
//   window.wishMap.openPopup(id)  shows that marker (zooming/spiderfying) and opens its popup
import L from 'leaflet';
import 'leaflet.markercluster';

const TYPES = [
  ['DETENTION_HOUSE', 'Detention house', '#d55e00'],
  ['TRANSITION_HOUSE', 'Transition house', '#0072b2'],
  ['YOUTH_SMALL_SCALE', 'Small-scale youth facility', '#009e73'],
  ['COMMUNITY_CUSTODY_UNIT', 'Community custody unit', '#cc79a7'],
  ['HALFWAY_HOUSE', 'Halfway house', '#e69f00'],
  ['OPEN_PRISON', 'Small open prison', '#56b4e9'],
  ['MOTHER_CHILD_UNIT', 'Mother and child unit', '#7b3294'],
  ['OTHER', 'Other', '#6b7280'],
];
const STATUSES = [
  ['OPEN', 'Open'],
  ['PLANNED', 'Planned'],
  ['CLOSED', 'Closed'],
];
const POPULATIONS = [
  ['MEN', 'Men'],
  ['WOMEN', 'Women'],
  ['MIXED', 'Mixed'],
  ['YOUTH', 'Youth'],
];
const TYPE_LABEL = new Map(TYPES.map(([k, label]) => [k, label]));
const TYPE_COLOR = new Map(TYPES.map(([k, , color]) => [k, color]));
const STATUS_LABEL = new Map(STATUSES);
const FALLBACK_COLOR = '#6b7280';
const EUROPE = { center: [50, 10], zoom: 4 };

const STATS_QUERY = `query($f: FacilityFilter){ facilityStats(filter:$f){ total totalCapacity byCountry{key count} byType{key count} byStatus{key count} } }`;
const DETAILS_QUERY = `query($id: ID!){ node(id:$id){ ... on Facility { name city countryCode facilityType status capacity openedYear operator sourceUrl website } } }`;

const $ = (id) => document.getElementById(id);
const numberFormat = new Intl.NumberFormat('en');
let regionNames = null;
try {
  regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
} catch (_) {
  // Older browsers: show codes only.
}

// ---------------------------------------------------------------- helpers

function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

/** An http(s) URL, escaped for an attribute; null for anything else (javascript:, garbage). */
function safeUrl(value) {
  if (typeof value !== 'string' || !value) return null;
  try {
    const url = new URL(value, window.location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? esc(url.href) : null;
  } catch (_) {
    return null;
  }
}

function humanize(key) {
  const s = String(key ?? '').toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
const typeLabel = (k) => TYPE_LABEL.get(k) || humanize(k);
const typeColor = (k) => TYPE_COLOR.get(k) || FALLBACK_COLOR;
const statusLabel = (k) => STATUS_LABEL.get(k) || humanize(k);

function countryName(code) {
  if (!code) return '';
  try {
    const name = regionNames && regionNames.of(String(code).toUpperCase());
    return name && name !== code ? name : code;
  } catch (_) {
    return code;
  }
}

// The GeoJSON properties, whichever spelling the server uses.
function props(feature) {
  const p = feature.properties || {};
  return {
    id: String(feature.id ?? p.id),
    name: p.name ?? '',
    slug: p.slug ?? '',
    facilityType: String(p.facility_type ?? p.facilityType ?? p.type ?? 'OTHER').toUpperCase(),
    status: String(p.status ?? '').toUpperCase(),
    capacity: p.capacity ?? null,
    countryCode: p.country_code ?? p.countryCode ?? p.country ?? '',
    city: p.city ?? null,
  };
}

async function getJson(url, options) {
  const response = await fetch(url, options);
  if (!response.ok) {
    let detail = '';
    try {
      const body = await response.json();
      detail = body && body.message ? `: ${body.message}` : '';
    } catch (_) { /* not JSON */ }
    throw new Error(`${url.split('?')[0]} answered HTTP ${response.status}${detail}`);
  }
  return response.json();
}

async function graphql(query, variables, signal) {
  const body = await getJson('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  if (body.errors && body.errors.length) {
    throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
  }
  return body.data;
}

function setState(state) {
  document.body.dataset.state = state;
}

function showMessage(text) {
  const el = $('message');
  el.textContent = text || '';
  el.hidden = !text;
}

// ---------------------------------------------------------------- filters

function checkboxes(containerId, name, options) {
  $(containerId).innerHTML = options.map(([value, label, color]) => `
    <label class="check">
      <input type="checkbox" name="${esc(name)}" value="${esc(value)}">
      ${color ? `<span class="swatch" style="--c:${esc(color)}" aria-hidden="true"></span>` : ''}
      <span>${esc(label)}</span>
    </label>`).join('');
}

function checked(name) {
  return [...document.querySelectorAll(`#filters input[name="${name}"]:checked`)].map((i) => i.value);
}

function intValue(id) {
  const raw = $(id).value.trim();
  if (raw === '') return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

function readFilters() {
  return {
    country: [...$('filter-country').selectedOptions].map((o) => o.value),
    type: checked('type'),
    status: checked('status'),
    population: checked('population'),
    capacityMin: intValue('filter-capacity-min'),
    capacityMax: intValue('filter-capacity-max'),
  };
}

function toQueryString(f) {
  // Commas stay literal: `country=BE,NL` is what the API documents.
  const parts = [];
  for (const key of ['country', 'type', 'status', 'population']) {
    if (f[key].length) parts.push(`${key}=${f[key].map(encodeURIComponent).join(',')}`);
  }
  if (f.capacityMin !== null) parts.push(`capacityMin=${f.capacityMin}`);
  if (f.capacityMax !== null) parts.push(`capacityMax=${f.capacityMax}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function toGraphQLFilter(f) {
  const out = {};
  if (f.country.length) out.countryCode = f.country;
  if (f.type.length) out.facilityType = f.type;
  if (f.status.length) out.status = f.status;
  if (f.population.length) out.population = f.population;
  if (f.capacityMin !== null) out.capacityMin = f.capacityMin;
  if (f.capacityMax !== null) out.capacityMax = f.capacityMax;
  return out;
}

function fillCountries(byCountry) {
  const select = $('filter-country');
  const chosen = new Set([...select.selectedOptions].map((o) => o.value));
  const rows = (byCountry || [])
    .filter((b) => b && b.key)
    .map((b) => ({ code: String(b.key).toUpperCase(), name: countryName(String(b.key).toUpperCase()), count: b.count }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  select.innerHTML = rows.map((r) => `<option value="${esc(r.code)}"${chosen.has(r.code) ? ' selected' : ''}>${
    esc(r.name)}${r.name !== r.code ? ` (${esc(r.code)})` : ''} · ${esc(r.count)}</option>`).join('');
  select.size = Math.min(8, Math.max(3, rows.length));
}

// ---------------------------------------------------------------- map

const map = L.map('map', {
  center: EUROPE.center,
  zoom: EUROPE.zoom,
  minZoom: 3,
  maxZoom: 18,
  worldCopyJump: false,
});
map.attributionControl.setPrefix(
  '<a href="https://leafletjs.com" title="A JavaScript library for interactive maps">Leaflet</a>',
);

function clusterIcon(cluster) {
  const markers = cluster.getAllChildMarkers();
  const counts = new Map();
  for (const m of markers) counts.set(m.options.facilityType, (counts.get(m.options.facilityType) || 0) + 1);
  // A ring of the types' shares, in legend order.
  let at = 0;
  const stops = [];
  const ordered = [...counts.entries()].sort((a, b) => order(a[0]) - order(b[0]));
  for (const [type, count] of ordered) {
    const from = (at / markers.length) * 360;
    at += count;
    const to = (at / markers.length) * 360;
    stops.push(`${typeColor(type)} ${from.toFixed(1)}deg ${to.toFixed(1)}deg`);
  }
  const n = markers.length;
  const size = n < 10 ? 34 : n < 50 ? 40 : 48;
  return L.divIcon({
    html: `<div class="ring" style="background:conic-gradient(${stops.join(',')})"><span>${n}</span></div>`,
    className: 'facility-cluster',
    iconSize: [size, size],
  });
}
const order = (type) => {
  const i = TYPES.findIndex(([k]) => k === type);
  return i < 0 ? TYPES.length : i;
};
const statusOrder = (status) => {
  const i = STATUSES.findIndex(([k]) => k === status);
  return i < 0 ? STATUSES.length : i;
};

const cluster = L.markerClusterGroup({
  showCoverageOnHover: false,
  maxClusterRadius: 45,
  spiderfyOnMaxZoom: true,
  iconCreateFunction: clusterIcon,
});
map.addLayer(cluster);

const markersById = new Map();

function facilityIcon(p) {
  return L.divIcon({
    className: `facility-marker status-${esc(p.status.toLowerCase())}`,
    html: `<span class="dot" style="--c:${typeColor(p.facilityType)}"></span>`,
    iconSize: [16, 16],
    iconAnchor: [8, 8],
    popupAnchor: [0, -6],
  });
}

function renderFeatures(collection) {
  cluster.clearLayers();
  markersById.clear();
  const markers = [];
  for (const feature of (collection && collection.features) || []) {
    const g = feature.geometry;
    if (!g || g.type !== 'Point' || !Array.isArray(g.coordinates)) continue;
    const [lon, lat] = g.coordinates;
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    const p = props(feature);
    const marker = L.marker([lat, lon], {
      icon: facilityIcon(p),
      title: p.name,
      alt: p.name,
      keyboard: true,
      riseOnHover: true,
      facilityType: p.facilityType,
    });
    // Leaflet calls a content function on every popup.update(): build the
    // content once per opening so that updating it does not rebuild it.
    let content = null;
    marker.bindPopup(() => {
      if (!content) content = popupContent(p, () => marker.getPopup());
      return content;
    }, { minWidth: 220, maxWidth: 320, autoPanPadding: [24, 24] });
    marker.on('popupclose', () => { content = null; });
    markersById.set(p.id, { marker, p });
    markers.push(marker);
  }
  cluster.addLayers(markers);
  $('marker-count').textContent = String(markers.length);
  return markers;
}

// ---------------------------------------------------------------- popups

const details = new Map(); // id -> Promise of the GraphQL Facility

function popupRows(p, d) {
  const capacity = (d && d.capacity != null) ? d.capacity : p.capacity;
  const rows = [
    ['Type', `<span class="swatch" style="--c:${typeColor(p.facilityType)}" aria-hidden="true"></span>${esc(typeLabel(p.facilityType))}`],
    ['Status', esc(statusLabel(p.status))],
    ['Capacity', capacity != null ? `${esc(numberFormat.format(capacity))} places` : 'unknown'],
  ];
  if (d && d.openedYear != null) rows.push([p.status === 'PLANNED' ? 'Opening' : 'Opened', esc(d.openedYear)]);
  if (d && d.operator) rows.push(['Operator', esc(d.operator)]);
  return rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
}

function popupHtml(p, d, note) {
  const place = [p.city, `${countryName(p.countryCode)}${p.countryCode && countryName(p.countryCode) !== p.countryCode ? ` (${p.countryCode})` : ''}`]
    .filter(Boolean).map(esc).join(', ');
  let links = '';
  if (d) {
    const source = safeUrl(d.sourceUrl);
    const website = safeUrl(d.website);
    const parts = [];
    if (source) parts.push(`<a href="${source}" target="_blank" rel="noopener noreferrer">Source</a>`);
    if (website) parts.push(`<a href="${website}" target="_blank" rel="noopener noreferrer">Website</a>`);
    links = parts.length ? `<p class="fp-links">${parts.join(' · ')}</p>` : '<p class="fp-note">No source recorded.</p>';
  }
  return `<h2 class="fp-name">${esc(p.name)}</h2>
    <p class="fp-place">${place}</p>
    <dl class="fp-facts">${popupRows(p, d)}</dl>
    ${links}${note ? `<p class="fp-note">${esc(note)}</p>` : ''}`;
}

/** The popup's content; `popupOf()` returns the L.Popup it sits in, to resize it when details arrive. */
function popupContent(p, popupOf) {
  const root = document.createElement('div');
  root.className = 'facility-popup';
  root.dataset.id = p.id;
  root.innerHTML = popupHtml(p, null, 'Loading details…');
  if (!details.has(p.id)) {
    const request = graphql(DETAILS_QUERY, { id: p.id }).then((data) => {
      if (!data || !data.node) throw new Error('facility not found');
      return data.node;
    });
    request.catch(() => details.delete(p.id)); // try again next time
    details.set(p.id, request);
  }
  details.get(p.id).then(
    (d) => { root.innerHTML = popupHtml(p, d); },
    (e) => { root.innerHTML = popupHtml(p, null, `Details unavailable (${e.message}).`); },
  ).then(() => {
    const popup = popupOf();
    if (popup && popup.isOpen()) popup.update();
  });
  return root;
}

// ---------------------------------------------------------------- stats

function bars(listId, buckets, label, color) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  $(listId).innerHTML = buckets.length
    ? buckets.map((b) => `<li>
        <span class="bar-label">${color ? `<span class="swatch" style="--c:${color(b.key)}" aria-hidden="true"></span>` : ''}${esc(label(b.key))}</span>
        <span class="bar-count">${esc(b.count)}</span>
        <span class="bar" style="width:${((b.count / max) * 100).toFixed(1)}%" aria-hidden="true"></span>
      </li>`).join('')
    : '<li class="empty">none</li>';
}

function renderStats(stats) {
  $('stats-total').textContent = String(stats.total);
  $('stats-capacity').textContent = numberFormat.format(stats.totalCapacity);
  const norm = (list) => (list || []).map((b) => ({ key: String(b.key).toUpperCase(), count: b.count }));
  bars('stats-by-type', norm(stats.byType).sort((a, b) => b.count - a.count), typeLabel, typeColor);
  bars('stats-by-status', norm(stats.byStatus).sort((a, b) => statusOrder(a.key) - statusOrder(b.key)), statusLabel);
}

// ---------------------------------------------------------------- base layers

async function addBaseLayer() {
  let config = {};
  try {
    config = await getJson('/map/config.json');
  } catch (e) {
    console.warn('No map config, using the offline outlines:', e.message);
  }
  if (typeof config.tileUrl === 'string' && config.tileUrl) {
    document.body.classList.add('with-tiles');
    L.tileLayer(config.tileUrl, {
      attribution: typeof config.attribution === 'string' ? config.attribution : '',
      maxZoom: 19,
    }).addTo(map);
    return;
  }
  try {
    const outlines = await getJson('/map/assets/countries.json');
    L.geoJSON(outlines, {
      interactive: false,
      renderer: L.canvas({ padding: 0.5 }),
      style: { color: '#9aa4ae', weight: 0.8, fillColor: '#f7f5f0', fillOpacity: 1 },
      attribution: 'Outlines: Natural Earth',
    }).addTo(map).bringToBack();
    map.setMaxBounds([[10, -90], [85, 115]]);
  } catch (e) {
    console.warn('Country outlines unavailable:', e.message);
  }
}

function addLegend() {
  const legend = L.control({ position: 'bottomright' });
  legend.onAdd = () => {
    const div = L.DomUtil.create('div', 'legend');
    // Folded where it would cover much of the map.
    const size = map.getSize();
    const small = size.y < 560 || size.x < 900;
    div.innerHTML = `<details${small ? '' : ' open'}><summary>Legend</summary>
      <ul>${TYPES.map(([k, label, color]) => `<li><span class="swatch" style="--c:${color}" aria-hidden="true"></span>${esc(label)}</li>`).join('')}</ul>
      <ul class="legend-status">
        <li><span class="facility-marker status-open"><span class="dot" style="--c:#4b5563"></span></span>Open</li>
        <li><span class="facility-marker status-planned"><span class="dot" style="--c:#4b5563"></span></span>Planned</li>
        <li><span class="facility-marker status-closed"><span class="dot" style="--c:#4b5563"></span></span>Closed</li>
      </ul></details>`;
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  legend.addTo(map);
}

// ---------------------------------------------------------------- loading

let generation = 0;
let controller = null;
let lastCountries = '';
let home = null; // bounds of all facilities, from the first load

async function refresh({ initial = false, extra = [] } = {}) {
  const mine = ++generation;
  if (controller) controller.abort();
  controller = new AbortController();
  const { signal } = controller;
  setState('loading');
  const filters = readFilters();
  try {
    const [collection, data] = await Promise.all([
      getJson(`/facilities.geojson${toQueryString(filters)}`, { signal, headers: { Accept: 'application/geo+json, application/json' } }),
      graphql(STATS_QUERY, { f: toGraphQLFilter(filters) }, signal),
      ...extra,
    ]);
    if (mine !== generation) return;
    const stats = data.facilityStats;
    if (initial) fillCountries(stats.byCountry);
    const markers = renderFeatures(collection);
    renderStats(stats);
    showMessage(markers.length ? '' : 'No facility matches these filters.');
    // The first load frames all the facilities; a new choice of countries
    // frames those countries' (or, with none chosen, goes back to the first view).
    const countries = filters.country.join(',');
    if (initial || countries !== lastCountries) {
      lastCountries = countries;
      const settled = settle();
      if (initial && markers.length) {
        home = L.latLngBounds(markers.map((m) => m.getLatLng()));
        map.fitBounds(home, { padding: [24, 24], maxZoom: 5, animate: false });
      } else if (filters.country.length && markers.length) {
        map.fitBounds(L.latLngBounds(markers.map((m) => m.getLatLng())), { padding: [40, 40], maxZoom: 8 });
      } else if (home) {
        map.fitBounds(home, { padding: [24, 24], maxZoom: 5 });
      } else {
        map.setView(EUROPE.center, EUROPE.zoom);
      }
      await settled;
      if (mine !== generation) return;
    }
    setState('ready');
  } catch (e) {
    if (mine !== generation || e.name === 'AbortError') return;
    console.error(e);
    showMessage(`Could not load the facilities: ${e.message}`);
    setState('error');
  }
}

/** Resolves once the map has stopped moving and the clusters have finished animating. */
function settle() {
  return new Promise((resolve) => {
    let finished = false;
    const done = () => {
      if (!finished) {
        finished = true;
        resolve();
      }
    };
    map.once('moveend', () => {
      // markercluster animates splitting/merging clusters after a zoom.
      if (cluster._inZoomAnimation) cluster.once('animationend', done);
      else done();
    });
    setTimeout(done, 2000);
  });
}

let debounce = null;
function refreshSoon() {
  clearTimeout(debounce);
  debounce = setTimeout(() => refresh(), 400);
}

function init() {
  checkboxes('filter-type', 'type', TYPES);
  checkboxes('filter-status', 'status', STATUSES);
  checkboxes('filter-population', 'population', POPULATIONS);
  addLegend();

  const form = $('filters');
  form.addEventListener('submit', (e) => { e.preventDefault(); refresh(); });
  form.addEventListener('change', (e) => {
    clearTimeout(debounce);
    if (e.target && e.target.type === 'number') refreshSoon();
    else refresh();
  });
  form.addEventListener('input', (e) => {
    if (e.target && e.target.type === 'number') refreshSoon();
  });
  // After the form has cleared its controls.
  form.addEventListener('reset', () => setTimeout(() => refresh(), 0));

  const base = addBaseLayer();
  refresh({ initial: true, extra: [base] });
}

window.wishMap = {
  map,
  cluster,
  refresh,
  /** The L.Marker of this feature id, if it is loaded. */
  marker: (featureId) => (markersById.get(String(featureId)) || {}).marker,
  /** Shows the marker of this feature id (zooming or spiderfying as needed) and opens its popup. */
  openPopup(featureId) {
    const entry = markersById.get(String(featureId));
    if (!entry) return Promise.reject(new Error(`no marker for feature ${featureId}`));
    return showAndOpen(entry);
  },
};

function showAndOpen({ marker, p }) {
  return new Promise((resolve) => {
    let done = false;
    const open = () => {
      if (done) return;
      done = true;
      if (marker._map) {
        marker.openPopup();
      } else {
        // Still hidden in a cluster: open the same popup at its position.
        const popup = L.popup({ minWidth: 220, maxWidth: 320 }).setLatLng(marker.getLatLng());
        popup.setContent(popupContent(p, () => popup));
        map.openPopup(popup);
      }
      resolve(true);
    };
    map.closePopup();
    cluster.zoomToShowLayer(marker, open);
    // zoomToShowLayer waits for a move that may never come (the map is already
    // as close as it gets): then go straight there and spiderfy.
    setTimeout(() => {
      if (done) return;
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 16), { animate: false });
      const parent = cluster.getVisibleParent(marker);
      if (parent && parent !== marker && typeof parent.spiderfy === 'function') {
        cluster.once('spiderfied', open);
        parent.spiderfy();
        setTimeout(open, 1000);
      } else {
        open();
      }
    }, 1500);
  });
}

init();
