// Remote cache (#18): a warm `vite build` of 2000 sprites served from the remote only (empty local
// cache), against the same build from the local cache. Both remotes are the real servers the tests
// use (s3rver through the AWS SDK; turborepo-remote-cache, local storage), on 127.0.0.1.
// Run alone: `node bench/run-one.mjs remote-warm-build out.json`, or `node bench/scenarios/remote-warm-build.mjs`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNode } from '../lib/child.mjs';
import { ensureDist, REPO } from '../lib/dist.mjs';
import { PLUGIN_MAIN, writeGame, writeManifests } from '../lib/project.mjs';
import { summarize } from '../lib/stats.mjs';

const CLI = join(REPO, 'plugin/bin/retro-sprites.js');
const CHILD = fileURLToPath(new URL('./remote-build-child.mjs', import.meta.url));
const FULL_SPRITES = Number(process.env.BENCH_REMOTE_SPRITES ?? 2000);
let SPRITES = FULL_SPRITES;
const ATLASES = 10;
const RUNS = 3;
const require = createRequire(import.meta.url);

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/v8/artifacts/status`).then(() => true, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

function serve(args, env, pattern) {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (!pattern) return waitForHttp(Number(env.PORT)).then(() => child);
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (b) => {
      seen += b;
      const m = pattern.exec(seen);
      if (m && !child.port) {
        child.port = Number(m[1]);
        resolve(child);
      }
    });
    child.stderr.on('data', (b) => (seen += b));
    child.once('exit', (code) => reject(new Error(`remote server exited ${code}: ${seen.slice(-1000)}`)));
  });
}

async function startRemotes(base) {
  const keyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secret = randomBytes(20).toString('hex');
  const s3 = await serve(
    ['--openssl-legacy-provider', join(REPO, 'test/helpers/s3rver-main.mjs')],
    { S3_DIR: join(base, 's3'), S3_BUCKET: 'bench', S3_KEY_ID: keyId, S3_SECRET: secret, S3_PORT: '0' },
    /listening (\d+)/,
  );
  const token = randomBytes(20).toString('hex');
  const turboCli = require.resolve('turborepo-remote-cache/package.json').replace(/package\.json$/, 'dist/cli.js');
  // A port chosen here: at LOG_LEVEL=warn the server does not say where it listens, and at info it
  // would log every one of the bench's requests.
  const port = await freePort();
  const turbo = await serve(
    [turboCli],
    { HOST: '127.0.0.1', PORT: String(port), TURBO_TOKEN: token, STORAGE_PROVIDER: 'local', STORAGE_PATH: join(base, 'turbo'), STORAGE_PATH_USE_TMP_FOLDER: 'false', LOG_LEVEL: 'warn' },
    undefined,
  );
  turbo.port = port;
  return {
    procs: [s3, turbo],
    remotes: [
      { name: 's3 (s3rver)', url: 's3://bench/game', env: { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: `http://127.0.0.1:${s3.port}` } },
      { name: 'turborepo-remote-cache', url: `http://127.0.0.1:${turbo.port}`, env: { TURBO_TOKEN: token, TURBO_TEAM: 'bench' } },
    ],
  };
}

/** Vite's own progress lines share stdout with the child's result: the result is the last line. */
function lastJson(out) {
  return JSON.parse(out.trim().split('\n').pop());
}

export async function run({ log, quick = false }) {
  SPRITES = quick ? Math.min(300, FULL_SPRITES) : FULL_SPRITES;
  const base = await mkdtemp(join(tmpdir(), 'retro-sprites-bench-remote-'));
  let procs = [];
  try {
    const game = join(base, 'game');
    await writeManifests(game, { sprites: SPRITES, atlases: ATLASES });
    await writeGame(game, PLUGIN_MAIN);
    log(`remote warm build: ${SPRITES} sprites in ${ATLASES} atlases; filling the local cache (untimed)`);
    await runNode([CLI, 'generate', '--provider', 'placeholder', '--concurrency', '8'], { cwd: game });
    const started = await startRemotes(base);
    procs = started.procs;
    const env = (remote) => ({ ...process.env, CI: '', RETRO_SPRITES_REMOTE: '', ...(remote?.env ?? {}) });
    for (const remote of started.remotes) {
      const t0 = performance.now();
      await runNode([CLI, 'cache', 'push', '--provider', 'placeholder', '--remote', remote.url], { cwd: game, env: env(remote) });
      log(`  cache push of ${SPRITES} entries to ${remote.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s (untimed)`);
    }
    const local = [];
    // The remote-only build has nothing a local build kept (.pages/, .atlases/, .builds/ are local): this row separates that cost.
    const localNoPages = [];
    const fromRemote = Object.fromEntries(started.remotes.map((r) => [r.name, []]));
    for (let i = 0; i < RUNS; i++) {
      // Alternate, so a slow spell on the shared machine hits every side alike.
      local.push(lastJson(await runNode([CHILD, game, join(base, 'dist-local')], { env: env() })));
      for (const kept of ['.pages', '.atlases', '.builds']) await rm(join(game, 'manifests/.retro-cache', kept), { recursive: true, force: true });
      localNoPages.push(lastJson(await runNode([CHILD, game, join(base, 'dist-local')], { env: env() })));
      for (const remote of started.remotes) {
        const checkout = join(base, `checkout-${i}-${remote.name.split(' ')[0]}`);
        await writeManifests(checkout, { sprites: SPRITES, atlases: ATLASES });
        await writeGame(checkout, PLUGIN_MAIN);
        const r = lastJson(await runNode([CHILD, checkout, join(checkout, 'dist'), remote.url], { env: env(remote) }));
        if (r.fetched !== SPRITES) throw new Error(`${remote.name}: fetched ${r.fetched} of ${SPRITES} entries: ${r.remoteLines.join(' / ')}`);
        fromRemote[remote.name].push(r);
        await rm(checkout, { recursive: true, force: true });
      }
    }
    const l = summarize(local.map((r) => r.ms));
    log(`  local warm build: ${l.median.toFixed(0)} ms`);
    const np = summarize(localNoPages.map((r) => r.ms));
    log(`  local build with nothing kept: ${np.median.toFixed(0)} ms`);
    const remotes = started.remotes.map((remote) => {
      const s = summarize(fromRemote[remote.name].map((r) => r.ms));
      log(`  ${remote.name}, empty local cache: ${s.median.toFixed(0)} ms (${(s.median / l.median).toFixed(1)}× local)`);
      return { name: remote.name, ms: s, ratioToLocal: s.median / l.median, peakRssMB: summarize(fromRemote[remote.name].map((r) => r.maxRssMB)) };
    });
    return { sprites: SPRITES, atlases: ATLASES, localWarmMs: l, localWarmNoPagesMs: np, remotes };
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await rm(base, { recursive: true, force: true });
  }
}

/** The scenario's lines for the bench report. */
export function report(r) {
  const fmt = (s) => `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
  const lines = [`Remote cache: warm vite build of ${r.sprites} sprites (${r.atlases} atlases), everything from the remote, empty local cache`];
  lines.push('| source | vite build | × local warm build |', '|---|---|---|', `| local cache | ${fmt(r.localWarmMs)} | 1.0× |`);
  if (r.localWarmNoPagesMs) lines.push(`| local cache, nothing a build kept (.pages/, .atlases/, .builds/ deleted) | ${fmt(r.localWarmNoPagesMs)} | ${(r.localWarmNoPagesMs.median / r.localWarmMs.median).toFixed(1)}× |`);
  for (const x of r.remotes) lines.push(`| ${x.name} | ${fmt(x.ms)} | ${x.ratioToLocal.toFixed(1)}× |`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureDist();
  const result = await run({ log: (l) => console.error(l) });
  console.log(report(result));
  process.exit(0);
}
