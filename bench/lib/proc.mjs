import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** GNU time reports the peak RSS and the CPU time of the whole command from the kernel (wait4's rusage). */
const GNU_TIME = '/usr/bin/time';
export const HAS_GNU_TIME = existsSync(GNU_TIME);

/**
 * Runs one whole process, as a user's shell would, and times it from spawn to exit. Under GNU time
 * when it is installed, for the process's peak RSS and its CPU time (user and system, all threads,
 * to 10 ms). `timeoutMs` kills it and says so (a peer that would take too long is reported as "more
 * than the cap", not waited for).
 * Resolves { ms, maxRssMB, cpuMs, stdout, timedOut }; rejects on a non-zero exit with stderr's tail.
 */
export async function timeProcess(cmd, args, { cwd, env, timeoutMs } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'retro-sprites-bench-time-'));
  const rssFile = join(dir, 'rss');
  const [file, argv] = HAS_GNU_TIME ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, args];
  try {
    const t0 = performance.now();
    const result = await new Promise((resolve, reject) => {
      const child = spawn(file, argv, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: Boolean(timeoutMs) });
      let out = '';
      let err = '';
      let timedOut = false;
      const timer = timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            // The whole group: GNU time and the command under it.
            try { process.kill(-child.pid, 'SIGKILL'); } catch {}
          }, timeoutMs)
        : undefined;
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => {
        clearTimeout(timer);
        const ms = performance.now() - t0;
        if (timedOut) resolve({ ms, stdout: out, timedOut: true });
        else if (code === 0) resolve({ ms, stdout: out, timedOut: false });
        else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      });
    });
    let maxRssMB = null;
    let cpuMs = null;
    if (HAS_GNU_TIME && !result.timedOut) {
      const [kb, user, sys] = (await readFile(rssFile, 'utf8')).trim().split('\n').pop().split(' ').map(Number);
      if (Number.isFinite(kb)) maxRssMB = kb / 1024;
      if (Number.isFinite(user) && Number.isFinite(sys)) cpuMs = (user + sys) * 1000;
    }
    return { ...result, maxRssMB, cpuMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const node = process.execPath;
