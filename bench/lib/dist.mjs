import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const PLUGIN = join(REPO, 'plugin');
export const DIST = join(PLUGIN, 'dist');

function newestTs(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestTs(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** The benchmark measures the compiled plugin, as users run it: rebuild dist when a source is newer. */
export function ensureDist(log = console.error) {
  let built = 0;
  try {
    built = statSync(join(DIST, 'index.js')).mtimeMs;
  } catch {}
  if (newestTs(PLUGIN) <= built) return false;
  log('bench: plugin/dist is older than its sources; running npm run build:plugin');
  try {
    execFileSync('npm', ['run', '--silent', 'build:plugin'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    // tsc still emits on type errors (another change in progress); the build is usable if it wrote files.
    if (statSync(join(DIST, 'index.js')).mtimeMs <= built) throw new Error('npm run build:plugin failed');
  }
  return true;
}

export const dist = (rel) => new URL(`../../plugin/dist/${rel}`, import.meta.url).href;
