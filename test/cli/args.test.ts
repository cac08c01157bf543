import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/tmp.js';

const tempDir = useTempDirs();

describe('retro-sprites argument mistakes', () => {
  it('a mistyped flag gets "did you mean", not Node\'s parseArgs text', async () => {
    const run = await runCli(['generate', '--fozen'], { cwd: await tempDir() });
    expect(run.code).toBe(2);
    expect(run.err).toEqual(['retro-sprites generate: unknown flag --fozen; did you mean --frozen? See `retro-sprites help generate`.']);
    const common = await runCli(['check', '--manifest', 'x.yaml'], { cwd: await tempDir() });
    expect(common.err[0]).toMatch(/unknown flag --manifest; did you mean --manifests\?/);
    expect([...run.err, ...common.err].join('\n')).not.toMatch(/To specify a positional argument|Unknown option/);
  });

  it('a flag without its value names the value it takes; a switch given a value says so', async () => {
    const missing = await runCli(['generate', '--max-cost'], { cwd: await tempDir() });
    expect(missing.err[0]).toBe('retro-sprites generate: --max-cost needs a value (--max-cost N). See `retro-sprites help generate`.');
    const sw = await runCli(['generate', '--frozen=yes'], { cwd: await tempDir() });
    expect(sw.err[0]).toMatch(/^retro-sprites generate: --frozen is a switch and takes no value\./);
  });

  it('a mistyped command gets "did you mean"; a command far from any lists them', async () => {
    const run = await runCli(['genrate'], { cwd: await tempDir() });
    expect(run.code).toBe(2);
    expect(run.err).toEqual(['retro-sprites: unknown command "genrate"; did you mean generate? See `retro-sprites help`.']);
    const far = await runCli(['xyzzy'], { cwd: await tempDir() });
    expect(far.err[0]).toMatch(/unknown command "xyzzy"\. Commands: check, generate, credits, variants, types, prune, cache, emulate\./);
  });
});
