import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../plugin/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { buildWithPlugin, GAME_HTML } from '../helpers/vite.js';
import { startDev, withApiEnv, type Dev } from '../helpers/dev-server.js';
import { SECRET, TWO_SPRITES } from './fault-harness.js';

const tempDir = useTempDirs();
let dev: Dev | undefined;
afterEach(async () => {
  await dev?.server.close();
  dev = undefined;
});

async function everyFile(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out;
}

/** Every file under `dir` that holds the secret, as text or as base64 of it. */
async function filesHoldingSecret(dir: string): Promise<string[]> {
  const b64 = Buffer.from(SECRET).toString('base64').slice(0, 24);
  const hits: string[] = [];
  for (const f of await everyFile(dir)) {
    const text = await readFile(f, 'latin1');
    if (text.includes(SECRET) || text.includes(b64)) hits.push(f);
  }
  return hits;
}

/** A "proxy" that echoes every request header back in its error page, as some misconfigured ones do. */
async function echoingProxy(status: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'text/plain', 'x-echo-token': String(req.headers['x-rd-token']) });
    res.end(`upstream said no; your headers were ${JSON.stringify(req.headers)}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** A GET with the path exactly as written, no URL normalization. */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const GAME = {
  'index.html': GAME_HTML,
  'main.ts': "import { packUrl, sprites, preload } from 'virtual:retro-sprites';\nconsole.log(packUrl, sprites, preload);\n",
  'manifests/items.yaml': TWO_SPRITES,
};

describe('the API key leaves the process only in the X-RD-Token header', () => {
  it('generate, its output, the cache and every line printed hold no trace of it; the API saw it only in the header', async () => {
    const emulator = await startEmulator({ token: SECRET });
    try {
      const root = await tempDir();
      await writeProject(root, GAME);
      const env = { RD_API_KEY: SECRET, RD_API_URL: emulator.url };
      const run = await runCli(['generate', '--out', 'out'], { cwd: root, env });
      expect(run.code, run.err.join('\n')).toBe(0);
      const credits = await runCli(['credits'], { cwd: root, env });
      expect(credits.code).toBe(0);
      expect([...run.out, ...run.err, ...credits.out, ...credits.err].join('\n')).not.toContain(SECRET);
      expect(await filesHoldingSecret(root)).toEqual([]);

      // Price checks, generations and the credits call all went out with the key.
      expect(emulator.received.length).toBeGreaterThanOrEqual(4);
      for (const r of emulator.received) {
        expect(r.headers['x-rd-token']).toBe(SECRET);
        const elsewhere = { ...r.headers, 'x-rd-token': undefined, path: r.path, body: r.body };
        expect(JSON.stringify(elsewhere)).not.toContain(SECRET);
      }
    } finally {
      await emulator.close();
    }
  });

  for (const status of [401, 500]) {
    it(`a proxy that echoes the key in a ${status} answer: the message shows [redacted], never the key`, async () => {
      const proxy = await echoingProxy(status);
      try {
        const root = await tempDir();
        await writeProject(root, GAME);
        const run = await runCli(['generate'], { cwd: root, env: { RD_API_KEY: SECRET, RD_API_URL: proxy.url } });
        const said = [...run.out, ...run.err].join('\n');
        expect(run.code).toBe(1);
        expect(said).toContain('[redacted]');
        expect(said).not.toContain(SECRET);
        expect(await filesHoldingSecret(root)).toEqual([]);
      } finally {
        await proxy.close();
      }
    }, 60_000);
  }

  it('vite build: the client bundle, emitted art, declarations, cache and log hold no trace of it', async () => {
    const emulator = await startEmulator({ token: SECRET });
    const restore = withApiEnv(SECRET, emulator.url);
    try {
      const root = await tempDir();
      await writeProject(root, GAME);
      const logger = await buildWithPlugin(root, { apiKey: 'ignored-because-env-wins' });
      expect((await everyFile(join(root, 'dist'))).some((f) => f.endsWith('.js'))).toBe(true);
      expect(await filesHoldingSecret(root)).toEqual([]);
      expect(logger.lines.join('\n')).not.toContain(SECRET);
    } finally {
      restore();
      await emulator.close();
    }
  });

  it('a key given as the apiKey option (no env) stays out of the bundle too', async () => {
    const emulator = await startEmulator({ token: SECRET });
    const restore = withApiEnv('', emulator.url);
    try {
      const root = await tempDir();
      await writeProject(root, GAME);
      await buildWithPlugin(root, { apiKey: SECRET, provider: 'retrodiffusion' });
      expect(emulator.received.some((r) => r.headers['x-rd-token'] === SECRET)).toBe(true);
      expect(await filesHoldingSecret(root)).toEqual([]);
    } finally {
      restore();
      await emulator.close();
    }
  });
});

const HOSTILE = `atlas: items
sprites:
  gem:
    prompt: "a <script>alert(1)</script> gem"
    size: 16
  ring:
    prompt: "x\\"><img src=x onerror=alert(2)>'<svg onload=alert(3)>"
    size: 16
  amp:
    prompt: "&lt;b&gt; already escaped &amp; not unescaped"
    size: 16
`;

describe('the dev page and middleware', () => {
  it('show every prompt, file name and error as text, never as markup', async () => {
    const root = await tempDir();
    await writeProject(root, { ...GAME, 'manifests/items.yaml': HOSTILE, 'manifests/<img src=y onerror=alert(4)>.yaml': 'atlas: odd\nsprites:\n  odd:\n    prompt: odd\n    size: 16\n' });
    dev = await startDev(root);
    const page = await (await fetch(`${dev.url}/__retro-sprites/`)).text();
    expect(page).toContain('a &lt;script&gt;alert(1)&lt;/script&gt; gem');
    expect(page).toContain('x&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&lt;svg onload=alert(3)&gt;');
    expect(page).toContain('&amp;lt;b&amp;gt; already escaped &amp;amp; not unescaped');
    expect(page).toContain('manifests/&lt;img src=y onerror=alert(4)&gt;.yaml');
    for (const raw of ['<script>alert', '<img src=x', '<img src=y', '<svg', 'onerror=alert(2)>\'']) expect(page).not.toContain(raw);
    // The only script on the page is the page's own.
    expect(page.match(/<script/g)).toHaveLength(1);
    // The JSON state is JSON, served as such and not sniffed as HTML.
    const res = await fetch(`${dev.url}/__retro-sprites/api/state`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('a manifest error banner and a failed sprite\'s reason are escaped too', async () => {
    const emulator = await startEmulator({ token: SECRET, faults: '422@1' });
    const restore = withApiEnv(SECRET, emulator.url);
    try {
      const root = await tempDir();
      await writeProject(root, { ...GAME, 'manifests/items.yaml': HOSTILE });
      dev = await startDev(root);
      const failed = await (async () => {
        for (let i = 0; i < 400; i++) {
          const s = await dev!.state();
          if (s.every((x) => x.status === 'failed')) return s;
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error('the sprites never failed');
      })();
      expect(failed[0]!.error).toMatch(/HTTP 422/);
      const page = await (await fetch(`${dev.url}/__retro-sprites/`)).text();
      expect(page).toContain('<span class="error">');
      expect(page).not.toContain('<img src=x');
      expect(page).not.toContain(SECRET);
    } finally {
      restore();
      await emulator.close();
    }
  });

  it('serve only the files they hold: traversal, absolute paths, unknown keys and malformed URLs get 404, 403 or 400', async () => {
    // The secret lies beside the project: Vite itself serves the project's own files in dev.
    const base = await tempDir();
    const root = join(base, 'project');
    await writeProject(root, GAME);
    await writeFile(join(base, 'secret.txt'), 'TOP SECRET');
    dev = await startDev(root);
    const unknownKey = 'a'.repeat(64);
    const attempts = [
      'files/..%2F..%2F..%2Fsecret.txt',
      'files/%2e%2e/%2e%2e/%2e%2e/secret.txt',
      'files/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt',
      'files/..%5C..%5C..%5Csecret.txt',
      'files/%2Fetc%2Fpasswd',
      `files/${encodeURIComponent(join(base, 'secret.txt'))}`,
      `entry/${encodeURIComponent(join(base, 'secret.txt'))}`,
      'files/manifests%2Fitems.yaml',
      'files/..%252F..%252Fsecret.txt',
      'files/.retro-cache',
      `entry/${unknownKey}/0`,
      'entry/../../secret.txt',
      `entry/${unknownKey}/..%2F..%2Fsecret.txt`,
      'entry/%2e%2e%2f%2e%2e%2fsecret.txt/0',
      'api/..%2F..%2Fsecret.txt',
      'index.html%00.png',
      '%E0%A4%A',
      'files/%',
    ];
    for (const a of attempts) {
      // Sent byte for byte: fetch would normalize `%2e%2e` away before the server saw it.
      const res = await rawGet(dev.url, `/__retro-sprites/${a}`);
      const body = res.body;
      // `%2e%2e` segments are `..` to a URL parser: such a request is for another path, which Vite
      // answers with the project's index.html (its SPA fallback), never with a file beside the project.
      if (res.status === 200) expect(body, a).toMatch(/^<!doctype html>[\s\S]*main\.ts/);
      else expect([400, 403, 404], `${a} → ${res.status} ${body.slice(0, 200)}`).toContain(res.status);
      expect(body).not.toContain('TOP SECRET');
      expect(body, a).not.toMatch(/\n\s+at /);
    }
    // A real entry of a real key still works.
    const state = await dev.state();
    expect((await fetch(`${dev.url}/__retro-sprites/entry/${state[0]!.key}/0`)).status).toBe(200);
    expect((await fetch(`${dev.url}/__retro-sprites/entry/${state[0]!.key}/99`)).status).toBe(404);
  });

  it('the regenerate endpoint refuses malformed requests with a clear answer, not a stack', async () => {
    const root = await tempDir();
    await writeProject(root, GAME);
    dev = await startDev(root);
    const post = (body: string) => dev!.regenerate(body);
    for (const body of ['not json', '[]', 'null', '{"sprite": {"toString": 1}}', '{"sprite": "__proto__"}', 'x'.repeat(100_000)]) {
      const res = await post(body);
      const text = await res.text();
      expect([400, 404, 413], `${body.slice(0, 30)} → ${res.status} ${text.slice(0, 200)}`).toContain(res.status);
      expect(text).not.toMatch(/\n\s+at /);
    }
  });
});
