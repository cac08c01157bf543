import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { buildWithPlugin, GAME_FILES } from '../helpers/vite.js';

const tempDir = useTempDirs();

/** The same mistake, made in vite.config.ts and on the command line: each says what to change there. */
async function viteError(options: Parameters<typeof buildWithPlugin>[1]): Promise<string> {
  const root = await tempDir();
  await writeProject(root, GAME_FILES);
  const err = await buildWithPlugin(root, { dts: false, ...options }).then(() => undefined, (e: Error) => e);
  expect(err, 'the build should fail').toBeDefined();
  return err!.message;
}

async function cliError(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const root = await tempDir();
  await writeProject(root, GAME_FILES);
  const run = await runCli(args, { cwd: root, env });
  expect(run.code).not.toBe(0);
  return run.err.join('\n');
}

describe('advice in the words of where you are', () => {
  it('frozen cache: the plugin option in Vite, the flag in the CLI', async () => {
    const vite = await viteError({ frozen: true });
    expect(vite).toMatch(/set the plugin option `frozen: false`/);
    expect(vite).not.toMatch(/--frozen/);
    const cli = await cliError(['generate', '--frozen']);
    expect(cli).toMatch(/run without --frozen/);
    expect(cli).not.toMatch(/plugin option/);
  });

  it('the real provider without a key: `provider` option in Vite, --provider in the CLI', async () => {
    const saved = process.env.RD_API_KEY;
    delete process.env.RD_API_KEY;
    try {
      const vite = await viteError({ provider: 'retrodiffusion' });
      expect(vite).toMatch(/set the plugin option `provider: 'placeholder'`/);
      expect(vite).not.toMatch(/--provider/);
    } finally {
      if (saved !== undefined) process.env.RD_API_KEY = saved;
    }
    const cli = await cliError(['generate', '--provider', 'retrodiffusion']);
    expect(cli).toMatch(/or use --provider placeholder/);
    expect(cli).not.toMatch(/plugin option/);
  });

  it('an unknown style: allowUnknownStyles in Vite, --allow-unknown-styles in the CLI', async () => {
    const root = await tempDir();
    await writeProject(root, { ...GAME_FILES, 'manifests/heroes.yaml': 'sprites:\n  hero:\n    prompt: knight\n    prompt_style: game_aset\n' });
    const err = await buildWithPlugin(root, { dts: false }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/did you mean "game_asset"\? if the API added this style since, allow it with the plugin option `allowUnknownStyles: true`/);
    expect(err?.message).not.toMatch(/--allow-unknown-styles/);
    const run = await runCli(['check'], { cwd: root });
    expect(run.err.join('\n')).toMatch(/allow it with --allow-unknown-styles\)/);
    expect(run.err.join('\n')).not.toMatch(/plugin option/);
  });
});
