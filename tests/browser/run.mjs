#!/usr/bin/env node
// Browser smoke test of a running wish-api: the /map page (in two of its
// languages, and across a reload) and /graphiql, in
// headless Chromium, with every request to another host blocked (and failing),
// and failing on any console error or Content-Security-Policy violation, so
// that a policy stricter than the pages allow is caught here.
//
//   cd tests/browser && npm ci && node run.mjs
//
// Environment:
//   WISH_BASE_URL   server to test              (default http://127.0.0.1:8080)
//   CHROMIUM_PATH   Chromium executable          (default /usr/bin/chromium)
//   SCREENSHOT_DIR  where the PNGs go            (default ./screenshots)
//   SKIP_GRAPHIQL   1: skip the /graphiql step   (for servers without it)
//   STEP_TIMEOUT_MS per-step wait               (default 20000)
//   WISH_EDITOR_TOKEN  an editor's token: a write moves a marker, which the
//                   map shows by itself (without it, that step is skipped)
//
// Prints one line per step and closes with "browser: N passed, N failed";
// exits 0 on success, 1 on the first failure.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const base = new URL(process.env.WISH_BASE_URL || 'http://127.0.0.1:8080');
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const shots = resolve(process.env.SCREENSHOT_DIR || './screenshots');
const skipGraphiql = ['1', 'true', 'yes'].includes(String(process.env.SKIP_GRAPHIQL || '').toLowerCase());
const timeout = Number(process.env.STEP_TIMEOUT_MS || 20000);

const url = (path) => new URL(path, base).href;
let passed = 0;

class Failure extends Error {}
function assert(condition, message) {
  if (!condition) throw new Failure(message);
}

async function step(name, fn) {
  const started = Date.now();
  try {
    const detail = await fn();
    passed += 1;
    console.log(`ok   ${name}${detail ? ` — ${detail}` : ''} (${Date.now() - started} ms)`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e instanceof Failure ? e.message : (e && e.stack) || e}`);
    throw e;
  }
}

/** Waits until body[data-state] is "ready"; fails at once on "error". */
async function waitReady(page, what) {
  const handle = await page.waitForFunction(
    () => ['ready', 'error'].includes(document.body && document.body.dataset.state) && document.body.dataset.state,
    null,
    { timeout },
  ).catch(async (e) => {
    const state = await page.evaluate(() => document.body && document.body.dataset.state).catch(() => '?');
    throw new Failure(`${what}: body[data-state] did not become "ready" in ${timeout} ms (it is "${state}"): ${e.message.split('\n')[0]}`);
  });
  const state = await handle.jsonValue();
  if (state === 'error') {
    const message = await page.textContent('#message').catch(() => '');
    throw new Failure(`${what}: the page reports an error: ${message}`);
  }
}

async function counts(page) {
  return page.evaluate(() => ({
    markers: Number.parseInt(document.querySelector('#marker-count')?.textContent ?? '', 10),
    total: Number.parseInt(document.querySelector('#stats-total')?.textContent ?? '', 10),
  }));
}

async function main() {
  await mkdir(shots, { recursive: true });
  const blocked = [];
  const pageErrors = [];
  // Console errors and CSP violations since the last check, with the page they came from.
  let problems = [];
  let browser;
  try {
    await step('launch chromium', async () => {
      browser = await chromium.launch({ executablePath, args: ['--no-sandbox'], headless: true });
      return `${executablePath} ${browser.version()}`;
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    await context.route('**/*', (route) => {
      const target = new URL(route.request().url());
      if ((target.protocol === 'http:' || target.protocol === 'https:') && target.host === base.host) {
        return route.continue();
      }
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    // Each violation, as the page itself is told of it, goes to the console
    // with the directive and the script that caused it, which Chromium's own
    // message leaves out for some kinds (style attributes set by a script).
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.effectiveDirective} refused ${e.blockedURI || '(inline)'}`
          + ` at ${e.sourceFile || e.documentURI}:${e.lineNumber} (${e.disposition})`);
      });
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (message) => {
      if (message.type() === 'error') {
        problems.push(`${new URL(page.url()).pathname}: ${message.text().slice(0, 240)}`);
      }
    });
    const noProblems = async (where) => {
      const found = [...new Set(problems)];
      problems = [];
      assert(found.length === 0, `${found.length} console error(s) or CSP violation(s) on ${where}: ${found.slice(0, 10).join(' | ')}`);
    };
    const seen = new Set();
    page.on('response', (r) => {
      const key = `${r.status()} ${r.url().split('?')[0].replace(/\/\d+\/\d+\/\d+\.png$/, '/{z}/{x}/{y}.png')}`;
      if (r.status() >= 400 && !seen.has(key)) {
        seen.add(key);
        console.log(`     (HTTP ${key})`);
      }
    });

    let all;
    await step(`load ${url('/map')}`, async () => {
      const response = await page.goto(url('/map'), { waitUntil: 'domcontentloaded', timeout });
      assert(response && response.ok(), `GET /map answered ${response && response.status()}`);
      await waitReady(page, 'first load');
      all = await counts(page);
      assert(all.markers > 0, `#marker-count is ${all.markers}, expected > 0`);
      assert(all.markers === all.total, `#marker-count (${all.markers}) differs from #stats-total (${all.total})`);
      await page.screenshot({ path: resolve(shots, 'map.png') });
      return `${all.markers} markers = ${all.total} in facilityStats; map.png`;
    });

    await step('filter country BE', async () => {
      const has = await page.$('#filter-country option[value="BE"]');
      assert(has, '#filter-country has no option "BE"');
      await page.selectOption('#filter-country', 'BE'); // fires input + change
      await waitReady(page, 'after selecting BE');
      const be = await counts(page);
      assert(be.markers > 0, `#marker-count is ${be.markers} for BE, expected > 0`);
      assert(be.markers === be.total, `#marker-count (${be.markers}) differs from #stats-total (${be.total}) for BE`);
      assert(be.markers < all.markers, `BE shows ${be.markers} markers, not fewer than all (${all.markers})`);
      await page.screenshot({ path: resolve(shots, 'map-be.png') });
      return `${be.markers} markers = ${be.total}; map-be.png`;
    });

    await step('popup of a BE facility', async () => {
      const feature = await page.evaluate(async () => {
        const r = await fetch('/facilities.geojson?country=BE');
        const fc = await r.json();
        const f = fc.features[0];
        return f && {
          id: String(f.id ?? f.properties.id), name: f.properties.name, precision: f.properties.location_precision, sources: f.properties.sources.length,
        };
      });
      assert(feature && feature.id, '/facilities.geojson?country=BE has no feature');
      assert(await page.evaluate(() => typeof window.wishMap?.openPopup === 'function'), 'window.wishMap.openPopup is not a function');
      await page.evaluate(({ id, ms }) => Promise.race([
        window.wishMap.openPopup(id),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`openPopup(${id}) did not settle in ${ms} ms`)), ms)),
      ]), { id: feature.id, ms: timeout }).catch((e) => { throw new Failure(e.message.split('\n')[0]); });
      // One link per source: "Source", or "Source 1", "Source 2", ... when there are several.
      await page.waitForFunction(({ name, sources }) => {
        const el = document.querySelector('.leaflet-popup .facility-popup');
        const links = el ? [...el.querySelectorAll('a')].filter((a) => /^Source( \d+)?$/.test(a.textContent.trim()) && /^https?:/.test(a.href)) : [];
        return !!el && el.textContent.includes(name) && links.length === sources;
      }, feature, { timeout }).catch(async () => {
        const text = await page.evaluate(() => document.querySelector('.facility-popup')?.textContent ?? '(no .facility-popup)');
        throw new Failure(`popup of ${feature.id} never showed "${feature.name}" with ${feature.sources} source link(s); it shows: ${text.replace(/\s+/g, ' ').trim()}`);
      });
      // A position that is not the building's is said to be approximate, on the marker and in the popup.
      const approximate = feature.precision !== 'exact';
      const shown = await page.evaluate(() => ({
        note: !!document.querySelector('.leaflet-popup .fp-approximate'),
        rings: document.querySelectorAll('.facility-marker.approximate').length,
      }));
      assert(shown.note === approximate, `popup of a ${feature.precision} position ${approximate ? 'lacks' : 'has'} the approximate-position note`);
      assert(shown.rings > 0, 'no marker is drawn as an approximate position, though most demo positions are city centres');
      await page.waitForTimeout(300); // let the popup finish its pan animation
      await page.screenshot({ path: resolve(shots, 'popup.png') });
      return `"${feature.name}" (${feature.precision}) with ${feature.sources} source link(s); ${shown.rings} approximate markers; popup.png`;
    });

    // What a reader of each language sees: the legend, the type filter and
    // the statistics by type, all of which read `labels(lang:)`.
    const labelled = (p) => p.evaluate(() => ({
      lang: document.body.dataset.lang,
      switch: document.querySelector('#map-language')?.value,
      legend: document.querySelector('.legend')?.textContent ?? '',
      filters: document.querySelector('#filter-type')?.textContent ?? '',
      stats: document.querySelector('#stats-by-type')?.textContent ?? '',
      heading: document.querySelector('#stats-heading')?.textContent ?? '',
      search: window.location.search,
    }));
    const waitLang = (p, code, what) => p.waitForFunction((c) => document.body.dataset.lang === c, code, { timeout })
      .catch(async () => { throw new Failure(`${what}: body[data-lang] never became "${code}": ${JSON.stringify(await labelled(p))}`); });

    await step('switch the language to Dutch', async () => {
      const before = await labelled(page);
      assert(before.lang === 'en' && before.legend.includes('Detention house'),
        `an en-GB browser starts in English: ${JSON.stringify(before)}`);
      assert(before.legend.includes('Approximate position (town or region)'), `the legend does not explain the dashed ring: ${before.legend}`);
      await page.selectOption('#map-language', 'nl');
      await waitLang(page, 'nl', 'after choosing Nederlands');
      const after = await labelled(page);
      for (const part of ['legend', 'filters', 'stats']) {
        assert(after[part].includes('Detentiehuis') && !after[part].includes('Detention house'),
          `the ${part} is not in Dutch: ${after[part]}`);
      }
      assert(after.heading === 'Statistieken', `the statistics heading is "${after.heading}"`);
      assert(after.legend.includes('Benaderende locatie (stad of regio)'), `the legend's dashed ring is not explained in Dutch: ${after.legend}`);
      // The popup that was open speaks the new language too.
      await page.waitForFunction(() => /Capaciteit/.test(document.querySelector('.leaflet-popup .facility-popup')?.textContent ?? ''), null, { timeout })
        .catch(async () => {
          const popup = await page.evaluate(() => document.querySelector('.leaflet-popup .facility-popup')?.textContent ?? '(no popup open)');
          throw new Failure(`the open popup is not in Dutch: ${popup.replace(/\s+/g, ' ').trim()}`);
        });
      assert(new URLSearchParams(after.search).get('lang') === 'nl', `the URL does not keep the choice: ${after.search}`);
      await page.screenshot({ path: resolve(shots, 'map-nl.png') });
      return 'legend, filters and statistics say "Detentiehuis"; map-nl.png';
    });

    await step('the language survives a reload', async () => {
      await page.reload({ waitUntil: 'domcontentloaded', timeout });
      await waitReady(page, 'after reloading');
      await waitLang(page, 'nl', 'after reloading');
      // Without the URL's parameter, the stored choice still holds.
      await page.goto(url('/map'), { waitUntil: 'domcontentloaded', timeout });
      await waitReady(page, 'after opening /map again');
      await waitLang(page, 'nl', 'after opening /map again');
      const again = await labelled(page);
      assert(again.switch === 'nl' && again.legend.includes('Detentiehuis'), `not in Dutch after a reload: ${JSON.stringify(again)}`);
      return 'still Nederlands';
    });

    await step("a browser in Spanish starts in Spanish", async () => {
      const spanish = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'es-ES' });
      try {
        await spanish.route('**/*', (route) => (new URL(route.request().url()).host === base.host
          ? route.continue() : route.abort('blockedbyclient')));
        const other = await spanish.newPage();
        await other.goto(url('/map'), { waitUntil: 'domcontentloaded', timeout });
        await waitReady(other, 'in Spanish');
        await waitLang(other, 'es', 'in an es-ES browser');
        const seen = await labelled(other);
        assert(seen.legend.includes('Casa de detención'), `the legend is not in Spanish: ${seen.legend}`);
        return '"Casa de detención"';
      } finally {
        await spanish.close();
      }
    });

    const editorToken = process.env.WISH_EDITOR_TOKEN;
    if (editorToken) {
      await step('a marker moves by itself after a write', async () => {
        await page.waitForFunction(() => document.body.dataset.live === 'on', null, { timeout })
          .catch(() => { throw new Failure('body[data-live] never became "on": the map did not subscribe'); });
        const write = async (query, variables) => {
          const response = await fetch(url('/graphql'), {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${editorToken}` },
            body: JSON.stringify({ query, variables }),
          });
          const body = await response.json();
          assert(!body.errors, `GraphQL: ${JSON.stringify(body.errors)}`);
          return body.data;
        };
        const id = await page.evaluate(async () => {
          const fc = await (await fetch('/facilities.geojson?country=BE')).json();
          return String(fc.features[0].id ?? fc.features[0].properties.id);
        });
        const { facility } = await write('query($id: ID!) { facility(id: $id) { version latitude longitude } }', { id });
        const to = { lat: Math.round((facility.latitude + 0.05) * 1e4) / 1e4, lng: Math.round((facility.longitude + 0.05) * 1e4) / 1e4 };
        await write(
          'mutation($id: ID!, $v: Int!, $lat: Float!, $lng: Float!) { updateFacility(id: $id, expectedVersion: $v, input: { latitude: $lat, longitude: $lng }) { version } }',
          { id, v: facility.version, lat: to.lat, lng: to.lng },
        );
        await page.waitForFunction(({ id, to }) => {
          const marker = window.wishMap.marker(id);
          const at = marker && marker.getLatLng();
          return !!at && Math.abs(at.lat - to.lat) < 1e-6 && Math.abs(at.lng - to.lng) < 1e-6;
        }, { id, to }, { timeout }).catch(() => { throw new Failure(`the marker of ${id} never moved to ${to.lat}, ${to.lng}`); });
        await waitReady(page, 'after the live update');
        return `${id} moved to ${to.lat}, ${to.lng} without a reload`;
      });

      await step('a popup lists the facility\'s resources', async () => {
        // Another facility than the one whose popup opened before: its details are not cached yet.
        const id = await page.evaluate(async () => {
          const fc = await (await fetch('/facilities.geojson?country=BE')).json();
          const f = fc.features[1];
          return f && String(f.id ?? f.properties.id);
        });
        assert(id, '/facilities.geojson?country=BE has no second feature');
        const title = 'A report on this house, written for the browser test';
        const response = await fetch(url('/graphql'), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${editorToken}` },
          body: JSON.stringify({
            query: 'mutation($input: ResourceInput!) { createResource(input: $input) { id } }',
            variables: { input: { kind: 'REPORT', title: [{ lang: 'en', text: title }], url: 'https://example.org/report.pdf', facilities: [id] } },
          }),
        });
        const body = await response.json();
        assert(!body.errors, `GraphQL: ${JSON.stringify(body.errors)}`);
        await page.evaluate((featureId) => window.wishMap.openPopup(featureId), id);
        await page.waitForFunction((t) => [...document.querySelectorAll('.leaflet-popup .fp-library a')]
          .some((a) => a.textContent.trim() === t && a.href === 'https://example.org/report.pdf'), title, { timeout })
          .catch(async () => {
            const text = await page.evaluate(() => document.querySelector('.leaflet-popup .facility-popup')?.textContent ?? '(no popup open)');
            throw new Failure(`the popup of ${id} never listed "${title}": ${text.replace(/\s+/g, ' ').trim()}`);
          });
        await page.waitForTimeout(300); // let the popup finish its fade and pan
        await page.screenshot({ path: resolve(shots, 'popup-library.png') });
        return `${id} lists "${title}"; popup-library.png`;
      });
    }

    await step('no JavaScript error on /map', async () => {
      assert(pageErrors.length === 0, `uncaught errors: ${pageErrors.join(' | ')}`);
    });

    await step('no console error or CSP violation on /map', async () => {
      const policy = (await page.request.get(url('/map'))).headers()['content-security-policy'];
      assert(policy && policy.includes("frame-ancestors 'none'"), `/map has no strict Content-Security-Policy: ${policy}`);
      await noProblems('/map');
      return policy;
    });

    if (skipGraphiql) {
      console.log('skip /graphiql (SKIP_GRAPHIQL)');
    } else {
      await step(`run a query in ${url('/graphiql')}`, async () => {
        const response = await page.goto(url('/graphiql'), { waitUntil: 'domcontentloaded', timeout });
        assert(response && response.ok(), `GET /graphiql answered ${response && response.status()}`);
        const run = '.graphiql-execute-button, button[aria-label^="Execute query"]';
        await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout });
        await page.waitForSelector(run, { timeout });
        // If the server left the editor empty, give it something to run.
        await page.evaluate(() => {
          const cm = document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror;
          if (cm && !cm.getValue().trim()) cm.setValue('{ __typename }');
        });
        await page.click(run);
        await page.waitForFunction(() => {
          const pane = document.querySelector('.graphiql-response');
          if (!pane) return false;
          const cm = pane.querySelector('.CodeMirror')?.CodeMirror;
          return (cm ? cm.getValue() : pane.textContent).includes('"data"');
        }, null, { timeout }).catch(async () => {
          const text = await page.evaluate(() => document.querySelector('.graphiql-response')?.textContent ?? '(no result pane)');
          throw new Failure(`the result pane never showed "data"; it shows: ${text.slice(0, 300)}`);
        });
        await page.screenshot({ path: resolve(shots, 'graphiql.png') });
        return 'result has "data"; graphiql.png';
      });

      await step('an admin pastes a token into the header editor', async () => {
        const token = process.env.WISH_ADMIN_TOKEN;
        assert(token, 'WISH_ADMIN_TOKEN is not set');
        // A new tab, as for any new query, with the headers shown.
        await page.click('button[aria-label="Add tab"]');
        await page.click('button[data-name="headers"]');
        // Typed into each editor, as a person pastes into it.
        const typeInto = async (selector, text) => {
          await page.click(selector, { timeout });
          await page.keyboard.press('Control+A');
          await page.keyboard.insertText(text);
        };
        await typeInto('.graphiql-editor-tool .graphiql-editor:not(.hidden)', JSON.stringify({ Authorization: `Bearer ${token}` }));
        await typeInto('.graphiql-query-editor', 'query WhoAmI { viewer { role } }');
        // GraphiQL reads the operation from the editor a moment after a change.
        await page.waitForTimeout(500);
        await page.click('.graphiql-execute-button, button[aria-label^="Execute query"]');
        await page.waitForFunction(() => {
          const pane = document.querySelector('.graphiql-response');
          const cm = pane && pane.querySelector('.CodeMirror')?.CodeMirror;
          return !!pane && (cm ? cm.getValue() : pane.textContent).includes('"ADMIN"');
        }, null, { timeout }).catch(async () => {
          const text = await page.evaluate(() => document.querySelector('.graphiql-response')?.textContent ?? '(no result pane)');
          await page.screenshot({ path: resolve(shots, 'graphiql-headers.png') });
          throw new Failure(`with the token in the header editor, viewer.role is not ADMIN; the result shows: ${text.slice(0, 300)}`);
        });
        await page.screenshot({ path: resolve(shots, 'graphiql-headers.png') });
        return 'viewer.role is ADMIN; graphiql-headers.png';
      });

      await step('GraphiQL documentation explorer and settings', async () => {
        await page.click('button[aria-label="Show Documentation Explorer"]');
        await page.waitForSelector('.graphiql-doc-explorer', { timeout });
        await page.click('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name:has-text("Query")', { timeout });
        await page.waitForSelector('.graphiql-doc-explorer-title:has-text("Query")', { timeout });
        await page.click('button[aria-label="Open settings dialog"]');
        await page.waitForSelector('.graphiql-dialog', { timeout });
        await page.keyboard.press('Escape');
        await page.waitForSelector('.graphiql-dialog', { state: 'detached', timeout });
        return 'opened and closed';
      });

      await step('no console error or CSP violation on /graphiql', async () => {
        const policy = (await page.request.get(url('/graphiql'))).headers()['content-security-policy'];
        assert(policy && policy.includes("script-src 'self';"), `/graphiql has no strict Content-Security-Policy: ${policy}`);
        assert(pageErrors.length === 0, `uncaught errors: ${pageErrors.join(' | ')}`);
        await noProblems('/graphiql');
        return policy;
      });
    }

    await step('no request left the server', async () => {
      assert(blocked.length === 0, `${blocked.length} request(s) to other hosts were blocked: ${[...new Set(blocked)].slice(0, 10).join(', ')}`);
      return `screenshots in ${shots}`;
    });
  } catch (e) {
    console.log(`browser: ${passed} passed, 1 failed`);
    process.exitCode = 1;
    return;
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
  console.log(`browser: ${passed} passed, 0 failed`);
}

// Never hang: a whole run takes seconds.
const watchdog = setTimeout(() => {
  console.log(`FAIL the run took longer than ${(timeout * 8) / 1000} s`);
  console.log(`browser: ${passed} passed, 1 failed`);
  process.exit(1);
}, timeout * 8);
await main();
clearTimeout(watchdog);
