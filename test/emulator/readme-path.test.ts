import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../plugin/emulator/index.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { buildWithPlugin, GAME_FILES } from '../helpers/vite.js';

const tempDir = useTempDirs();

/** Every command the README gives for building against the emulator, with its environment. */
async function readmeEmulatorCommands(): Promise<{ line: string; env: Record<string, string> }[]> {
  const readme = await readFile(resolve(__dirname, '../../README.md'), 'utf8');
  return readme
    .split('\n')
    .filter((l) => /RD_API_URL=http:\/\/127\.0\.0\.1:8787 .*(npm run demo|vite build)/.test(l))
    .map((line) => ({ line, env: Object.fromEntries([...line.matchAll(/\b([A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/`$/, '')])) }));
}

describe("the README's emulator path", () => {
  it('every command says where the emulator art goes, and following it leaves the committed cache untouched', async () => {
    const commands = await readmeEmulatorCommands();
    expect(commands.length).toBeGreaterThanOrEqual(2);
    for (const c of commands) expect(c.env.RETRO_SPRITES_CACHE, c.line).toBeDefined();

    const emu = await startEmulator({ port: 0 });
    const { env } = commands[0]!;
    const saved = { ...process.env };
    Object.assign(process.env, env, { RD_API_URL: emu.url });
    delete process.env.CI;
    try {
      const root = await tempDir();
      await writeProject(root, GAME_FILES);
      await buildWithPlugin(root, { dts: false });
      expect(emu.requestCount('/v1/inferences')).toBeGreaterThan(0);
      expect(existsSync(join(root, 'manifests/.retro-cache'))).toBe(false);
      const throwaway = join(root, env.RETRO_SPRITES_CACHE!);
      expect((await readdir(throwaway)).filter((d) => /^[0-9a-f]{2}$/.test(d)).length).toBeGreaterThan(0);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      await emu.close();
    }
  });
});
