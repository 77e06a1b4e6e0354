#!/usr/bin/env node
// Opens the live dashboard, waits for a running computation and then for all
// computations to finish, and prints what the page shows as JSON lines:
//   {"event":"running",...}, then {"event":"done",...}
// or {"event":"error","message":...} (exit code 1). Page JS errors and console
// errors are printed as error lines too and make the exit code 1.
// Usage: node check_dashboard.mjs <url> <screenshot_dir>
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const RUNNING_TIMEOUT_MS = 30000;
const DONE_TIMEOUT_MS = 60000;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const [url, shotDir] = process.argv.slice(2);
if (!url || !shotDir) {
  process.stderr.write('usage: node check_dashboard.mjs <url> <screenshot_dir>\n');
  process.exit(2);
}

let exitCode = 0;
let finished = false; // the "done" line has been printed
function emit(obj) {
  return new Promise((resolve) => process.stdout.write(JSON.stringify(obj) + '\n', () => resolve()));
}
function fail(message) {
  exitCode = 1;
  return emit({ event: 'error', message });
}

// What the page shows, read from its data attributes (evaluated in the page).
const COLLECT = `(() => {
  const num = (v) => { const n = Number(v); return Number.isFinite(n) ? n : 0; };
  const idOf = (v) => { const n = Number(v); return v !== null && v !== '' && Number.isFinite(n) ? n : v; };
  const stream = document.querySelector('#stream');
  const computations = [...document.querySelectorAll('#progress .computation')].map((c) => {
    let done = 0, total = 0, failed = 0;
    for (const r of c.querySelectorAll('.fn-row')) {
      done += num(r.dataset.done); total += num(r.dataset.total); failed += num(r.dataset.failed);
    }
    return { id: idOf(c.dataset.id), status: c.dataset.status || '', done, total, failed };
  });
  const memory = [...document.querySelectorAll('#memory tr[data-process]')].map((r) => ({
    process: r.dataset.process, resident: num(r.dataset.resident), spilled: num(r.dataset.spilled), limit: num(r.dataset.limit),
  }));
  const workers = [...document.querySelectorAll('#workers tr[data-worker]')].map((r) => ({ name: r.dataset.worker, state: r.dataset.state }));
  const rec = document.querySelector('#recomputed');
  const svg = document.querySelector('#graph svg');
  const conn = document.querySelector('#connection');
  return {
    connection: conn ? conn.dataset.state : null,
    ready: document.body ? document.body.dataset.ready === '1' : false,
    tasks: stream ? num(stream.dataset.tasks) : 0,
    transfers: stream ? num(stream.dataset.transfers) : 0,
    computations, memory, workers,
    recomputed: rec ? num(rec.dataset.count) : 0,
    graph_nodes: svg ? svg.querySelectorAll('[data-id]').length : 0,
    graph_done: svg ? svg.querySelectorAll('[data-id][data-done="1"]').length : 0,
  };
})()`;

const RUNNING_PRED = `(() => {
  const s = ${COLLECT};
  const c = s.computations.find((c) => c.status === 'running' && c.done < c.total);
  return c ? { tasks: s.tasks, done: c.done, total: c.total, statuses: Object.fromEntries(s.computations.map((x) => [x.id, x.status])) } : false;
})()`;

function donePred(before) {
  return `(() => {
    const before = ${JSON.stringify(before)};
    const s = ${COLLECT};
    if (!s.computations.length) return false;
    if (!s.computations.every((c) => c.status === 'done' || c.status === 'failed')) return false;
    return s.computations.some((c) => c.status === 'done' && before[c.id] !== 'done') ? s : false;
  })()`;
}

function summary(s) {
  if (!s) return 'nothing (page not readable)';
  const comps = s.computations.map((c) => `${c.id}:${c.status} ${c.done}/${c.total}`).join(', ') || 'no computations';
  return `connection=${s.connection} ready=${s.ready} tasks=${s.tasks} transfers=${s.transfers} computations=[${comps}] ` +
    `workers=${s.workers.length} graph_nodes=${s.graph_nodes}`;
}

async function main() {
  fs.mkdirSync(shotDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (err) => { fail('page error: ' + (err && err.stack ? err.stack : String(err))); });
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      // Once everything has finished, the server may stop: the event stream
      // breaking then is no fault of the page.
      const where = (msg.location() && msg.location().url) || '';
      if (finished && (/\/events(\?|$)/.test(where) || /net::ERR_/.test(msg.text()))) {
        process.stderr.write('note: after done: ' + msg.text() + '\n');
        return;
      }
      fail('console error: ' + msg.text() + (where ? ' (' + where + ')' : ''));
    });
    page.on('crash', () => { fail('page crashed'); });

    try {
      await page.goto(url, { waitUntil: 'load', timeout: 30000 });
    } catch (e) {
      await fail('cannot open ' + url + ': ' + e.message);
      return;
    }

    let running;
    try {
      const h = await page.waitForFunction(RUNNING_PRED, null, { timeout: RUNNING_TIMEOUT_MS, polling: 100 });
      running = await h.jsonValue();
    } catch (e) {
      const seen = await page.evaluate(COLLECT).catch(() => null);
      await fail(`no running computation within ${RUNNING_TIMEOUT_MS / 1000} s; saw: ${summary(seen)}`);
      await page.screenshot({ path: path.join(shotDir, 'dashboard.png'), fullPage: true }).catch(() => {});
      return;
    }
    await emit({ event: 'running', tasks: running.tasks, done: running.done, total: running.total });

    let s;
    try {
      const h = await page.waitForFunction(donePred(running.statuses), null, { timeout: DONE_TIMEOUT_MS, polling: 100 });
      s = await h.jsonValue();
    } catch (e) {
      const seen = await page.evaluate(COLLECT).catch(() => null);
      await fail(`computations not finished within ${DONE_TIMEOUT_MS / 1000} s; saw: ${summary(seen)}`);
      await page.screenshot({ path: path.join(shotDir, 'dashboard.png'), fullPage: true }).catch(() => {});
      return;
    }
    finished = true;
    await emit({
      event: 'done',
      tasks: s.tasks,
      transfers: s.transfers,
      computations: s.computations.map((c) => ({ id: c.id, status: c.status, done: c.done, total: c.total })),
      memory: s.memory,
      workers: s.workers,
      recomputed: s.recomputed,
      graph_nodes: s.graph_nodes,
      graph_done: s.graph_done,
    });

    // let the stream and the charts catch up with the last message
    await page.waitForTimeout(700);
    try {
      await page.screenshot({ path: path.join(shotDir, 'dashboard.png'), fullPage: true });
      for (const id of ['stream', 'progress', 'memory', 'workers', 'graph']) {
        await page.locator('#' + id).screenshot({ path: path.join(shotDir, id + '.png') });
      }
    } catch (e) {
      await fail('screenshot failed: ' + e.message);
    }
  } finally {
    await browser.close().catch(() => {});
  }
}

main().then(
  () => process.exit(exitCode),
  async (e) => { await fail('check failed: ' + (e && e.stack ? e.stack : String(e))); process.exit(1); },
);
