#!/usr/bin/env node
// Opens a self-contained dashboard report file, waits for it to render, prints
//   {"event":"report","tasks":N,"functions":[...],"computations":N}
// and saves a full-page screenshot. Page JS errors and console errors are
// printed as {"event":"error",...} lines and make the exit code 1.
// Usage: node check_report.mjs <file.html> <screenshot_path>
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const READY_TIMEOUT_MS = 15000;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const [file, shotPath] = process.argv.slice(2);
if (!file || !shotPath) {
  process.stderr.write('usage: node check_report.mjs <file.html> <screenshot_path>\n');
  process.exit(2);
}

let exitCode = 0;
function emit(obj) {
  return new Promise((resolve) => process.stdout.write(JSON.stringify(obj) + '\n', () => resolve()));
}
function fail(message) {
  exitCode = 1;
  return emit({ event: 'error', message });
}

async function main() {
  if (!fs.existsSync(file)) { await fail('no such file: ' + file); return; }
  const dir = path.dirname(path.resolve(shotPath));
  fs.mkdirSync(dir, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (err) => { fail('page error: ' + (err && err.stack ? err.stack : String(err))); });
    page.on('console', (msg) => { if (msg.type() === 'error') fail('console error: ' + msg.text()); });
    page.on('crash', () => { fail('page crashed'); });

    await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: 'load', timeout: 30000 });
    try {
      await page.waitForFunction(
        () => document.body && document.body.dataset.ready === '1' && document.body.dataset.mode === 'report',
        null, { timeout: READY_TIMEOUT_MS, polling: 100 });
    } catch (e) {
      const mode = await page.evaluate(() => document.body && document.body.dataset.mode).catch(() => null);
      await fail(`report not rendered within ${READY_TIMEOUT_MS / 1000} s (mode=${mode})`);
      await page.screenshot({ path: shotPath, fullPage: true }).catch(() => {});
      return;
    }
    // two frames, so the stream and the charts are drawn
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const info = await page.evaluate(() => ({
      tasks: Number(document.querySelector('#stream').dataset.tasks) || 0,
      functions: [...document.querySelectorAll('#legend [data-function]')].map((e) => e.dataset.function),
      computations: document.querySelectorAll('#progress .computation').length,
    }));
    await emit({ event: 'report', tasks: info.tasks, functions: info.functions, computations: info.computations });
    await page.screenshot({ path: shotPath, fullPage: true });
  } finally {
    await browser.close().catch(() => {});
  }
}

main().then(
  () => process.exit(exitCode),
  async (e) => { await fail('check failed: ' + (e && e.stack ? e.stack : String(e))); process.exit(1); },
);
