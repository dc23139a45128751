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
//   select#map-language        en, fr, nl or es; a `change` relabels the page
//   body[data-lang]            the language the page shows, once its labels are in place
//   body[data-live]            "on" while subscribed to the change feed, "off" otherwise
//
// Live: the page subscribes to the change feed over WebSocket
// (graphql-transport-ws on /graphql) from where the feed ends when it loads,
// and reloads its markers and statistics when a facility changes; after a
// lost connection it resumes after the last change it saw.
//
// Languages: the labels of categories come from the API (`labels(lang:)`),
// the page's own words from text.js. The choice is kept in the URL
// (`?lang=nl`) and in localStorage; without either, the browser's language
// decides, and English is the fallback.
import L from 'leaflet';
import 'leaflet.markercluster';
import { LANGUAGES, TEXT, format } from './text.js';

// Values in legend order, with their colours; their labels come from the API.
const TYPES = [
  ['DETENTION_HOUSE', '#d55e00'],
  ['TRANSITION_HOUSE', '#0072b2'],
  ['YOUTH_SMALL_SCALE', '#009e73'],
  ['COMMUNITY_CUSTODY_UNIT', '#cc79a7'],
  ['HALFWAY_HOUSE', '#e69f00'],
  ['OPEN_PRISON', '#56b4e9'],
  ['MOTHER_CHILD_UNIT', '#7b3294'],
  ['OTHER', '#6b7280'],
];
const STATUSES = ['OPEN', 'PLANNED', 'CLOSED'];
const POPULATIONS = ['MEN', 'WOMEN', 'MIXED', 'YOUTH'];
const TYPE_COLOR = new Map(TYPES);
const FALLBACK_COLOR = '#6b7280';
const EUROPE = { center: [50, 10], zoom: 4 };
const LANGUAGE_KEY = 'wish-map-language';

const STATS_QUERY = `query($f: FacilityFilter){ facilityStats(filter:$f){ total totalCapacity byCountry{key count} byType{key count} byStatus{key count} } }`;
const DETAILS_QUERY = `query($id: ID!){ node(id:$id){ ... on Facility { name city countryCode facilityType status capacity openedYear operator sources { url title } website resources(first: 5) { totalCount nodes { title url } } } } }`;
const LABELS_QUERY = 'query($lang: Language!){ labels(lang: $lang){ enum value label } }';

const $ = (id) => document.getElementById(id);

// The language the page shows, and what depends on it.
let lang = 'en';
let text = TEXT.en;
let labels = new Map(); // "FacilityType.DETENTION_HOUSE" -> label
let numberFormat = new Intl.NumberFormat('en');
let regionNames = null;

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
const label = (enumeration, value) => labels.get(`${enumeration}.${value}`) || humanize(value);
const typeLabel = (k) => label('FacilityType', k);
const typeColor = (k) => TYPE_COLOR.get(k) || FALLBACK_COLOR;
const statusLabel = (k) => label('FacilityStatus', k);

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
    // Only a position on the building is exact; unstated counts as approximate.
    approximate: String(p.location_precision ?? p.locationPrecision ?? '').toLowerCase() !== 'exact',
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

/** Check boxes of `values` (relabelled in place: what is ticked stays ticked). */
function checkboxes(containerId, name, values, labelOf, colorOf) {
  const ticked = new Set(checked(name));
  $(containerId).innerHTML = values.map((value) => `
    <label class="check">
      <input type="checkbox" name="${esc(name)}" value="${esc(value)}"${ticked.has(value) ? ' checked' : ''}>
      ${colorOf ? `<span class="swatch" style="--c:${esc(colorOf(value))}" aria-hidden="true"></span>` : ''}
      <span>${esc(labelOf(value))}</span>
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

let countryBuckets = [];
function fillCountries(byCountry) {
  countryBuckets = byCountry || [];
  const select = $('filter-country');
  const chosen = new Set([...select.selectedOptions].map((o) => o.value));
  const rows = (byCountry || [])
    .filter((b) => b && b.key)
    .map((b) => ({ code: String(b.key).toUpperCase(), name: countryName(String(b.key).toUpperCase()), count: b.count }))
    .sort((a, b) => a.name.localeCompare(b.name, lang));
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
  const i = STATUSES.indexOf(status);
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
    className: `facility-marker status-${esc(p.status.toLowerCase())}${p.approximate ? ' approximate' : ''}`,
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
    [text.type, `<span class="swatch" style="--c:${typeColor(p.facilityType)}" aria-hidden="true"></span>${esc(typeLabel(p.facilityType))}`],
    [text.status, esc(statusLabel(p.status))],
    [text.capacity, capacity != null ? esc(format(text.placesCount, { n: numberFormat.format(capacity) })) : esc(text.unknown)],
  ];
  if (d && d.openedYear != null) rows.push([p.status === 'PLANNED' ? text.opening : text.opened, esc(d.openedYear)]);
  if (d && d.operator) rows.push([text.operator, esc(d.operator)]);
  return rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('');
}

/** The facility's resources in the knowledge library, when it has some: the first few, linked where they have an address. */
function libraryHtml(resources) {
  if (!resources || !resources.totalCount) return '';
  const items = resources.nodes.map((r) => {
    const url = safeUrl(r.url);
    return url
      ? `<li><a href="${url}" target="_blank" rel="noopener noreferrer">${esc(r.title)}</a></li>`
      : `<li>${esc(r.title)}</li>`;
  });
  const more = resources.totalCount - resources.nodes.length;
  if (more > 0) items.push(`<li class="fp-more">${esc(format(text.moreResources, { n: numberFormat.format(more) }))}</li>`);
  return `<p class="fp-library-title">${esc(text.library)}</p><ul class="fp-library">${items.join('')}</ul>`;
}

function popupHtml(p, d, note) {
  const place = [p.city, `${countryName(p.countryCode)}${p.countryCode && countryName(p.countryCode) !== p.countryCode ? ` (${p.countryCode})` : ''}`]
    .filter(Boolean).map(esc).join(', ');
  let links = '';
  if (d) {
    const sources = (d.sources || []).map((s) => [safeUrl(s.url), s.title]).filter(([url]) => url);
    const website = safeUrl(d.website);
    const parts = sources.map(([url, title], i) => {
      // Numbered when there are several; the title, where recorded, on hover.
      const label = sources.length > 1 ? `${text.source} ${i + 1}` : text.source;
      const hover = title ? ` title="${esc(title)}"` : '';
      return `<a href="${url}"${hover} target="_blank" rel="noopener noreferrer">${esc(label)}</a>`;
    });
    if (website) parts.push(`<a href="${website}" target="_blank" rel="noopener noreferrer">${esc(text.website)}</a>`);
    links = parts.length ? `<p class="fp-links">${parts.join(' · ')}</p>` : `<p class="fp-note">${esc(text.noSource)}</p>`;
    links += libraryHtml(d.resources);
  }
  return `<h2 class="fp-name">${esc(p.name)}</h2>
    <p class="fp-place">${place}</p>
    <dl class="fp-facts">${popupRows(p, d)}</dl>
    ${p.approximate ? `<p class="fp-note fp-approximate">${esc(text.approximatePosition)}</p>` : ''}
    ${links}${note ? `<p class="fp-note">${esc(note)}</p>` : ''}`;
}

/** The popup's content; `popupOf()` returns the L.Popup it sits in, to resize it when details arrive. */
function popupContent(p, popupOf) {
  const root = document.createElement('div');
  root.className = 'facility-popup';
  root.dataset.id = p.id;
  root.innerHTML = popupHtml(p, null, text.loadingDetails);
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
    (e) => { root.innerHTML = popupHtml(p, null, format(text.detailsUnavailable, { error: e.message })); },
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
    : `<li class="empty">${esc(text.none)}</li>`;
}

let lastStats = null;
function renderStats(stats) {
  lastStats = stats;
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

let legendDiv = null;
function addLegend() {
  const legend = L.control({ position: 'bottomright' });
  legend.onAdd = () => {
    legendDiv = L.DomUtil.create('div', 'legend');
    // Folded where it would cover much of the map.
    const size = map.getSize();
    const small = size.y < 560 || size.x < 900;
    legendDiv.innerHTML = `<details${small ? '' : ' open'}><summary></summary>
      <ul class="legend-type"></ul><ul class="legend-status"></ul><ul class="legend-position"></ul></details>`;
    renderLegend();
    L.DomEvent.disableClickPropagation(legendDiv);
    L.DomEvent.disableScrollPropagation(legendDiv);
    return legendDiv;
  };
  legend.addTo(map);
}

/** The legend's words, in the page's language (folded or not, it stays so). */
function renderLegend() {
  if (!legendDiv) return;
  legendDiv.querySelector('summary').textContent = text.legend;
  legendDiv.querySelector('.legend-type').innerHTML = TYPES.map(([k, color]) => `<li><span class="swatch" style="--c:${color}" aria-hidden="true"></span>${esc(typeLabel(k))}</li>`).join('');
  legendDiv.querySelector('.legend-status').innerHTML = STATUSES.map((k) => `<li><span class="facility-marker status-${k.toLowerCase()}"><span class="dot" style="--c:#4b5563"></span></span>${esc(statusLabel(k))}</li>`).join('');
  legendDiv.querySelector('.legend-position').innerHTML = `<li><span class="facility-marker status-open approximate"><span class="dot" style="--c:#4b5563"></span></span>${esc(text.approximateLegend)}</li>`;
}

// ---------------------------------------------------------------- language

/** One of the switch's languages for a code like `nl-BE`; null for any other. */
function supported(code) {
  if (!code) return null;
  const primary = String(code).toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.some(([c]) => c === primary) ? primary : null;
}

function storedLanguage() {
  try {
    return window.localStorage.getItem(LANGUAGE_KEY);
  } catch (_) {
    return null; // storage disabled
  }
}

/** The URL's `lang`, else the last choice, else the browser's languages, else English. */
function initialLanguage() {
  const fromUrl = new URLSearchParams(window.location.search).get('lang');
  const browser = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  for (const code of [fromUrl, storedLanguage(), ...browser]) {
    const found = supported(code);
    if (found) return found;
  }
  return 'en';
}

/** Remembers a reader's choice, in the URL (to share or reload) and for their next visit. */
function remember(code) {
  try {
    window.localStorage.setItem(LANGUAGE_KEY, code);
  } catch (_) { /* storage disabled: the URL still has it */ }
  const url = new URL(window.location.href);
  url.searchParams.set('lang', code);
  window.history.replaceState(null, '', url);
}

async function fetchLabels(code) {
  // By GET, so that a browser or CDN keeps the answer like the other anonymous reads.
  const params = new URLSearchParams({ query: LABELS_QUERY, variables: JSON.stringify({ lang: code.toUpperCase() }) });
  const body = await getJson(`/graphql?${params}`, { headers: { Accept: 'application/json' } });
  if (body.errors && body.errors.length) {
    throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
  }
  return new Map(body.data.labels.map((l) => [`${l.enum}.${l.value}`, l.label]));
}

/** Shows the page in `code`: its words, the categories' labels, numbers and country names. */
let languageGeneration = 0;
async function setLanguage(code) {
  const mine = ++languageGeneration;
  const wanted = supported(code) || 'en';
  let fetched;
  try {
    fetched = await fetchLabels(wanted);
  } catch (e) {
    // The page stays usable: the categories show their codes, humanised.
    console.warn('No labels for', wanted, e.message);
    fetched = new Map();
  }
  if (mine !== languageGeneration) return; // a later choice wins
  lang = wanted;
  text = TEXT[lang];
  labels = fetched;
  numberFormat = new Intl.NumberFormat(lang);
  try {
    regionNames = new Intl.DisplayNames([lang], { type: 'region' });
  } catch (_) {
    regionNames = null; // older browsers: show codes only
  }
  document.documentElement.lang = lang;
  document.title = text.title;
  for (const el of document.querySelectorAll('[data-text]')) el.textContent = text[el.dataset.text];
  for (const el of document.querySelectorAll('[data-text-aria-label]')) el.setAttribute('aria-label', text[el.dataset.textAriaLabel]);
  $('map-language').value = lang;
  checkboxes('filter-type', 'type', TYPES.map(([k]) => k), typeLabel, typeColor);
  checkboxes('filter-status', 'status', STATUSES, statusLabel);
  checkboxes('filter-population', 'population', POPULATIONS, (k) => label('Population', k));
  renderLegend();
  if (lastStats) {
    fillCountries(countryBuckets);
    renderStats(lastStats);
  }
  // An open popup was written in the other language: open it again in this one.
  for (const { marker } of markersById.values()) {
    if (marker.isPopupOpen()) {
      marker.closePopup();
      marker.openPopup();
    }
  }
  document.body.dataset.lang = lang;
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
    showMessage(markers.length ? '' : text.noMatch);
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
    showMessage(format(text.loadFailed, { error: e.message }));
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
  addLegend();
  const labelled = setLanguage(initialLanguage());
  $('map-language').addEventListener('change', (e) => {
    remember(e.target.value);
    setLanguage(e.target.value);
  });

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
  refresh({ initial: true, extra: [base, labelled] });
  goLive();
}

// ---------------------------------------------------------------- live

const END_QUERY = 'query End($after: String) { changes(after: $after, first: 500) { pageInfo { hasNextPage endCursor } } }';
const LIVE_QUERY = 'subscription Live($after: String) { changes(after: $after) { cursor entityType } }';

async function endOfFeed() {
  let after = null;
  for (;;) {
    const { changes } = await graphql(END_QUERY, { after });
    after = changes.pageInfo.endCursor;
    if (!changes.pageInfo.hasNextPage) return after;
  }
}

/** Follows the change feed after `after`, and connects again (with a growing pause) when the connection is lost. */
function follow(after, pause = 1000) {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const socket = new WebSocket(url, 'graphql-transport-ws');
  let cursor = after;
  socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init' }));
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'connection_ack') {
      pause = 1000;
      document.body.dataset.live = 'on';
      socket.send(JSON.stringify({ id: 'live', type: 'subscribe', payload: { query: LIVE_QUERY, variables: { after: cursor } } }));
    } else if (message.type === 'ping') {
      socket.send(JSON.stringify({ type: 'pong' }));
    } else if (message.type === 'next' && message.payload.data) {
      const change = message.payload.data.changes;
      cursor = change.cursor;
      if (change.entityType === 'FACILITY') refreshSoon();
    }
  };
  socket.onclose = () => {
    document.body.dataset.live = 'off';
    setTimeout(() => follow(cursor, Math.min(pause * 2, 30000)), pause);
  };
}

function goLive() {
  document.body.dataset.live = 'off';
  if (typeof WebSocket !== 'function') return;
  endOfFeed().then((after) => follow(after), (e) => console.error('live updates are off:', e));
}

window.wishMap = {
  map,
  cluster,
  refresh,
  /** Shows the page in this language (en, fr, nl or es), as the switch does; a Promise. */
  setLanguage: (code) => {
    remember(supported(code) || 'en');
    return setLanguage(code);
  },
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
