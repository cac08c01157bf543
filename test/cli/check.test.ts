import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CliIO } from '../../plugin/cli/command.js';
import { main } from '../../plugin/cli/main.js';
import { cacheKey } from '../../plugin/core/cache-key.js';
import { encodePng } from '../../plugin/core/image/png.js';
import { loadManifests } from '../../plugin/core/manifest/index.js';
import { FIXTURES, badCorpusProject, solid, tempProject, type TempProject } from '../core/manifest/fixture-project.js';

function collect(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, isTTY: false, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

let good: TempProject;
let bad: TempProject;
beforeAll(async () => {
  good = await tempProject();
  await fs.cp(path.join(FIXTURES, 'good'), good.root, { recursive: true });
  await good.write('manifests/refs/knight.png', encodePng(solid(2, 2, [255, 0, 0, 255])));
  await good.write('manifests/palette.png', encodePng(solid(2, 2, [10, 20, 30, 255])));
  bad = await badCorpusProject();
});
afterAll(async () => {
  await good.remove();
  await bad.remove();
});

describe('retro-sprites check', () => {
  test('prints the plan per atlas with short keys, sizes, styles and counts, and exits 0', async () => {
    const io = collect();
    expect(await main(['check'], io, {}, good.root)).toBe(0);
    const out = io.stdout.join('\n');
    expect(io.stdout[0]).toBe('atlas characters: 3 sprites, 6 images');
    expect(out).toMatch(/^ {2}coin +[0-9a-f]{12} {2}32x32 {2}game_asset +animation of 4 frames$/m);
    expect(out).toMatch(/^ {2}hero_walk +[0-9a-f]{12} {2}48x48 {2}animation_four_angle_walking +animation, 4 directions x 4 frames \(16\): walk, img2img$/m);
    expect(out).toMatch(/^ {2}grass +[0-9a-f]{12} {2}32x32 {2}texture +1 image, tiling$/m);
    expect(out).toContain('atlas world: 3 sprites, 3 images');
    expect(io.stdout.at(-1)).toBe('ok: 2 manifests, 2 atlases, 6 sprites, 9 images; keys for provider placeholder 1');
    expect(io.stderr).toEqual([]);
  });

  test('shows the keys the placeholder uses without an API key, and the API\'s with one', async () => {
    const plan = await loadManifests({ root: good.root });
    const hero = plan.requests.find((r) => r.sprite === 'hero')!;
    const offline = collect();
    await main(['check'], offline, {}, good.root);
    expect(offline.stdout.join('\n')).toContain(cacheKey(hero.payload, { id: 'placeholder', version: '1' }).slice(0, 12));
    const online = collect();
    await main(['check'], online, { RD_API_KEY: 'rd-test-key' }, good.root);
    expect(online.stdout.join('\n')).toContain(cacheKey(hero.payload, { id: 'retrodiffusion', version: '1' }).slice(0, 12));
    expect(online.stdout.join('\n') + online.stderr.join('\n')).not.toContain('rd-test-key');
  });

  test('prints warnings as file:line:col and still succeeds', async () => {
    const io = collect();
    expect(await main(['check', '--manifests', 'manifests/animation-size-warning.yaml'], io, {}, bad.root)).toBe(0);
    expect(io.stderr).toEqual([
      'manifests/animation-size-warning.yaml:6:19: warning: prompt_style animation_four_angle_walking always answers 48x48; the 64x64 asked for is normalized to 48x48 (set size: 48 on this sprite, or leave the size out, to silence this warning)',
      'manifests/animation-size-warning.yaml:10:12: warning: prompt_style rd_animation__four_angle_walking always answers 48x48; the 96x96 asked for is normalized to 48x48 (set size: 48 on this sprite, or leave the size out, to silence this warning)',
    ]);
    expect(io.stdout.at(-1)).toContain('2 warnings');
  });

  test('on bad input exits 1 and prints every error as file:line:col, relative to the root, without a stack', async () => {
    const io = collect();
    const code = await main(['check', '--manifests', 'manifests/{many-errors,unknown-style,syntax-tab-indent}.yaml'], io, {}, bad.root);
    expect(code).toBe(1);
    expect(io.stdout).toEqual([]);
    expect(io.stderr).toEqual([
      'manifests/many-errors.yaml:7:19: unknown prompt_style "retor" (did you mean "retro"? if the API added this style since, allow it with --allow-unknown-styles)',
      'manifests/many-errors.yaml:10:17: num_images must be an integer from 1 to 16; got 0 (use an integer from 1 to 16)',
      'manifests/many-errors.yaml:12:5: unknown key "promt" in sprite "gem" (did you mean "prompt"?)',
      'manifests/syntax-tab-indent.yaml:3:1: YAML syntax: Tabs are not allowed as indentation (indent with spaces, not tabs)',
      'manifests/unknown-style.yaml:4:19: unknown prompt_style "game_aset" (did you mean "game_asset"? if the API added this style since, allow it with --allow-unknown-styles)',
      'retro-sprites: 5 errors in manifests; nothing was generated.',
    ]);
    expect(io.stderr.join('\n')).not.toMatch(/\n\s+at /);
  });

  test('--allow-unknown-styles accepts a style the catalog does not know', async () => {
    const io = collect();
    expect(await main(['check', '--manifests', 'manifests/unknown-style.yaml', '--allow-unknown-styles'], io, {}, bad.root)).toBe(0);
    expect(io.stdout.join('\n')).toContain('game_aset');
  });

  test('says so when no manifest matches', async () => {
    const io = collect();
    expect(await main(['check', '--manifests', 'nowhere/*.yaml'], io, {}, good.root)).toBe(1);
    expect(io.stderr[0]).toMatch(/^retro-sprites: no manifest matches nowhere\/\*\.yaml under .+; nothing to check\.$/);
  });

  test('--root points at another project', async () => {
    const io = collect();
    expect(await main(['check', '--root', good.root], io, {}, path.dirname(good.root))).toBe(0);
    expect(io.stdout[0]).toBe('atlas characters: 3 sprites, 6 images');
  });
});
