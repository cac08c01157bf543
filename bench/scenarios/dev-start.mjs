import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO } from '../lib/dist.mjs';
import { node } from '../lib/proc.mjs';
import { withGamePair } from '../lib/project.mjs';
import { interleaved, summarize } from '../lib/stats.mjs';

const VITE = join(REPO, 'node_modules/vite/bin/vite.js');
const ATLASES = 10;
/** What the game asks for before it can draw: the virtual module waits for the art; the static game has its main module. */
const PLUGIN_PATH = '/@id/__x00__virtual:retro-sprites';
const STATIC_PATH = '/main.ts';
const TIMEOUT_MS = 120_000;

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `vite` (the dev server) from the shell, a whole process, timed from its spawn to the first 200
 * answer for `path`: what `npm run dev` makes a user wait for before the game can start. The
 * process is stopped and waited for before the next one starts.
 */
async function devStart(cwd, path) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(node, [VITE, '--port', String(port), '--strictPort', '--logLevel', 'warn'], { cwd, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('close', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`vite exited ${child.exitCode} before answering ${path}: ${stderr.slice(-500)}`);
      if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`vite did not answer ${path} within ${TIMEOUT_MS / 1000} s: ${stderr.slice(-500)}`);
      const answer = await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined);
      if (answer) {
        await answer.arrayBuffer();
        if (answer.ok) return performance.now() - t0;
        throw new Error(`vite answered ${path} with ${answer.status}: ${stderr.slice(-500)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    await exited;
  }
}

/**
 * The dev server's start, beside the same game's from static files, in interleaved pairs: no goal
 * in issue 20's table, measured because every `npm run dev` waits for it. Every sprite is cached
 * and one start ran before and was stopped as `vite` stops on SIGTERM (its encoded pages and
 * atlases are kept), as on a developer's machine.
 */
export async function run({ log, quick }) {
  const spriteCounts = quick ? [500] : [500, 2000, 8000];
  const sizes = [];
  for (const sprites of spriteCounts) {
    const pairs = quick ? 3 : sprites >= 8000 ? 3 : 5;
    log(`dev start: ${sprites} sprites in ${ATLASES} atlases`);
    await withGamePair({ sprites, atlases: ATLASES, log }, async ({ game, plain }) => {
      await devStart(game, PLUGIN_PATH);
      await devStart(plain, STATIC_PATH);
      const [plugin, asStatic] = await interleaved(pairs, () => devStart(game, PLUGIN_PATH), () => devStart(plain, STATIC_PATH));
      const p = summarize(plugin);
      const s = summarize(asStatic);
      sizes.push({ sprites, atlases: ATLASES, pairs, pluginMs: p, staticMs: s, ratio: p.median / s.median });
      log(`  dev server answered: plugin ${p.median.toFixed(0)} ms (the art), static ${s.median.toFixed(0)} ms: ${(p.median / s.median).toFixed(2)}×`);
    });
  }
  return { sizes, goals: [] };
}
