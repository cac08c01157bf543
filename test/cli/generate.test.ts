import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../plugin/core/image/png.js';
import { runCli } from '../helpers/cli.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';

const tempDir = useTempDirs();

const MANIFEST = `atlas: items
defaults:
  size: 32
  remove_bg: true
sprites:
  coin:
    prompt: gold coin
    num_images: 4
    animation: true
  gem:
    prompt: blue gem
  grass:
    prompt: lush grass
    prompt_style: texture
    tile_x: true
    tile_y: true
`;

describe('retro-sprites generate', () => {
  it('without a key, draws placeholder art offline and says how to switch', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/items.yaml': MANIFEST });
    const run = await runCli(['generate'], { cwd: root });
    expect(run.code).toBe(0);
    expect(run.err[0]).toMatch(/RD_API_KEY is not set.*placeholder/);
    expect(run.err).toContain('3 sprites, 0 cached, 3 to generate, estimated cost 0 credits');
    expect(run.err.filter((l) => /^ {2}items\/(coin|gem|grass) {2}\d+\.\ds$/.test(l))).toHaveLength(3);
    expect(run.err.at(-1)).toMatch(/^3 sprites, 0 cached, 3 generated in \d+\.\ds, cost 0 credits$/);

    const again = await runCli(['generate'], { cwd: root });
    expect(again.err).toContain('  items/coin  (cached)');
    expect(again.err.at(-1)).toMatch(/^3 sprites, 3 cached, 0 generated/);
  });

  it('with --out writes what the build emits: atlas, animations, tile image and pack', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/items.yaml': MANIFEST });
    const run = await runCli(['generate', '--out', 'public/art'], { cwd: root });
    expect(run.code).toBe(0);
    const out = join(root, 'public/art');
    expect((await readdir(out)).sort()).toEqual(['grass.png', 'items.anims.json', 'items.json', 'items.png', 'pack.json']);
    const atlas = JSON.parse(await readFile(join(out, 'items.json'), 'utf8'));
    expect(Object.keys(atlas.frames).sort()).toEqual(['coin_0', 'coin_1', 'coin_2', 'coin_3', 'gem']);
    const page = decodePng(await readFile(join(out, 'items.png')));
    expect(atlas.meta.size).toEqual({ w: page.width, h: page.height });
    const anims = JSON.parse(await readFile(join(out, 'items.anims.json'), 'utf8'));
    expect(anims.anims.map((a: { key: string }) => a.key)).toEqual(['coin']);
    const grass = decodePng(await readFile(join(out, 'grass.png')));
    expect([grass.width, grass.height]).toEqual([32, 32]);
  });

  it('a dry run plans and spends nothing', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/items.yaml': MANIFEST });
    const run = await runCli(['generate', '--dry-run'], { cwd: root });
    expect(run.code).toBe(0);
    expect(run.err).toContain('3 sprites, 0 cached, 3 to generate, estimated cost 0 credits');
    expect(await readdir(join(root, 'manifests')).then((l) => l.includes('.retro-cache'))).toBe(false);
  });

  it('with the real provider in CI the cache is frozen: a miss fails with its location and nothing is requested', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/items.yaml': MANIFEST });
    // An unreachable URL: any request would fail differently than the frozen error.
    const env = { CI: 'true', RD_API_KEY: 'rdpk-not-a-real-key', RD_API_URL: 'http://127.0.0.1:9' };
    const run = await runCli(['generate'], { cwd: root, env });
    expect(run.code).toBe(1);
    const text = run.err.join('\n');
    expect(text).toMatch(/the cache is frozen and 3 sprites are not in it/);
    expect(text).toMatch(/manifests\/items\.yaml:6:3: items\/coin \(key [0-9a-f]{12}\)/);
    expect(text).not.toContain('rdpk-not-a-real-key');
  });

  it('a manifest error stops the run with file:line:col and no stack trace', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/items.yaml': MANIFEST.replace('blue gem', 'blue gem\n    widht: 3') });
    const run = await runCli(['generate'], { cwd: root });
    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toMatch(/manifests\/items\.yaml:\d+:\d+: .*widht/);
    expect(run.err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('rejects a bad flag value with the flag named', async () => {
    const root = await tempDir();
    const run = await runCli(['generate', '--max-cost', 'lots'], { cwd: root });
    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toMatch(/--max-cost takes a non-negative number, not "lots"/);
  });
});

describe('retro-sprites prune', () => {
  it('removes only entries no manifest references, and --dry-run only lists them', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/items.yaml': MANIFEST });
    await runCli(['generate'], { cwd: root });
    await writeProject(root, { 'manifests/items.yaml': MANIFEST.replace(/ {2}gem:\n {4}prompt: blue gem\n/, '') });

    const dry = await runCli(['prune', '--dry-run'], { cwd: root });
    expect(dry.code).toBe(0);
    expect(dry.out).toHaveLength(1);
    expect(dry.out[0]).toMatch(/^would remove [0-9a-f]{12}$/);

    const real = await runCli(['prune'], { cwd: root });
    expect(real.out[0]).toMatch(/^removed [0-9a-f]{12}$/);
    const after = await runCli(['generate'], { cwd: root });
    expect(after.err.at(-1)).toMatch(/^2 sprites, 2 cached, 0 generated/);
  });

  it('refuses to prune while a manifest is broken, so its sprites are never taken for unused', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/items.yaml': MANIFEST });
    await runCli(['generate'], { cwd: root });
    await writeProject(root, { 'manifests/items.yaml': MANIFEST + '  bad: [\n' });
    const run = await runCli(['prune'], { cwd: root });
    expect(run.code).toBe(1);
    const again = await runCli(['prune', '--dry-run'], { cwd: root });
    expect(again.out).toEqual([]);
  });
});
