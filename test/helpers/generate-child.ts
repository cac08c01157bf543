import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../plugin/bin/retro-sprites.js', import.meta.url));

export interface GenerateExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs `retro-sprites generate --concurrency 4` in a child process, as a user's shell would; kills
 * it with SIGKILL after `killAfterMs` when given. CI is left out of its environment: CI freezes the
 * cache, and these children are meant to spend.
 */
export function generateChild(root: string, env: NodeJS.ProcessEnv, opts: { killAfterMs?: number; onSpawn?: (c: ChildProcess) => void } = {}): Promise<GenerateExit> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.CI;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'generate', '--concurrency', '4'], { cwd: root, env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    opts.onSpawn?.(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = opts.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

/** mulberry32: kill instants that are random but the same on every run. */
export function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
