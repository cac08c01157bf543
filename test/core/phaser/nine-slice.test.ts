import { describe, expect, it } from 'vitest';
import { createImage } from '../../../plugin/core/image/bitmap.js';
import { autoBorders, scale9 } from '../../../plugin/core/phaser/nine-slice.js';
import { loadManifests } from '../../../plugin/core/manifest/index.js';
import { writeProject } from '../../helpers/project.js';
import { useTempDirs } from '../../helpers/tmp.js';

const tempDir = useTempDirs();

/** A w x h panel: a border of `b` pixels whose pixels vary, around a flat middle. */
function panel(w: number, h: number, l: number, r: number, t: number, b: number) {
  const img = createImage(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const inMiddle = x >= l && x < w - r && y >= t && y < h - b;
    // Border pixels differ from their neighbours along the edge too, except where they run beside the middle.
    const edgeX = x < l ? x : x >= w - r ? 100 + x - (w - r) : 50;
    const edgeY = y < t ? y : y >= h - b ? 100 + y - (h - b) : 50;
    img.data.set(inMiddle ? [40, 40, 60, 255] : [edgeX * 2, edgeY * 2, 200, 255], (y * w + x) * 4);
  }
  return img;
}

describe('nine-slice borders', () => {
  it('auto finds the borders around the uniform middle, also when they differ per side', () => {
    expect(autoBorders(panel(32, 24, 5, 7, 3, 6), 'test')).toEqual({ left: 5, right: 7, top: 3, bottom: 6 });
    expect(scale9({ left: 5, right: 7, top: 3, bottom: 6 }, 32, 24)).toEqual({ x: 5, y: 3, w: 20, h: 15 });
  });

  it('auto refuses an image with nothing uniform to stretch, saying what to write instead', () => {
    const noise = createImage(8, 8);
    for (let i = 0; i < 64; i++) noise.data.set([i * 4, (i * 37) % 256, i, 255], i * 4);
    expect(() => autoBorders(noise, 'ui.yaml:3:3: sprite "panel"')).toThrow(/no uniform middle.*nine_slice: \{left, right, top, bottom\}/);
  });

  it('the manifest rules: borders must leave a middle, still images only, UI styles advised', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/ui.yaml': `sprites:
  ok:
    prompt: frame
    prompt_style: ui
    size: 32
    nine_slice: { left: 4, right: 4, top: 4, bottom: 4 }
  wide:
    prompt: frame
    prompt_style: ui
    size: 32
    nine_slice: { left: 20, right: 12, top: 4, bottom: 4 }
  walker:
    prompt: knight
    prompt_style: animation_four_angle_walking
    nine_slice: auto
  icon:
    prompt: coin
    prompt_style: game_asset
    size: 16
    nine_slice: auto
` });
    const err = await loadManifests({ root }).then(() => undefined, (e: { diagnostics?: { code: string; severity: string; location: { line: number } }[] }) => e);
    const found = err?.diagnostics ?? [];
    expect(found.filter((d) => d.severity === 'error').map((d) => [d.code, d.location.line])).toEqual([['nine-slice-too-wide', 11], ['nine-slice-not-still', 15]]);
    expect(found.map((d) => d.code)).toContain('nine-slice-not-ui');
  });
});
