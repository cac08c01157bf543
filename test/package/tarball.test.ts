import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPlugin, run, tarballFiles, WORKSPACE } from '../helpers/packed.js';

/**
 * The package as npm would publish it, judged by the tools the ecosystem uses: `npm pack` makes
 * it, `publint` and `@arethetypeswrong/cli` (attw) lint it.
 */
describe('the published package (npm pack)', () => {
  let pack: { dir: string; tarball: string };
  let files: Map<string, string>;
  let pkg: Record<string, unknown> & { exports: Record<string, unknown> };

  beforeAll(async () => {
    pack = await packPlugin();
    files = await tarballFiles(pack.tarball);
    pkg = JSON.parse(files.get('package/package.json')!);
  }, 60_000);
  afterAll(async () => {
    if (pack) await rm(pack.dir, { recursive: true, force: true });
  });

  it('carries the README, the LICENSE and where the code lives', () => {
    expect(files.get('package/README.md')).toMatch(/^# retro-sprites/);
    expect(files.get('package/LICENSE')).toMatch(/^MIT License/);
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository).toMatchObject({ type: 'git', directory: 'plugin' });
  });

  it('names types for every export, and for resolvers that predate exports', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') {
        expect(files.has(`package/${target.slice(2)}`), subpath).toBe(true);
        continue;
      }
      const { types, import: js } = target as { types: string; import: string };
      expect(Object.keys(target as object)[0], `${subpath}: "types" comes first`).toBe('types');
      expect(files.has(`package/${types.slice(2)}`), `${subpath} types ${types}`).toBe(true);
      expect(files.has(`package/${js.slice(2)}`), `${subpath} import ${js}`).toBe(true);
    }
    expect(files.has(`package/${String(pkg.types).slice(2)}`)).toBe(true);
  });

  it('ships source maps only with their sources inside (Vite warns about maps pointing at missing files)', () => {
    const maps = [...files].filter(([name]) => name.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const [name, text] of maps) {
      const map = JSON.parse(text) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, name).toBe(map.sources.length);
      expect(map.sourcesContent!.every((s) => typeof s === 'string' && s.length > 0), name).toBe(true);
    }
    // Nothing of the workspace leaks in: no tests, no sources, no local cache.
    expect([...files.keys()].filter((n) => /\.test\.|\/test\/|\.retro-cache|(?<!\.d)\.ts$/.test(n))).toEqual([]);
  });

  it('publint finds nothing to fix', async () => {
    const { stdout } = await run(process.execPath, [join(WORKSPACE, 'node_modules/publint/src/cli.js'), pack.tarball, '--strict']);
    expect(stdout).toContain('All good!');
  });

  it('are the types wrong: every entry point resolves its types, also under node10 resolution', async () => {
    const bin = join(WORKSPACE, 'node_modules/@arethetypeswrong/cli/dist/index.js');
    // ESM only (a Vite plugin's config is ESM): require() of it is the one thing it does not offer.
    const { stdout } = await run(process.execPath, [bin, pack.tarball, '--profile', 'esm-only', '--format', 'json'], { maxBuffer: 64 << 20 }).catch((e: { stdout: string }) => e);
    const report = JSON.parse(stdout) as { problems?: unknown[]; analysis: { problems: { kind: string; resolutionKind?: string }[]; entrypoints: Record<string, { resolutions: Record<string, { resolution?: { isTypeScript?: boolean; isJson?: boolean } }> }> } };
    const problems = report.analysis.problems.filter((p) => !(p.kind === 'CJSResolvesToESM' && p.resolutionKind === 'node16-cjs'));
    expect(problems).toEqual([]);
    for (const [entry, e] of Object.entries(report.analysis.entrypoints)) {
      const node10 = e.resolutions.node10?.resolution;
      expect(node10?.isTypeScript || node10?.isJson, `${entry} under node10`).toBe(true);
    }
  });
});
