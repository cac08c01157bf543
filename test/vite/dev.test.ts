import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { retroSprites } from '../../plugin/index.js';
import { startEmulator } from '../../plugin/emulator/index.js';
import { CacheStore } from '../../plugin/core/cache/store.js';
import { decodePng } from '../../plugin/core/image/png.js';
import { startDev as startDevServer, until, withApiEnv, type Dev } from '../helpers/dev-server.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { GAME_FILES } from '../helpers/vite.js';

const tempDir = useTempDirs();
let dev: Dev | undefined;
afterEach(async () => {
  await dev?.server.close();
  dev = undefined;
});

const ITEMS = 'atlas: items\ndefaults:\n  size: 16\nsprites:\n  gem:\n    prompt: "a <script>alert(1)</script> gem"\n';

/** The dev server on an ephemeral port, its HMR messages recorded; closed after each test. */
async function startDev(root: string, options: Parameters<typeof retroSprites>[0] = {}): Promise<Dev> {
  dev = await startDevServer(root, options);
  return dev;
}

describe('vite dev server with retroSprites()', () => {
  it('serves the pack and atlas pages from memory', async () => {
    const root = await tempDir();
    await writeProject(root, { ...GAME_FILES, 'manifests/items.yaml': ITEMS });
    const { url } = await startDev(root);
    const pack = await fetch(`${url}/__retro-sprites/files/pack.json`);
    expect(pack.status).toBe(200);
    const section = (await pack.json())['retro-sprites'];
    expect(section.path).toBe('/__retro-sprites/files/');
    const atlas = section.files.find((f: { key: string }) => f.key === 'heroes');
    const png = await fetch(`${url}${section.path}${atlas.textureURL}`);
    expect(png.headers.get('content-type')).toBe('image/png');
    const image = decodePng(new Uint8Array(await png.arrayBuffer()));
    expect(image.width).toBeGreaterThan(32);
    expect((await fetch(`${url}/__retro-sprites/files/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it('an edited prompt regenerates that sprite and sends one update naming only its atlas', async () => {
    const root = await tempDir();
    await writeProject(root, { ...GAME_FILES, 'manifests/items.yaml': ITEMS });
    const { sent } = await startDev(root);
    const manifest = join(root, 'manifests/heroes.yaml');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('knight in blue armor', 'knight in red armor'));
    const update = await until('the update event', () => sent.find((m) => m.event === 'retro-sprites:update'));
    expect(update.data!.atlases.map((a) => a.key)).toEqual(['heroes']);
    expect(update.data!.images).toEqual([]);
    expect(update.data!.atlases[0]!.images[0]).toMatch(/^\/__retro-sprites\/files\/heroes-[\w-]{8}\.png$/);
    await new Promise((r) => setTimeout(r, 300));
    expect(sent.filter((m) => m.event === 'retro-sprites:update')).toHaveLength(1);
    expect(sent.filter((m) => m.type === 'full-reload')).toHaveLength(0);
  });

  it('a broken manifest shows an error with its location in the overlay, and fixing it clears it', async () => {
    const root = await tempDir();
    await writeProject(root, GAME_FILES);
    const { sent } = await startDev(root);
    const manifest = join(root, 'manifests/heroes.yaml');
    const good = await readFile(manifest, 'utf8');
    await writeFile(manifest, good.replace('seed: 42', 'seed: -3'));
    const error = await until('the error', () => sent.find((m) => m.type === 'error'));
    expect(error.err!.loc).toMatchObject({ file: manifest, line: 9 });
    expect(error.err!.message).toMatch(/manifests\/heroes\.yaml:9:\d+/);
    expect(error.err!.frame).toMatch(/> +9 \| {5}seed: -3/);

    await writeFile(manifest, good.replace('knight in blue armor', 'knight in green armor'));
    const update = await until('the update event', () => sent.find((m) => m.event === 'retro-sprites:update'));
    expect(update.data!.clearError).toBe(true);
  });

  it('a new sprite changes the keys a scene can name: the page reloads', async () => {
    const root = await tempDir();
    await writeProject(root, GAME_FILES);
    const { sent } = await startDev(root);
    await writeProject(root, { 'manifests/items.yaml': ITEMS });
    await until('the reload', () => sent.find((m) => m.type === 'full-reload'));
  });

  it('the dev page lists every sprite and shows a prompt with <script> as text', async () => {
    const root = await tempDir();
    await writeProject(root, { ...GAME_FILES, 'manifests/items.yaml': ITEMS });
    const { url } = await startDev(root);
    const page = await (await fetch(`${url}/__retro-sprites/`)).text();
    for (const name of ['hero', 'coin', 'walker', 'grass', 'gem']) expect(page).toContain(`<h2>${name} <small>`);
    expect(page).toContain('a &lt;script&gt;alert(1)&lt;/script&gt; gem');
    expect(page).not.toContain('<script>alert(1)');
    const state = await (await fetch(`${url}/__retro-sprites/api/state`)).json();
    expect(state.map((s: { sprite: string }) => s.sprite).sort()).toEqual(['heroes/coin', 'heroes/grass', 'heroes/hero', 'heroes/walker', 'items/gem']);
    const img = await fetch(`${url}/__retro-sprites/entry/${state[0].key}/0`);
    expect(img.status).toBe(200);
  });

  it('started again with nothing changed, serves the art the last run left before reading a sprite, and its page still shows every answer', async () => {
    const root = await tempDir();
    await writeProject(root, { ...GAME_FILES, 'manifests/items.yaml': ITEMS });
    /** Every file the pack names, as the game's loader fetches them. */
    const art = async (url: string) => {
      const pack = await (await fetch(`${url}/__retro-sprites/files/pack.json`)).text();
      const section = JSON.parse(pack)['retro-sprites'];
      const files: Record<string, string> = { 'pack.json': pack };
      for (const entry of section.files) {
        for (const name of [entry.url, entry.textureURL, entry.atlasURL].flat().filter(Boolean)) {
          files[name] = Buffer.from(await (await fetch(`${url}${section.path}${name}`)).arrayBuffer()).toString('base64');
        }
      }
      return files;
    };
    const first = await startDev(root);
    const before = await art(first.url);
    await first.server.close();
    const looked = vi.spyOn(CacheStore.prototype, 'lookupMany');
    try {
      const { url } = await startDev(root);
      expect(await art(url)).toEqual(before);
      expect(looked.mock.calls.flat(2)).toEqual([]);
      // The dev page waits for the sprites to be read, and shows each one's answer.
      const page = await (await fetch(`${url}/__retro-sprites/`)).text();
      for (const name of ['hero', 'coin', 'walker', 'grass', 'gem']) expect(page).toContain(`<h2>${name} <small>`);
      const state = await (await fetch(`${url}/__retro-sprites/api/state`)).json();
      for (const s of state) expect((await fetch(`${url}/__retro-sprites/entry/${s.key}/0`)).status).toBe(200);
      expect(looked.mock.calls.flat(2).length).toBe(new Set(state.map((s: { key: string }) => s.key)).size);
      expect(dev!.sent.filter((m) => m.event === 'retro-sprites:update' || m.type === 'full-reload')).toEqual([]);
    } finally {
      looked.mockRestore();
    }
  });

  it('shows placeholder art at once while the real API works, then swaps in the real art', async () => {
    const emulator = await startEmulator({ token: 'dev-token', latencyMs: 400 });
    const restoreEnv = withApiEnv('dev-token', emulator.url);
    try {
      const root = await tempDir();
      await writeProject(root, { ...GAME_FILES, 'manifests/items.yaml': ITEMS });
      const started = Date.now();
      const { url, sent } = await startDev(root, { frozen: false });
      // The virtual module (and so the page) did not wait for the API.
      expect(Date.now() - started).toBeLessThan(4 * 400);
      const states = await (await fetch(`${url}/__retro-sprites/api/state`)).json();
      expect(states.every((s: { status: string; standIn: boolean }) => s.status === 'generating' && s.standIn)).toBe(true);
      expect((await fetch(`${url}/__retro-sprites/files/pack.json`)).status).toBe(200);

      const update = await until('the real art', () => sent.find((m) => m.event === 'retro-sprites:update'), 20_000);
      expect(update.data!.atlases.map((a) => a.key).sort()).toEqual(['heroes', 'items']);
      const after = await (await fetch(`${url}/__retro-sprites/api/state`)).json();
      expect(after.every((s: { status: string; standIn: boolean }) => s.status === 'generated' && !s.standIn)).toBe(true);
    } finally {
      restoreEnv();
      await emulator.close();
    }
  });

  it('the dev page regenerates one sprite, or gives it a new seed in its manifest', async () => {
    const root = await tempDir();
    await writeProject(root, GAME_FILES);
    const { sent, regenerate: post } = await startDev(root);

    const refreshed = await post({ sprite: 'heroes/hero', mode: 'refresh' });
    expect(refreshed.status).toBe(202);
    const manifest = join(root, 'manifests/heroes.yaml');
    const reseeded = await post({ sprite: 'heroes/coin', mode: 'new-seed' });
    const { seed } = await reseeded.json();
    const text = await readFile(manifest, 'utf8');
    // The seed lands in the coin's entry; the comment on the first line is kept.
    expect(text).toMatch(new RegExp(`coin:\\n    prompt: gold coin\\n    num_images: 4\\n    animation: true\\n    seed: ${seed}\\n`));
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server/);
    await until('the update', () => sent.find((m) => m.event === 'retro-sprites:update'));
    expect((await post({ sprite: 'heroes/nobody', mode: 'refresh' })).status).toBe(404);
  });

  it('when the new art of an edited sprite fails, the sprite keeps its last good art in the atlas', async () => {
    const emulator = await startEmulator({ token: 'dev-token' });
    const restoreEnv = withApiEnv('dev-token', emulator.url);
    try {
      const root = await tempDir();
      await writeProject(root, GAME_FILES);
      const { url } = await startDev(root, { frozen: false });
      const states = () => dev!.state();
      for (let i = 0; i < 200 && !(await states()).every((s) => s.status === 'generated'); i++) await new Promise((r) => setTimeout(r, 50));
      emulator.setFaults('422*5');
      const manifest = join(root, 'manifests/heroes.yaml');
      await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('knight in blue armor', 'knight in cursed armor'));
      let hero: { status: string; error?: string } | undefined;
      for (let i = 0; i < 200 && hero?.status !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        hero = (await states()).find((s) => s.sprite === 'heroes/hero');
      }
      expect(hero).toMatchObject({ status: 'failed', error: expect.stringMatching(/HTTP 422/) });
      const section = (await (await fetch(`${url}/__retro-sprites/files/pack.json`)).json())['retro-sprites'];
      const atlasEntry = section.files.find((f: { key: string }) => f.key === 'heroes');
      const atlas = await (await fetch(`${url}${section.path}${atlasEntry.atlasURL}`)).json();
      expect(Object.keys(atlas.frames)).toContain('hero');
    } finally {
      restoreEnv();
      await emulator.close();
    }
  });

  it('two saves 10 ms apart: only the last one is paid for, and a half-written first one never reaches the overlay', async () => {
    const emulator = await startEmulator({ token: 'dev-token', latencyMs: 50 });
    const restoreEnv = withApiEnv('dev-token', emulator.url);
    try {
      const root = await tempDir();
      await writeProject(root, GAME_FILES);
      const { sent } = await startDev(root, { frozen: false });
      for (let i = 0; i < 200 && !(await dev!.state()).every((s) => s.status === 'generated'); i++) await new Promise((r) => setTimeout(r, 50));
      const prompts = () =>
        emulator.received
          .filter((r) => r.path === '/v1/inferences' && !(r.json as { check_cost?: boolean }).check_cost)
          .map((r) => (r.json as { prompt: string }).prompt);
      const updates = () => sent.filter((m) => m.event === 'retro-sprites:update').length;
      const manifest = join(root, 'manifests/heroes.yaml');
      const text = await readFile(manifest, 'utf8');
      const saves = [
        // An editor's save caught half-way: an unclosed quote is invalid YAML.
        [text.replace('prompt: knight in blue armor', 'prompt: "knight in'), text.replace('knight in blue armor', 'knight in red armor'), 'knight in red armor'],
        // Two whole saves in a row: the first prompt never lived long enough to be paid for.
        [text.replace('knight in blue armor', 'knight in green armor'), text.replace('knight in blue armor', 'knight in golden armor'), 'knight in golden armor'],
      ];
      for (const [first, last, prompt] of saves) {
        const paidBefore = prompts().length;
        const updatesBefore = updates();
        // Vite's watcher reports the first save and drops the second one's event (within its 50 ms throttle).
        await writeFile(manifest, first!);
        await new Promise((r) => setTimeout(r, 10));
        await writeFile(manifest, last!);
        await until('the update', () => (updates() > updatesBefore ? true : undefined));
        await new Promise((r) => setTimeout(r, 300));
        expect(prompts().slice(paidBefore)).toEqual([prompt]);
        expect(updates()).toBe(updatesBefore + 1);
      }
      expect(sent.filter((m) => m.type === 'error')).toEqual([]);
    } finally {
      restoreEnv();
      await emulator.close();
    }
  });

  it('a save the watcher drops (40 ms after the last one, inside its 50 ms throttle) still reaches the page', async () => {
    const emulator = await startEmulator({ token: 'dev-token', latencyMs: 50 });
    const restoreEnv = withApiEnv('dev-token', emulator.url);
    try {
      const root = await tempDir();
      await writeProject(root, GAME_FILES);
      await startDev(root, { frozen: false });
      for (let i = 0; i < 200 && !(await dev!.state()).every((s) => s.status === 'generated'); i++) await new Promise((r) => setTimeout(r, 50));
      const manifest = join(root, 'manifests/heroes.yaml');
      const text = await readFile(manifest, 'utf8');
      await writeFile(manifest, text.replace('knight in blue armor', 'knight in green armor'));
      // After the quiet window: the refresh has read the first save when the second lands.
      await new Promise((r) => setTimeout(r, 40));
      await writeFile(manifest, text.replace('knight in blue armor', 'knight in silver armor'));
      const paid = () => emulator.received.some((r) => r.path === '/v1/inferences' && (r.json as { prompt?: string }).prompt === 'knight in silver armor');
      await until('the second save to be generated', () => (paid() ? true : undefined));
    } finally {
      restoreEnv();
      await emulator.close();
    }
  });

  it('with a key in the environment, no served response and no log line holds it', async () => {
    const secret = 'rdpk-dev-secret-0a1b2c3d4e5f';
    const emulator = await startEmulator({ token: secret });
    const restoreEnv = withApiEnv(secret, emulator.url);
    try {
      const root = await tempDir();
      await writeProject(root, { ...GAME_FILES, 'manifests/items.yaml': ITEMS });
      const { url, server, logger } = await startDev(root);
      await until('the API art', async () => ((await dev!.state()).every((s) => s.status === 'generated') ? true : undefined));
      const section = (await (await fetch(`${url}/__retro-sprites/files/pack.json`)).json())['retro-sprites'];
      const urls = [
        '/', '/__retro-sprites/', '/__retro-sprites/api/state', '/__retro-sprites/files/pack.json',
        // The virtual module as the browser receives it from Vite.
        '/@id/__x00__virtual:retro-sprites',
        ...section.files.flatMap((f: { url?: string; textureURL?: string; atlasURL?: string }) =>
          [f.url, f.textureURL, f.atlasURL].filter(Boolean).map((u) => `${section.path}${u}`)),
      ];
      for (const path of urls) {
        const res = await fetch(`${url}${path}`);
        expect(res.status, path).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).includes(secret), path).toBe(false);
      }
      const client = await server.transformRequest('virtual:retro-sprites');
      expect(client?.code).not.toContain(secret);
      expect(logger.lines.join('\n')).not.toContain(secret);
    } finally {
      restoreEnv();
      await emulator.close();
    }
  });
});
