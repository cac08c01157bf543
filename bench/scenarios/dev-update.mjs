import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dist } from '../lib/dist.mjs';
import { atlasName, PLUGIN_MAIN, spriteName, writeGame, writeManifests } from '../lib/project.mjs';
import { goal } from '../lib/goal.mjs';
import { summarize } from '../lib/stats.mjs';

const { startEmulator } = await import(dist('emulator/index.js'));
const { openProject, loadProjectPlan } = await import(dist('core/project.js'));
const { runGeneration } = await import(dist('core/generate/run.js'));
const { retroSprites } = await import(dist('index.js'));
const { createServer } = await import('vite');
const { renderPlaceholder } = await import(dist('core/providers/placeholder/index.js'));
const { EMULATOR_SEED_SALT } = await import(dist('emulator/images.js'));
// The emulator draws the placeholder's art with a salted seed: that is the art an edit must change.
const artHash = (payload) =>
  createHash('sha256').update(renderPlaceholder({ ...payload, seed: (payload.seed + EMULATOR_SEED_SALT) % 2 ** 31 })[0].bytes).digest('hex');

const SPRITES = 300;
const ATLASES = 5;
const LATENCY = 200;
const TOKEN = 'bench-token';
const UPDATE_EVENT = 'retro-sprites:update';

async function until(what, probe, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`dev update: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * A dev server (the plugin in Vite's own createServer, as `vite` runs it) serving SPRITES sprites;
 * one prompt is edited on disk and the clock runs until the `retro-sprites:update` event carrying
 * the provider's art is sent. The provider (the emulator) answers after LATENCY ms; that part is the
 * API's, the rest is ours.
 */
export async function run({ log, quick }) {
  const EDITS = quick ? 3 : 7;
  const root = await mkdtemp(join(tmpdir(), 'retro-sprites-bench-'));
  const fast = await startEmulator({ token: TOKEN, credits: 1e9 });
  const slow = await startEmulator({ token: TOKEN, latencyMs: LATENCY, credits: 1e9 });
  let server;
  try {
    await writeManifests(root, { sprites: SPRITES, atlases: ATLASES });
    await writeGame(root, PLUGIN_MAIN);
    // Fill the cache untimed, from an emulator without latency: the key names the provider, not its URL.
    log(`dev update: ${SPRITES} sprites, filling the cache (untimed)`);
    const project = openProject({ root, provider: 'retrodiffusion', concurrency: 8, env: { RD_API_KEY: TOKEN, RD_API_URL: fast.url } });
    const { requests } = await loadProjectPlan(project);
    await runGeneration(requests, { store: project.store, provider: project.provider, root, concurrency: 8 });
    await project.provider.close?.();

    // The plugin reads the key and URL from the environment, as a user's dev server does.
    process.env.RD_API_KEY = TOKEN;
    process.env.RD_API_URL = slow.url;
    server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [retroSprites({ dts: false, concurrency: 8 })],
      server: { port: 0, host: '127.0.0.1', strictPort: false },
    });
    await server.listen();
    const sent = [];
    const other = [];
    const original = server.ws.send.bind(server.ws);
    server.ws.send = (payload, ...rest) => {
      if (payload && payload.event === UPDATE_EVENT) sent.push({ at: performance.now(), payload });
      else other.push(payload);
      return original(payload, ...rest);
    };
    await server.ssrLoadModule('virtual:retro-sprites');
    // Let the watcher settle before the first edit.
    await new Promise((r) => setTimeout(r, 1000));

    const manifest = join(root, 'manifests', `${atlasName(2)}.yaml`);
    const real = [];
    for (let i = 0; i < EDITS; i++) {
      const text = await readFile(manifest, 'utf8');
      const sprite = spriteName(2, 10 + i);
      // A new subject for the prompt, one whose art differs for sure: the emulator draws with the
      // placeholder, which keys its art on the prompt's subject, so a reworded prompt can give
      // identical pixels (and then the plugin rightly sends no update).
      const line = text.match(new RegExp(`  ${sprite}:\\n    prompt: (.*)\\n    size: (\\d+)\\n    seed: (\\d+)`));
      if (!line) throw new Error(`dev update: ${sprite} not found`);
      const art = (prompt) => artHash({ prompt, width: Number(line[2]), height: Number(line[2]), seed: Number(line[3]), remove_bg: true });
      const prompt = ['glowing potion', 'wooden crate', 'stone skull', 'tall tree', 'green slime'].map((p) => `${p} edited ${i}`).find((p) => art(p) !== art(line[1]));
      const edited = text.replace(`  ${sprite}:\n    prompt: ${line[1]}\n`, `  ${sprite}:\n    prompt: ${prompt}\n`);
      if (edited === text) throw new Error(`dev update: could not edit ${sprite}`);
      const before = sent.length;
      const t0 = performance.now();
      await writeFile(manifest, edited);
      // After an edit the old art stays until the provider's art is in: one update carries it.
      const update = await until('the update with the real art', () => sent[before]).catch((e) => {
        throw new Error(`${e.message}; other messages: ${JSON.stringify(other).slice(0, 1500)}`);
      });
      real.push(update.at - t0);
      log(`  edit ${i + 1}: the provider's art after ${(update.at - t0).toFixed(0)} ms`);
      await new Promise((r) => setTimeout(r, 300));
      if (sent.length !== before + 1) throw new Error(`dev update: ${sent.length - before} updates for one edit`);
    }
    const r = summarize(real);
    const ours = summarize(real.map((ms) => ms - LATENCY));
    return {
      sprites: SPRITES,
      atlases: ATLASES,
      latencyMs: LATENCY,
      edits: EDITS,
      updateMs: r,
      minusLatencyMs: ours,
      goals: [goal(`dev edit → update minus the API's latency, ${SPRITES} sprites`, { measured: ours.median, bound: 100, unit: 'ms', text: '≤ 100 ms' })],
    };
  } finally {
    await server?.close();
    await fast.close();
    await slow.close();
    await rm(root, { recursive: true, force: true });
  }
}
