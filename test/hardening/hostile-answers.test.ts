import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { CacheStore } from '../../plugin/core/cache/store.js';
import { runGeneration } from '../../plugin/core/generate/run.js';
import { loadManifests } from '../../plugin/core/manifest/index.js';
import { runCli } from '../helpers/cli.js';
import { countingProvider } from '../helpers/counting-provider.js';
import { keyedRequests, writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { SECRET } from './fault-harness.js';

/**
 * A hostile API server of our own: it answers every price check and generation with what the
 * case says. The images in its answers come from pngjs (a real encoder), the bombs from Node's zlib.
 */
const tempDir = useTempDirs();
const ONE = 'atlas: items\nsprites:\n  gem:\n    prompt: a green gem\n    size: 16\n';

interface Sent { status?: number; json?: unknown; raw?: Buffer }

async function hostileApi(answer: (req: { checkCost: boolean }) => Sent): Promise<{ url: string; paid: () => number; close: () => Promise<void> }> {
  let generations = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { check_cost?: boolean }) : {};
      const checkCost = body.check_cost === true;
      if (!checkCost && req.url === '/v1/inferences') generations++;
      const a = answer({ checkCost });
      const bytes = a.raw ?? Buffer.from(JSON.stringify(a.json));
      res.writeHead(a.status ?? 200, { 'content-type': a.raw ? 'application/octet-stream' : 'application/json' });
      res.end(bytes);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paid: () => generations,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

function png16(): Buffer {
  const png = new PNG({ width: 16, height: 16 });
  png.data.fill(200);
  return PNG.sync.write(png);
}

/** A PNG whose header says 16x16 RGBA but whose pixel data inflates to 50 MB. */
function zlibBomb(): Buffer {
  const good = png16();
  const ihdr = good.subarray(8, 8 + 25);
  const idatData = deflateSync(Buffer.alloc(50_000_000), { level: 9 });
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])));
    return Buffer.concat([len, Buffer.from(type, 'latin1'), data, crc]);
  };
  return Buffer.concat([good.subarray(0, 8), ihdr, chunk('IDAT', idatData), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

const generation = (cost: unknown, image = png16()) => ({ json: { created_at: 1, credit_cost: cost, base64_images: [image.toString('base64')], remaining_credits: 10 } });

async function generate(api: { url: string }, args: string[] = []): Promise<{ code: number; said: string }> {
  const root = await tempDir();
  await writeProject(root, { 'manifests/items.yaml': ONE });
  const run = await runCli(['generate', ...args], { cwd: root, env: { RD_API_KEY: SECRET, RD_API_URL: api.url } });
  return { code: run.code, said: [...run.out, ...run.err].join('\n') };
}

describe('prices that are not prices', () => {
  const CASES: [string, unknown, RegExp][] = [
    ['a negative credit_cost', -100, /malformed answer: credit_cost is negative \(-100\)/],
    ['a credit_cost in a string', '5', /malformed answer: credit_cost is not a number \(got "5"\)/],
    ['a credit_cost past any double (1e400)', '1e400', /malformed answer: credit_cost is a number too large to represent/],
    ['an absurd credit_cost', 1e300, /malformed answer: credit_cost is 1e\+300, more than any request costs/],
  ];
  for (const [what, cost, message] of CASES) {
    it(`${what} from check_cost: an error, never a way past --max-cost; nothing paid`, async () => {
      const api = await hostileApi(({ checkCost }) => {
        if (checkCost) {
          // JSON.stringify cannot write 1e400: splice it in as text.
          return cost === '1e400' ? { raw: Buffer.from('{"credit_cost": 1e400, "base64_images": []}') } : { json: { credit_cost: cost, base64_images: [] } };
        }
        return generation(1);
      });
      try {
        const run = await generate(api, ['--max-cost', '5']);
        expect(run.code).toBe(1);
        expect(run.said).toMatch(message);
        expect(run.said).not.toMatch(/Infinity|NaN/);
        expect(api.paid()).toBe(0);
      } finally {
        await api.close();
      }
    });
  }

  it('a negative credit_cost in a generation answer is a malformed answer, not a cached entry', async () => {
    const api = await hostileApi(({ checkCost }) => (checkCost ? { json: { credit_cost: 1, base64_images: [] } } : generation(-3)));
    try {
      const run = await generate(api);
      expect(run.code).toBe(1);
      expect(run.said).toMatch(/items\/gem: .*malformed answer: credit_cost is negative \(-3\)/);
    } finally {
      await api.close();
    }
  });

  for (const [what, estimate] of [['NaN', Number.NaN], ['-1', -1], ['Infinity', Number.POSITIVE_INFINITY]] as const) {
    it(`any provider's estimate of ${what} stops the run before anything is paid, even under a budget`, async () => {
      const root = await tempDir();
      await writeProject(root, { 'manifests/items.yaml': ONE });
      const provider = countingProvider({ estimate });
      const requests = await keyedRequests(root, provider);
      const store = new CacheStore(join(root, 'manifests/.retro-cache'));
      const err = await runGeneration(requests, { store, provider, root, maxCost: 5 }).then(() => undefined, (e: Error & { code?: string }) => e);
      expect(err?.code).toBe('bad-price');
      expect(err?.message).toMatch(/manifests\/items\.yaml:\d+:\d+: items\/gem: the price check answered .*which is not a price/);
      expect(err?.message).not.toMatch(/Infinity|NaN/);
      expect(provider.calls).toHaveLength(0);
    });
  }
});

describe('messages that say what happened', () => {
  it('a zlib bomb: "inflates past N bytes", not the decoder\'s internals', async () => {
    const bomb = zlibBomb();
    expect(bomb.length).toBeLessThan(100_000);
    const api = await hostileApi(({ checkCost }) => (checkCost ? { json: { credit_cost: 1, base64_images: [] } } : generation(1, bomb)));
    try {
      const run = await generate(api);
      expect(run.code).toBe(1);
      // 16 rows of 1 filter byte + 16 RGBA pixels.
      expect(run.said).toMatch(/image 1 of 1 .*inflates past 1040 bytes/);
      expect(run.said).not.toMatch(/have should not go down/);
    } finally {
      await api.close();
    }
  });

  it('binary bytes in an answer are never printed raw', async () => {
    const binary = Buffer.concat([png16(), Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x00])]);
    for (const status of [200, 400]) {
      const api = await hostileApi(() => ({ status, raw: binary }));
      try {
        const run = await generate(api);
        expect(run.code).toBe(1);
        // No control characters (ESC, BEL, NUL…) and no U+FFFD from undecodable bytes.
        expect(run.said, `HTTP ${status}`).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/);
        expect(run.said).toMatch(status === 200 ? /malformed answer: not JSON/ : /HTTP 400: \d+ bytes of binary data/);
      } finally {
        await api.close();
      }
    }
  });

  it('NaN in a manifest is "not a number", not "far too large"', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/items.yaml': 'atlas: items\nsprites:\n  gem:\n    prompt: a gem\n    size: .nan\n' });
    const err = await loadManifests({ root }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/manifests\/items\.yaml:5:11: .*\.nan \(not a number\)/);
    expect(err?.message).toMatch(/not a number/);
    expect(err?.message).not.toMatch(/far too large|NaN/);
  });
});
