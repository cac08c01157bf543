import { spawn } from 'node:child_process';

/** Runs node with args; resolves with stdout, rejects with stderr's tail on a non-zero exit. */
/** `showProgress` passes the child's stderr through (its progress lines) instead of keeping it for an error. */
export function runNode(args, { cwd, env, showProgress = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', showProgress ? 'inherit' : 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`node ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`))));
  });
}
