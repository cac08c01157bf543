import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRetroDiffusionProvider } from '../../plugin/core/providers/retrodiffusion/index.js';
import { MIN_KEY_LENGTH, redact } from '../../plugin/core/providers/retrodiffusion/redact.js';
import { startEmulator } from '../../plugin/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { TWO_SPRITES } from './fault-harness.js';

/**
 * A proxy or a misconfigured server may echo the request's headers back in an error body, in any
 * encoding it likes. The encodings are made here by Node's own encoders (Buffer's base64 and hex,
 * encodeURIComponent), not by the redaction code under test.
 */
const KEY = 'rdpk-Hx9/Qw+Lm7=Zt4Kp2Vn8';
const tempDir = useTempDirs();

/** Every form of the key that must not appear: each prefix of 6+ characters, and each encoding. */
function traces(key: string): string[] {
  const out: string[] = [];
  for (let n = 6; n <= key.length; n++) out.push(key.slice(0, n));
  out.push(encodeURIComponent(key), Buffer.from(key).toString('hex'), Buffer.from(key).toString('hex').toUpperCase());
  out.push(Buffer.from(key).toString('base64').replace(/=+$/, '').slice(0, -1), Buffer.from(key).toString('base64url').slice(0, -1));
  return out;
}

/** What Node's own decoders find in every base64- or hex-looking run of the text, from every offset. */
function decodedRuns(text: string): string[] {
  const out: string[] = [];
  for (const run of text.match(/[A-Za-z0-9+/_-]{8,}/g) ?? []) {
    for (let i = 0; i < 4; i++) {
      const part = run.slice(i);
      out.push(Buffer.from(part.slice(0, part.length - (part.length % 4)), 'base64').toString('latin1'));
      out.push(Buffer.from(part.slice(0, part.length - (part.length % 4)), 'base64url').toString('latin1'));
    }
  }
  for (const run of text.match(/[0-9a-fA-F]{12,}/g) ?? []) {
    for (let i = 0; i < 2; i++) out.push(Buffer.from(run.slice(i, run.length - ((run.length - i) % 2)), 'hex').toString('latin1'));
  }
  return out;
}

function leaks(text: string, key: string): string[] {
  const decoded = decodedRuns(text);
  const prefixes = traces(key).filter((t) => key.startsWith(t));
  return [
    ...traces(key).filter((t) => text.includes(t)),
    ...prefixes.filter((p) => decoded.some((d) => d.includes(p))).map((p) => `decoded: ${p}`),
  ];
}

async function echoServer(body: (key: string) => string, status = 500): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body(String(req.headers['x-rd-token'])));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const ECHOES: [string, (key: string) => string][] = [
  ['raw', (k) => `bad token ${k}`],
  ['URL-encoded', (k) => `GET /v1/inferences?token=${encodeURIComponent(k)} refused`],
  ['URL-encoded, lower-case escapes', (k) => `token=${encodeURIComponent(k).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`],
  ['base64 alone', (k) => `token (base64) ${Buffer.from(k).toString('base64')}`],
  ['base64url alone', (k) => `token=${Buffer.from(k).toString('base64url')}`],
  ['base64 inside a header dump, offset 1', (k) => `dump ${Buffer.from(`a${k}`).toString('base64')}`],
  ['base64 inside a header dump, offset 2', (k) => `dump ${Buffer.from(`{"x-rd-token":"${k}","accept":"*/*"}`).toString('base64')}`],
  ['hex', (k) => `token hex ${Buffer.from(k).toString('hex')}`],
  ['HEX', (k) => `token hex ${Buffer.from(k).toString('hex').toUpperCase()}`],
  ['cut by the server', (k) => `token ${k.slice(0, 9)}… was rejected`],
  // The excerpt of a non-JSON body is 200 characters: the key straddles the cut.
  ['straddling the excerpt cut', (k) => `${'x'.repeat(185)} ${k} and more text after it`],
  ['straddling the JSON details cut', (k) => JSON.stringify({ error: { message: 'no', details: `${'y'.repeat(290)} ${k}` } })],
];

describe('the key never shows, in any form a server might echo it', () => {
  for (const [form, body] of ECHOES) {
    it(`${form}: the error says what happened and holds no 6-character prefix or encoding of the key`, async () => {
      const server = await echoServer(body);
      const provider = createRetroDiffusionProvider({ apiKey: KEY, baseUrl: server.url, maxAttempts: 1 });
      try {
        const err = await provider.generate({ prompt: 'gem', width: 16, height: 16, num_images: 1 }).then(() => undefined, (e: Error) => e);
        expect(err?.message).toMatch(/the API failed \(HTTP 500/);
        expect(leaks(err!.message, KEY), err!.message).toEqual([]);
        expect(leaks(JSON.stringify(err), KEY)).toEqual([]);
      } finally {
        await provider.close?.();
        await server.close();
      }
    });
  }

  it('a retry line in the log is redacted the same way', async () => {
    const server = await echoServer((k) => `busy; your token ${Buffer.from(k).toString('hex')}`, 503);
    const lines: string[] = [];
    const provider = createRetroDiffusionProvider({ apiKey: KEY, baseUrl: server.url, maxAttempts: 2, retry: { baseDelayMs: 1, maxDelayMs: 2 }, log: (l) => lines.push(l) });
    try {
      await provider.generate({ prompt: 'gem', width: 16, height: 16, num_images: 1 }).catch(() => undefined);
      expect(lines.join('\n')).toMatch(/retry 2\/2/);
      expect(leaks(lines.join('\n'), KEY)).toEqual([]);
    } finally {
      await provider.close?.();
      await server.close();
    }
  });
});

describe('redaction replaces whole occurrences, never pieces of words', () => {
  it('a key that also occurs inside a longer word leaves that word alone', () => {
    const key = 'tex9ture42';
    expect(redact(`token=${key}; retex9ture42s stays; ${key}`, key)).toBe('token=[redacted]; retex9ture42s stays; [redacted]');
    // A log line with ordinary words and no key is printed as it is.
    const line = 'retrodiffusion: POST /v1/inferences items/texture (texture 16x16 x1) -> 200 in 12 ms';
    expect(redact(line, 'test-key-4f1c9e7a2b')).toBe(line);
  });

  it(`RD_API_KEY shorter than ${MIN_KEY_LENGTH} characters is refused before any request, naming RD_API_KEY`, async () => {
    const emulator = await startEmulator({ token: 'x' });
    try {
      const root = await tempDir();
      await writeProject(root, { 'manifests/items.yaml': TWO_SPRITES.replace('a green gem', 'a texture gem') });
      const run = await runCli(['generate'], { cwd: root, env: { RD_API_KEY: 'x', RD_API_URL: emulator.url } });
      const said = [...run.out, ...run.err].join('\n');
      expect(run.code).toBe(1);
      expect(said).toMatch(new RegExp(`RD_API_KEY is 1 character long; a RetroDiffusion key has at least ${MIN_KEY_LENGTH}`));
      expect(said).not.toContain('[redacted]');
      expect(said).not.toMatch(/\n\s+at /);
      expect(emulator.received).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});
