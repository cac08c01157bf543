import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));
export const run = promisify(execFile);

/**
 * `npm pack` of the plugin workspace, as `npm publish` would pack it (its prepack script runs),
 * into a fresh temp folder outside the workspace. Returns the tarball's path.
 */
export async function packPlugin(): Promise<{ dir: string; tarball: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'retro-sprites-pack-'));
  const { stdout } = await run('npm', ['pack', '--workspace', 'vite-plugin-retro-sprites', '--pack-destination', dir, '--json', '--silent'], {
    cwd: WORKSPACE,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  const [info] = JSON.parse(stdout) as { filename: string }[];
  return { dir, tarball: join(dir, info!.filename) };
}

/** The files of a tarball, by path inside it, as text (tar itself lists and extracts them). */
export async function tarballFiles(tarball: string): Promise<Map<string, string>> {
  const into = await mkdtemp(join(tmpdir(), 'retro-sprites-unpacked-'));
  await run('tar', ['xzf', tarball, '-C', into]);
  const { stdout } = await run('tar', ['tzf', tarball]);
  const files = new Map<string, string>();
  for (const name of stdout.split('\n').filter((n) => n && !n.endsWith('/'))) files.set(name, await readFile(join(into, name), 'utf8'));
  return files;
}
