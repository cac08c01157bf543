import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDev, until, type Dev } from '../helpers/dev-server.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { buildWithPlugin, GAME_FILES } from '../helpers/vite.js';

const tempDir = useTempDirs();
let dev: Dev | undefined;
afterEach(async () => {
  await dev?.server.close();
  dev = undefined;
});

// The README's own example: a walking style under `defaults: size: 64` is normalized to 48x48.
const README_MANIFEST = `atlas: characters
defaults:
  prompt_style: game_asset
  size: 64
  remove_bg: true
sprites:
  hero_walk:
    prompt: knight in blue armor with a red cape
    prompt_style: animation_four_angle_walking
`;

const WARNING = /^retro-sprites: manifests\/characters\.yaml:9:19: warning: prompt_style animation_four_angle_walking always answers 48x48/;

describe('manifest warnings in Vite', () => {
  it('vite build prints the animation-size warning with file:line:col', async () => {
    const root = await tempDir();
    await writeProject(root, { ...GAME_FILES, 'manifests/heroes.yaml': README_MANIFEST.replace('characters', 'heroes') });
    const logger = await buildWithPlugin(root, { dts: false });
    expect(logger.lines).toContainEqual(expect.stringMatching(/^retro-sprites: manifests\/heroes\.yaml:9:19: warning: /));
  });

  it('the dev server prints it once at start, not again on a save that keeps it', async () => {
    const root = await tempDir();
    await writeProject(root, { ...GAME_FILES, 'manifests/characters.yaml': README_MANIFEST });
    dev = await startDev(root);
    const warnings = () => dev!.logger.lines.filter((l) => WARNING.test(l));
    expect(warnings()).toHaveLength(1);
    await writeFile(join(root, 'manifests/characters.yaml'), README_MANIFEST.replace('red cape', 'green cape'));
    await until('the edit to reach the page', () => dev!.sent.find((m) => m.event === 'retro-sprites:update'));
    expect(warnings()).toHaveLength(1);
  });
});
