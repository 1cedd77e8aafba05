// Times the dashboard's study page in headless Chromium, each load in a
// fresh browser context (nothing cached):
// - ready: when the page set body[data-ready], i.e. every chart and the
//   first table page drawn but the two that come later (parallel
//   coordinates once on screen, and parameter importances once the server
//   has computed them). Measured on the page's clock from navigation start
//   (app.js marks it as it sets the attribute), because the browser
//   reports the attribute to this script only when its main thread is
//   free, and the parallel coordinates, drawn right after, keep it busy
//   for seconds: that delay is this script's, not the user's, who sees
//   the page at the next frame ("painted").
// - painted: when the page's first frame after data-ready was done (page
//   clock).
// - noticed: when this script saw body[data-ready] (its own clock, from
//   the navigation request), for comparison.
// - all charts: when this script saw the parallel coordinates drawn too.
// Prints each load with the time of each request and of each chart drawn
// by then (app.js marks them), the medians, and the size of the plots
// payload.
//
//   node dashboard_load.js --url URL --study NAME [--loads 3]
'use strict';

const {chromium} = require('playwright-core');
const {parseArgs} = require('node:util');

const {values: options} = parseArgs({
  options: {
    url: {type: 'string'},
    study: {type: 'string'},
    loads: {type: 'string', default: '3'},
  },
});

function median(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main() {
  const study = encodeURIComponent(options.study);
  const plots = await fetch(`${options.url}/api/studies/${study}/plots`);
  const payload = Buffer.byteLength(await plots.text());
  console.log(`dashboard_load: plots payload ${(payload / 1e6).toFixed(2)} MB`);

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
  const seconds = [];
  const noticedSeconds = [];
  const allSeconds = [];
  const paintedSeconds = [];
  try {
    for (let load = 1; load <= Number(options.loads); load++) {
      const context = await browser.newContext({viewport: {width: 1400, height: 900}});
      const page = await context.newPage();
      await page.addInitScript(() => {
        new MutationObserver((changes, observer) => {
          if (document.body?.getAttribute('data-ready') !== 'true') return;
          observer.disconnect();
          requestAnimationFrame(() => setTimeout(() => performance.mark('painted')));
        }).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-ready']});
      });
      page.on('pageerror', (error) => console.log(`dashboard_load: script error: ${error.message}`));
      // Where the time goes: each request, from sent to its last byte.
      const requests = [];
      page.on('requestfinished', (request) => {
        const name = new URL(request.url()).pathname.replace(`/api/studies/${study}`, 'study');
        requests.push(`${name || '/'} ${(request.timing().responseEnd / 1000).toFixed(2)}s`);
      });
      const started = performance.now();
      await page.goto(`${options.url}/#/studies/${study}`);
      await page.waitForSelector('body[data-ready="true"]', {timeout: 120000});
      const noticed = (performance.now() - started) / 1000;
      await page.waitForSelector('#chart-parcoords[data-rendered]', {timeout: 120000});
      const allCharts = (performance.now() - started) / 1000;
      const drawn = await page.$eval('#chart-history', (e) => e.getAttribute('data-rendered'));
      // On the page's clock, from navigation start: when app.js marked the
      // page ready and drew each chart. The browser sees body[data-ready]
      // only once its main thread is free again.
      const charts = await page.evaluate(() => performance.getEntriesByType('mark')
        .filter((mark) => ['ready', 'painted'].includes(mark.name) || mark.name.startsWith('drawn chart-'))
        .map((mark) => `${mark.name.replace('drawn chart-', '')} ${(mark.startTime / 1000).toFixed(2)}s`));
      const ready = await page.evaluate(() => performance.getEntriesByName('ready')[0].startTime / 1000);
      console.log(`dashboard_load: load ${load}: ready at ${ready.toFixed(2)} s (noticed at ${noticed.toFixed(2)} s), ` +
        `all charts in ${allCharts.toFixed(2)} s (history markers ${drawn}); ` +
        `requests: ${requests.join(', ')}; marks: ${charts.join(', ')}`);
      const painted = await page.evaluate(() => performance.getEntriesByName('painted')[0]?.startTime / 1000);
      seconds.push(ready);
      noticedSeconds.push(noticed);
      paintedSeconds.push(painted);
      allSeconds.push(allCharts);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`ready_s=${median(seconds).toFixed(2)} painted_s=${median(paintedSeconds).toFixed(2)} ` +
    `noticed_s=${median(noticedSeconds).toFixed(2)} all_charts_s=${median(allSeconds).toFixed(2)} ` +
    `payload_bytes=${payload}`);
}

main().catch((error) => {
  console.error(`dashboard_load: ${error.stack || error}`);
  process.exitCode = 1;
});
