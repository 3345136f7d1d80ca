/*
 * Used by bench/startup.sh: watches a starting portal and reports, in seconds since
 * --t0 (epoch seconds, when `npm start` was launched):
 *   ready  backend /.backstage/health/v1/readiness answers 200
 *   html   the frontend dev server answers with the app's HTML
 *   api    the catalog API returns component:default/<--entity> (guest token)
 *   page     headless Chromium shows the catalog table with entities at the app's root URL
 *   pageAll  after a click on "All", the table lists <--entity>
 * Prints one JSON line on stdout. Node builtins, fetch and playwright-core only.
 *
 *   node bench/startup-probe.ts --t0 1700000000.123 --app http://localhost:23000 \
 *     --backend http://localhost:27007 [--entity payments-service] [--timeout 900] [--pid PID]
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: opts } = parseArgs({
  options: {
    t0: { type: 'string' },
    app: { type: 'string', default: 'http://localhost:23000' },
    backend: { type: 'string', default: 'http://localhost:27007' },
    entity: { type: 'string', default: 'payments-service' },
    timeout: { type: 'string', default: '900' },
    pid: { type: 'string' }, // stop waiting if this process (npm start) exits
    chromium: {
      type: 'string',
      default: process.env.PAVED_CHROMIUM ?? '/usr/bin/chromium',
    },
  },
});

const t0 = opts.t0 ? Number(opts.t0) * 1000 : Date.now();
const deadline = Date.now() + Number(opts.timeout) * 1000;
const since = () => (Date.now() - t0) / 1000;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const log = (msg: string) =>
  process.stderr.write(`[probe +${since().toFixed(1)} s] ${msg}\n`);
const result: Record<string, number | string | null> = {
  ready: null,
  html: null,
  api: null,
  page: null,
  pageAll: null,
};

function starterAlive() {
  if (!opts.pid) return true;
  try {
    process.kill(Number(opts.pid), 0);
    return true;
  } catch {
    return false;
  }
}

async function get(url: string, init: RequestInit = {}) {
  return fetch(url, { ...init, signal: AbortSignal.timeout(15000) });
}

let token: string | undefined;
async function checkApi(): Promise<boolean> {
  if (!token) {
    const res = await get(`${opts.backend}/api/auth/guest/refresh`, {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    });
    if (!res.ok) return false;
    token = ((await res.json()) as any)?.backstageIdentity?.token;
    if (!token) return false;
  }
  const res = await get(
    `${opts.backend}/api/catalog/entities/by-name/component/default/${opts.entity}`,
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  await res.arrayBuffer();
  return res.status === 200;
}

async function checkHtml(): Promise<boolean> {
  const res = await get(opts.app!);
  const body = await res.text();
  return res.status === 200 && body.includes('id="root"');
}

async function pollHttp() {
  while (Date.now() < deadline && starterAlive()) {
    if (result.ready === null) {
      try {
        const res = await get(`${opts.backend}/.backstage/health/v1/readiness`);
        await res.arrayBuffer();
        if (res.status === 200) {
          result.ready = since();
          log('backend ready');
        }
      } catch {
        /* not up yet */
      }
    }
    if (result.html === null) {
      try {
        if (await checkHtml()) {
          result.html = since();
          log('app HTML served');
        }
      } catch {
        /* not up yet */
      }
    }
    if (result.ready !== null && result.api === null) {
      try {
        if (await checkApi()) {
          result.api = since();
          log(`catalog API returns ${opts.entity}`);
        }
      } catch {
        /* not yet */
      }
    }
    if (result.ready !== null && result.html !== null && result.api !== null)
      return;
    await sleep(250);
  }
}

async function browser() {
  // The first browser visit once the dev server answers: what a newcomer sees.
  while (result.html === null && Date.now() < deadline && starterAlive())
    await sleep(250);
  if (result.html === null) return;
  const req = createRequire(path.join(ROOT, 'package.json'));
  const { chromium } = req('playwright-core');
  const b = await chromium.launch({
    executablePath: opts.chromium,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  browserInstance = b;
  try {
    const page = await b.newPage();
    result.browserStart = since();
    await page.goto(opts.app!, {
      waitUntil: 'domcontentloaded',
      timeout: Math.max(1000, deadline - Date.now()),
    });
    // Any entity row in the catalog table (the landing page): the first catalog page.
    const anyRow = page.locator('table tbody tr a[href*="/catalog/default/"]');
    // The known component, once the "All" list is selected.
    const target = page.locator(`a[href$="/component/${opts.entity}"]`);
    const visible = (l: any) =>
      l
        .first()
        .isVisible()
        .catch(() => false);
    let lastChange = Date.now();
    while (Date.now() < deadline && starterAlive()) {
      // Guest sign-in page, if the app shows one.
      for (const name of ['Enter', 'Sign in', 'Continue']) {
        const button = page.getByRole('button', { name, exact: true });
        if (await button.isVisible().catch(() => false)) {
          await button.click().catch(() => {});
          log(`clicked "${name}"`);
          lastChange = Date.now();
        }
      }
      if (result.page === null && (await visible(anyRow))) {
        result.page = since();
        result.firstRow = (
          ((await anyRow
            .first()
            .innerText()
            .catch(() => '')) as string) ?? ''
        ).replace(/\s+/g, ' ');
        log(`catalog page shows entities (first row: ${result.firstRow})`);
        // The landing list is the guest's "Owned" components; pick "All", as a newcomer would.
        await page
          .getByText('All', { exact: true })
          .first()
          .click()
          .catch(() => {});
        lastChange = Date.now();
      }
      if (result.page !== null && (await visible(target))) {
        result.pageAll = since();
        log(`"All" list shows ${opts.entity}`);
        return;
      }
      // Nothing after 30 s with the API answering: reload, as a person would.
      if (result.api !== null && Date.now() - lastChange > 30000) {
        await page.reload({ waitUntil: 'domcontentloaded' }).catch(() => {});
        result.page = null;
        lastChange = Date.now();
        log('reloaded the page');
      }
      await sleep(250);
    }
    result.pageText = (
      (await page
        .locator('body')
        .innerText()
        .catch(() => '')) as string
    )
      .slice(0, 300)
      .replace(/\s+/g, ' ');
  } finally {
    browserInstance = undefined;
    await b.close().catch(() => {});
  }
}

// Stop promptly when the benchmark is interrupted (playwright's own handler only closes the browser).
let browserInstance: any;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    browserInstance?.close().catch(() => {});
    setTimeout(() => process.exit(130), 500).unref();
  });
}

try {
  await Promise.all([pollHttp(), browser()]);
} catch (e: any) {
  result.error = String(e?.message ?? e).split('\n')[0];
}
if (!starterAlive()) result.starterExited = since();
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(
  result.pageAll !== null &&
    result.page !== null &&
    result.api !== null &&
    result.ready !== null
    ? 0
    : 1,
);
