// Drives headless Chromium through the dashboard of a knob-server that
// tests/browser/run.sh filled with the studies of populate.py: the studies
// list, the 1,000-trial study, one trial, the two-objective study and a
// `knobctl report --html` file. Each page must become ready, draw every
// chart with points and show table rows; the table must sort by value to
// the best trial first; a trial added while the study page is open must
// show up in its counts. Prints one line per failed check and ends with
//   dashboard: pages=N plots=N screenshots=N failures=N
//
//   node dashboard_test.js --url URL --grpc ADDR --report FILE --screenshots DIR
'use strict';

const {chromium} = require('playwright-core');
const {execFileSync} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const {parseArgs} = require('node:util');

const {values: options} = parseArgs({
  options: {
    url: {type: 'string'},
    grpc: {type: 'string'},
    report: {type: 'string'},
    screenshots: {type: 'string'},
  },
});

const QUADRATIC = 'browser-quadratic';
const PARETO = 'browser-pareto';
const CHARTS = ['chart-history', 'chart-parcoords', 'chart-slice', 'chart-contour',
  'chart-importance', 'chart-intermediate'];
const TIMEOUT_MS = 30000;
// Two polls of 2 s plus the redraw, with room to spare on a busy machine.
const LIVE_UPDATE_MS = 10000;

const tally = {pages: 0, plots: 0, screenshots: 0, failures: 0};

function fail(message) {
  tally.failures += 1;
  console.log(`dashboard_test: FAIL: ${message}`);
}

async function apiGet(pathname) {
  const response = await fetch(`${options.url}${pathname}`);
  if (!response.ok) throw new Error(`GET ${pathname}: ${response.status}`);
  return response.json();
}

function studyUrl(name) {
  return `${options.url}/#/studies/${encodeURIComponent(name)}`;
}

// A new tab that counts uncaught script errors and console errors as
// failures, and, for a report, any request that leaves the file.
async function openPage(context, label, {offline = false} = {}) {
  const page = await context.newPage();
  page.on('pageerror', (error) => fail(`${label}: script error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') fail(`${label}: console error: ${message.text()}`);
  });
  if (offline) {
    page.on('request', (request) => {
      if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) {
        fail(`${label}: requested ${request.url()}`);
      }
    });
  }
  return page;
}

async function waitReady(page, label) {
  try {
    await page.waitForSelector('body[data-ready="true"]', {timeout: TIMEOUT_MS});
    tally.pages += 1;
    return true;
  } catch (error) {
    fail(`${label}: never became ready (${error.message.split('\n')[0]})`);
    return false;
  }
}

async function rendered(page, id) {
  return page.$eval(`#${id}`, (element) => element.getAttribute('data-rendered')).catch(() => null);
}

// Every chart in `ids` must have drawn points; those in `mayBeEmpty` need
// only have drawn.
async function checkCharts(page, label, ids, mayBeEmpty = []) {
  for (const id of ids) {
    const value = await rendered(page, id);
    if (value === null) {
      fail(`${label}: #${id} missing or not drawn`);
    } else if (Number(value) > 0 || mayBeEmpty.includes(id)) {
      tally.plots += 1;
    } else {
      fail(`${label}: #${id} drew no points`);
    }
  }
}

// Two charts come after the page is ready: parallel coordinates once on
// screen, and, from a server, parameter importances once it has computed
// them (the page polls for them). checkCharts then reports a chart that
// never drew points.
async function waitForLateCharts(page, {server = true} = {}) {
  await page.$eval('#chart-parcoords', (element) => element.scrollIntoView()).catch(() => {});
  await page.waitForSelector('#chart-parcoords[data-rendered]', {timeout: TIMEOUT_MS}).catch(() => {});
  if (!server) return;
  await page.waitForSelector('#chart-importance[data-rendered]:not([data-rendered="0"])', {timeout: TIMEOUT_MS})
    .catch(() => {});
}

async function checkTableRows(page, label, id) {
  const value = await rendered(page, id);
  const rows = await page.$$eval(`#${id} tbody tr`, (r) => r.length).catch(() => 0);
  if (!(Number(value) > 0) || rows === 0) fail(`${label}: #${id} shows no rows (data-rendered=${value})`);
}

async function screenshot(page, name) {
  const file = path.join(options.screenshots, `${name}.png`);
  await page.screenshot({path: file, fullPage: true});
  tally.screenshots += 1;
}

async function totalShown(page) {
  const text = await page.$eval('#study-counts', (element) => element.textContent);
  const match = /(\d+) total/.exec(text);
  return match ? Number(match[1]) : null;
}

async function checkStudiesList(context) {
  const label = 'studies list';
  const page = await openPage(context, label);
  await page.goto(`${options.url}/#/`);
  if (!(await waitReady(page, label))) return page.close();
  await checkTableRows(page, label, 'study-table');
  for (const name of [QUADRATIC, PARETO]) {
    if (!(await page.$(`#study-table a[href="#/studies/${name}"]`))) fail(`${label}: no link to ${name}`);
  }
  await screenshot(page, 'studies');
  await page.close();
}

async function checkSorting(page, label) {
  const study = await apiGet(`/api/studies/${QUADRATIC}`);
  await page.click('#trial-table th[data-sort="value"]');
  await page.waitForFunction(
    () => /[▲▼]/.test(document.querySelector('#trial-table th[data-sort="value"]')?.textContent || ''),
    null, {timeout: TIMEOUT_MS});
  const first = await page.$eval('#trial-table tbody tr', (row) => Number(row.getAttribute('data-number')));
  const trial = await apiGet(`/api/studies/${QUADRATIC}/trials/${first}`);
  if (!trial.values || trial.values[0] !== study.best_values?.[0]) {
    fail(`${label}: sorted by value, the first row is trial ${first} (${trial.values}), ` +
      `not the best (${study.best_values})`);
  }
  return first;
}

async function checkLiveUpdate(page, label) {
  const before = await totalShown(page);
  try {
    execFileSync('/usr/bin/python3', [path.join(__dirname, 'populate.py'), '--server', options.grpc,
      'add-trial', '--study', QUADRATIC], {stdio: ['ignore', 'ignore', 'inherit']});
  } catch (error) {
    fail(`${label}: adding a trial failed: ${error.message.split('\n')[0]}`);
    return;
  }
  const started = Date.now();
  try {
    await page.waitForFunction(
      (expected) => (/(\d+) total/.exec(document.querySelector('#study-counts')?.textContent || '') || [])[1] === String(expected),
      before + 1, {timeout: LIVE_UPDATE_MS});
    console.log(`dashboard_test: live update shown after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch {
    fail(`${label}: the added trial did not show within ${LIVE_UPDATE_MS / 1000} s ` +
      `(total ${before} → ${await totalShown(page)})`);
  }
}

async function checkTrialDetail(page, number) {
  const label = `trial ${number}`;
  await page.click(`#trial-table tbody tr[data-number="${number}"] a`);
  try {
    await page.waitForSelector('#chart-trial-intermediate[data-rendered]', {timeout: TIMEOUT_MS});
  } catch {
    fail(`${label}: the trial page never drew its chart`);
    return;
  }
  if (!(await waitReady(page, label))) return;
  await checkCharts(page, label, ['chart-trial-intermediate']);
  const params = await page.$$eval('table.kv tbody tr', (rows) => rows.length);
  if (params < 4) fail(`${label}: only ${params} detail rows`);
  await screenshot(page, 'trial');
}

async function checkQuadraticStudy(context) {
  const label = QUADRATIC;
  const page = await openPage(context, label);
  await page.goto(studyUrl(QUADRATIC));
  if (!(await waitReady(page, label))) return page.close();
  await waitForLateCharts(page);
  await checkCharts(page, label, CHARTS);
  await checkTableRows(page, label, 'trial-table');
  await screenshot(page, 'study');
  const best = await checkSorting(page, label);
  await checkLiveUpdate(page, label);
  await checkTrialDetail(page, best);
  await page.close();
}

async function checkParetoStudy(context) {
  const label = PARETO;
  const page = await openPage(context, label);
  await page.goto(studyUrl(PARETO));
  if (!(await waitReady(page, label))) return page.close();
  await waitForLateCharts(page);
  // Its workers report no intermediate values.
  await checkCharts(page, label, ['chart-pareto', ...CHARTS], ['chart-intermediate']);
  const front = await page.evaluate(() => {
    const traces = document.getElementById('chart-pareto')?.data || [];
    return traces.find((t) => t.name === 'Pareto front')?.x?.length || 0;
  });
  if (front === 0) fail(`${label}: no trial highlighted on the Pareto front`);
  await checkTableRows(page, label, 'trial-table');
  await screenshot(page, 'pareto');
  await page.close();
}

async function checkReport(context) {
  const label = 'report';
  if (!options.report || !fs.existsSync(options.report)) {
    fail(`${label}: no report file (knobctl report --html failed)`);
    return;
  }
  const page = await openPage(context, label, {offline: true});
  await page.goto(`file://${path.resolve(options.report)}`);
  if (!(await waitReady(page, label))) return page.close();
  await waitForLateCharts(page, {server: false});
  await checkCharts(page, label, CHARTS);
  await checkTableRows(page, label, 'trial-table');
  await screenshot(page, 'report');
  await page.close();
}

async function main() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
  try {
    const context = await browser.newContext({viewport: {width: 1400, height: 900}});
    for (const check of [checkStudiesList, checkQuadraticStudy, checkParetoStudy, checkReport]) {
      try {
        await check(context);
      } catch (error) {
        fail(`${check.name}: ${error.message.split('\n')[0]}`);
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`dashboard: pages=${tally.pages} plots=${tally.plots} ` +
    `screenshots=${tally.screenshots} failures=${tally.failures}`);
  process.exitCode = tally.failures === 0 ? 0 : 1;
}

main().catch((error) => {
  console.log(`dashboard_test: FAIL: ${error.stack || error}`);
  console.log(`dashboard: pages=${tally.pages} plots=${tally.plots} ` +
    `screenshots=${tally.screenshots} failures=${tally.failures + 1}`);
  process.exitCode = 1;
});
