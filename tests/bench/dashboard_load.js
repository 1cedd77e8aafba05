// Times the dashboard's study page in headless Chromium: each load in a
// fresh browser context (nothing cached) from navigation to
// body[data-ready], i.e. every chart and the first table page drawn.
// Prints each load with the time of each request, the median, and the
// size of the plots payload.
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
  try {
    for (let load = 1; load <= Number(options.loads); load++) {
      const context = await browser.newContext({viewport: {width: 1400, height: 900}});
      const page = await context.newPage();
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
      const elapsed = (performance.now() - started) / 1000;
      const drawn = await page.$eval('#chart-history', (e) => e.getAttribute('data-rendered'));
      console.log(`dashboard_load: load ${load}: ready in ${elapsed.toFixed(2)} s (history points ${drawn}); ` +
        `requests: ${requests.join(', ')}`);
      seconds.push(elapsed);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`ready_s=${median(seconds).toFixed(2)} payload_bytes=${payload}`);
}

main().catch((error) => {
  console.error(`dashboard_load: ${error.stack || error}`);
  process.exitCode = 1;
});
