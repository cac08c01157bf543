import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../plugin/emulator/index.js';
import { browserAvailable, launchBrowser } from '../e2e/browser.js';
import { devToken, startDev, until, withApiEnv, type Dev } from '../helpers/dev-server.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { SECRET, TWO_SPRITES } from './fault-harness.js';
import { GAME_HTML } from '../helpers/vite.js';

/**
 * The dev server listens on localhost, and any web page the developer opens can send requests
 * there. These tests play that page: with raw HTTP (every header as an attacker may set it) and in
 * Chromium (what a real page can actually do). Nothing they send may spend a credit or edit a
 * manifest; the dev page's own buttons must keep working.
 */

const tempDir = useTempDirs();
const GAME = {
  'index.html': GAME_HTML,
  'main.ts': "import { packUrl } from 'virtual:retro-sprites';\nconsole.log(packUrl);\n",
  'manifests/items.yaml': TWO_SPRITES,
};

/** Generation requests the emulator was paid for (price checks are free). */
function paid(emulator: Emulator): number {
  return emulator.received.filter((r) => r.path === '/v1/inferences' && !(r.json as { check_cost?: boolean } | undefined)?.check_cost).length;
}

/** Every request that reached the dev server's API, with the status it got. */
function recordApi(dev: Dev): { method: string; origin?: string; type?: string; status: number }[] {
  const seen: { method: string; origin?: string; type?: string; status: number }[] = [];
  dev.server.httpServer!.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!req.url?.includes('/api/regenerate')) return;
    res.on('finish', () => seen.push({ method: req.method!, origin: req.headers.origin, type: req.headers['content-type'], status: res.statusCode }));
  });
  return seen;
}

/** A POST with exactly these headers, over a plain socket (no fetch rules in the way). */
function rawPost(base: string, headers: Record<string, string>, body: string, path = '/__retro-sprites/api/regenerate'): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, method: 'POST', headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function rawGet(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function settled(dev: Dev): Promise<void> {
  await until('every sprite generated', async () => ((await dev.state()).every((s) => (s.status === 'generated' || s.status === 'cached') && !s.standIn) ? true : undefined), 20_000);
}

describe('the dev API refuses every request that is not the dev page itself', () => {
  let emulator: Emulator;
  let restore: () => void;
  let dev: Dev | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ token: SECRET });
    restore = withApiEnv(SECRET, emulator.url);
  });
  afterAll(async () => {
    restore();
    await emulator.close();
  });
  afterEach(async () => {
    await dev?.server.close();
    dev = undefined;
  });

  it('foreign, null or missing origins, non-JSON bodies and missing tokens: refused, nothing paid, manifest unchanged', async () => {
    const root = await tempDir();
    await writeProject(root, GAME);
    dev = await startDev(root, { frozen: false });
    await settled(dev);
    const token = await devToken(dev.url);
    const manifest = join(root, 'manifests/items.yaml');
    const before = { paid: paid(emulator), credits: emulator.credits, yaml: await readFile(manifest, 'utf8') };
    const self = dev.url;
    const other = self.replace(/:(\d+)$/, (_m, p: string) => `:${Number(p) + 1}`);
    const body = JSON.stringify({ sprite: 'items/gem', mode: 'new-seed' });
    const json = 'application/json';
    const attempts: [string, Record<string, string>, number][] = [
      // What a page on any site sends without a preflight: a form or a "simple" fetch.
      ['text/plain, no origin (curl-like)', { 'content-type': 'text/plain' }, 415],
      ['text/plain from a foreign site', { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' }, 403],
      ['a form post', { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }, 403],
      ['multipart form', { 'content-type': 'multipart/form-data; boundary=x', origin: 'https://evil.example' }, 403],
      // Even with the token (leaked, say): a foreign origin is refused.
      ['JSON + token from a foreign site', { 'content-type': json, 'x-retro-sprites-token': token, origin: 'https://evil.example' }, 403],
      ['JSON + token from another localhost port (Vite\'s CORS trusts it)', { 'content-type': json, 'x-retro-sprites-token': token, origin: other }, 403],
      ['JSON + token from a null origin (sandboxed frame, file://)', { 'content-type': json, 'x-retro-sprites-token': token, origin: 'null' }, 403],
      ['JSON + token, cross-site fetch metadata without an Origin', { 'content-type': json, 'x-retro-sprites-token': token, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' }, 403],
      ['JSON + token, a browser fetch without an Origin', { 'content-type': json, 'x-retro-sprites-token': token, 'sec-fetch-mode': 'cors' }, 403],
      ['JSON + token, same-site (a sibling subdomain)', { 'content-type': json, 'x-retro-sprites-token': token, origin: self, 'sec-fetch-site': 'same-site' }, 403],
      ['JSON + token, a malformed Origin', { 'content-type': json, 'x-retro-sprites-token': token, origin: 'http://[::1' }, 403],
      // Same origin but not the page: no token, a wrong one, or the wrong type.
      ['same origin, JSON, no token', { 'content-type': json, origin: self }, 403],
      ['same origin, JSON, a wrong token', { 'content-type': json, origin: self, 'x-retro-sprites-token': token.slice(1) + 'x' }, 403],
      ['same origin, token, text/plain', { 'content-type': 'text/plain', origin: self, 'x-retro-sprites-token': token }, 415],
      ['same origin, token, no type', { origin: self, 'x-retro-sprites-token': token }, 415],
      ['same origin, token, application/json-seq', { 'content-type': 'application/jsonx', origin: self, 'x-retro-sprites-token': token }, 415],
    ];
    for (const [what, headers, status] of attempts) {
      const res = await rawPost(self, headers, body);
      expect(res.status, `${what}: ${res.body}`).toBe(status);
      expect(res.body, what).toMatch(/^retro-sprites: (refused|this endpoint takes application\/json)/);
      expect(res.headers['access-control-allow-origin'], what).toBeUndefined();
    }
    // The dev page's variants spend and edit the manifest too: the same rules.
    for (const action of ['start', 'keep', 'estimate']) {
      const path = `/__retro-sprites/api/variants/${action}`;
      const v = JSON.stringify({ sprite: 'items/gem', count: 2, seed: 7 });
      expect((await rawPost(self, { 'content-type': 'text/plain', origin: 'https://evil.example' }, v, path)).status, path).toBe(403);
      expect((await rawPost(self, { 'content-type': json, origin: other, 'x-retro-sprites-token': token }, v, path)).status, path).toBe(403);
      expect((await rawPost(self, { 'content-type': json, origin: self }, v, path)).status, path).toBe(403);
    }
    // A GET is not a way around it.
    expect((await rawGet(self, '/__retro-sprites/api/regenerate', {})).status).toBe(405);

    // DNS rebinding: a foreign name that resolves to 127.0.0.1 looks same-origin to the browser;
    // Vite's host check stands before the API (and the page holding the token).
    const rebound = (await rawPost(self, { host: 'evil.example', origin: 'http://evil.example', 'content-type': json, 'x-retro-sprites-token': token }, body));
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatch(/Blocked request/);
    expect((await rawGet(self, '/__retro-sprites/', { host: 'evil.example' })).body).not.toContain(token);

    // The page, its token and the state are not readable by another origin, even one Vite's CORS trusts.
    for (const path of ['/__retro-sprites/', '/__retro-sprites/api/state']) {
      const res = await rawGet(self, path, { origin: other, 'sec-fetch-site': 'same-site' });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin'], path).toBeUndefined();
    }
    const page = await rawGet(self, '/__retro-sprites/', {});
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['content-security-policy']).toBe("frame-ancestors 'none'");

    await new Promise((r) => setTimeout(r, 300));
    expect(paid(emulator)).toBe(before.paid);
    expect(emulator.credits).toBe(before.credits);
    expect(await readFile(manifest, 'utf8')).toBe(before.yaml);

    // The dev page's own request still goes through, and spends as asked.
    const ok = await rawPost(self, { 'content-type': 'application/json; charset=utf-8', origin: self, 'sec-fetch-site': 'same-origin', 'x-retro-sprites-token': token }, JSON.stringify({ sprite: 'items/gem', mode: 'refresh' }));
    expect(ok.status, ok.body).toBe(202);
    await until('the paid regeneration', () => (paid(emulator) === before.paid + 1 ? true : undefined));
    // Its answer is being stored: let it land before the project folder is removed.
    await until('the regenerated gem stored', async () => ((await dev!.state()).find((s) => s.sprite === 'items/gem')?.status === 'generated' ? true : undefined));
  });

  it('every dev server has its own token', async () => {
    const root = await tempDir();
    await writeProject(root, GAME);
    dev = await startDev(root);
    const first = await devToken(dev.url);
    const again = await devToken(dev.url);
    const second = await startDev(root);
    try {
      expect(first).toBe(again);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(await devToken(second.url)).not.toBe(first);
    } finally {
      await second.server.close();
    }
  });
});

/** A web page on another origin that tries what the dev page does, with fetch and with a form. */
function attackPage(target: string): string {
  const api = `${target}/__retro-sprites/api/regenerate`;
  return `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="form" method="POST" action="${api}" enctype="text/plain" target="sink">
  <input name='{"sprite":"items/gem","mode":"new-seed","x":"' value='"}'>
</form>
<form id="form2" method="POST" action="${api}" target="sink">
  <input name="sprite" value="items/key"><input name="mode" value="new-seed">
</form>
<script>
  const body = JSON.stringify({ sprite: 'items/gem', mode: 'new-seed' });
  const outcome = (p) => p.then(async (r) => (r.type === 'opaque' ? 'opaque' : 'read ' + r.status + ' ' + (await r.text()).slice(0, 200)), (e) => 'blocked: ' + e.message);
  window.attack = async () => {
    const results = {};
    results.simple = await outcome(fetch('${api}', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body }));
    results.json = await outcome(fetch('${api}', { method: 'POST', headers: { 'content-type': 'application/json', 'x-retro-sprites-token': 'guessed' }, body }));
    results.page = await outcome(fetch('${target}/__retro-sprites/'));
    results.state = await outcome(fetch('${target}/__retro-sprites/api/state'));
    document.getElementById('form').submit();
    await new Promise((r) => setTimeout(r, 300));
    document.getElementById('form2').submit();
    await new Promise((r) => setTimeout(r, 300));
    return results;
  };
</script></body></html>`;
}

async function serveAttack(host: string, html: () => string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html());
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe.skipIf(!browserAvailable('dev server cross-site'))('in Chromium: the dev page works, a page on another origin gets nowhere', () => {
  let browser: Browser | undefined;
  let emulator: Emulator;
  let restore: () => void;
  let dev: Dev | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
    emulator = await startEmulator({ token: SECRET });
    restore = withApiEnv(SECRET, emulator.url);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await dev?.server.close();
    restore();
    await emulator.close();
  });

  it("the dev page's Regenerate and New seed buttons spend and edit; the same requests from 127.0.0.2 and another port do neither", async () => {
    const root = await tempDir();
    await writeProject(root, GAME);
    dev = await startDev(root, { frozen: false });
    await settled(dev);
    const api = recordApi(dev);
    const manifest = join(root, 'manifests/items.yaml');

    const page = await browser!.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await page.goto(`${dev.url}/__retro-sprites/`);

    const start = paid(emulator);
    await page.click('[data-sprite="items/gem"] button[data-action="refresh"]');
    await until('the regenerated gem', () => (paid(emulator) === start + 1 ? true : undefined));
    await settled(dev);
    await page.goto(`${dev.url}/__retro-sprites/`);
    await page.click('[data-sprite="items/key"] button[data-action="new-seed"]');
    await until('the new seed in the manifest', async () => ((await readFile(manifest, 'utf8')) !== TWO_SPRITES ? true : undefined));
    await until('the key with its new seed', () => (paid(emulator) === start + 2 ? true : undefined));
    await settled(dev);
    expect(dialogs).toEqual([]);
    expect(api.map((r) => r.status)).toEqual([202, 200]);

    const before = { paid: paid(emulator), credits: emulator.credits, yaml: await readFile(manifest, 'utf8') };
    const sites = [await serveAttack('127.0.0.2', () => attackPage(dev!.url)), await serveAttack('127.0.0.1', () => attackPage(dev!.url))];
    try {
      for (const site of sites) {
        const evil = await browser!.newPage();
        await evil.goto(site.url);
        const results = await evil.evaluate(() => (window as unknown as { attack: () => Promise<Record<string, string>> }).attack());
        // Nothing readable: the simple POST is opaque, the rest are blocked by the browser's CORS check.
        expect(results.simple, site.url).toBe('opaque');
        for (const k of ['json', 'page', 'state']) expect(results[k], `${site.url} ${k}`).toMatch(/^blocked/);
        await evil.close();
      }
      await until('both form posts of both sites', () => (api.filter((r) => r.method === 'POST' && r.status >= 400).length >= 7 ? true : undefined));
    } finally {
      for (const s of sites) await s.close();
    }
    // Each attempt reached the server and was refused there, not merely hidden by the browser.
    // (Preflights are answered by Vite's CORS middleware or refused; only POSTs can spend.)
    const refused = api.slice(2).filter((r) => r.method === 'POST');
    expect(refused.length).toBeGreaterThanOrEqual(7);
    for (const r of refused) {
      expect([403, 415], JSON.stringify(r)).toContain(r.status);
      expect(r.origin).toMatch(/^http:\/\/127\.0\.0\.[12]:\d+$/);
    }
    expect(refused.some((r) => r.type?.startsWith('text/plain'))).toBe(true);
    expect(refused.some((r) => r.type === 'application/x-www-form-urlencoded')).toBe(true);
    expect(refused.some((r) => r.type === 'application/json')).toBe(true);

    await new Promise((r) => setTimeout(r, 300));
    expect(paid(emulator)).toBe(before.paid);
    expect(emulator.credits).toBe(before.credits);
    expect(await readFile(manifest, 'utf8')).toBe(before.yaml);
    await page.close();
  }, 90_000);
});
