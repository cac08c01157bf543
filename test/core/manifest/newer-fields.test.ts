import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson } from '../../../plugin/core/cache-key.js';
import { ManifestError } from '../../../plugin/core/errors.js';
import { createImage } from '../../../plugin/core/image/bitmap.js';
import { decodePng, encodePng } from '../../../plugin/core/image/png.js';
import { loadManifests } from '../../../plugin/core/manifest/index.js';
import type { ApiPayload } from '../../../plugin/core/payload.js';
import { createRetroDiffusionProvider } from '../../../plugin/core/providers/retrodiffusion/index.js';
import { startEmulator, type Emulator } from '../../../plugin/emulator/index.js';
import { writeProject } from '../../helpers/project.js';
import { useTempDirs } from '../../helpers/tmp.js';

/**
 * The newer catalog (shared/retrodiffusion-v2.md, "Corrections and additions"): each new field from
 * the manifest to the raw body the emulator receives, for v1 and for v2; the per-style limits as
 * manifest errors with their place; and cache keys of manifests without them unchanged.
 */
const tempDir = useTempDirs();
const TOKEN = 'fields-token';
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ token: TOKEN, credits: 1e6, taskMs: 60 });
});
afterAll(() => emu.close());

function png(seed: number, alpha = 255): Buffer {
  const img = createImage(16, 16);
  for (let i = 0; i < img.data.length; i += 4) img.data.set([(i * seed) & 255, seed * 20, 90, alpha], i);
  return Buffer.from(encodePng(img));
}

const MANIFEST = `atlas: newer
sprites:
  pro:
    prompt: a brass lantern
    prompt_style: rd_pro__default
    size: 64
    reference_images: [ref1.png, ref2.png]
    bypass_prompt_expansion: true
    include_downloadable_data: true
  dance:
    prompt: a dancing imp
    prompt_style: rd_animation__any_animation
    frames_duration: 8
    reference_images: [ref1.png]
  shore:
    prompt: grass
    prompt_style: rd_tile__tileset_advanced
    size: 32
    extra_prompt: sand
    extra_input_image: ref2.png
  mine:
    prompt: a gem
    prompt_style: user__gems_4211
    size: 64
  icon:
    prompt: a fire skill
    prompt_style: rd_mini__skill_icon
    size: 64
  tiny:
    prompt: a seed
    prompt_style: rd_pro__default
    size: 12
`;

async function project(manifest = MANIFEST): Promise<string> {
  const root = await tempDir();
  await writeProject(root, { 'manifests/newer.yaml': manifest });
  await writeFile(join(root, 'manifests/ref1.png'), png(3));
  await writeFile(join(root, 'manifests/ref2.png'), png(5, 128)); // transparency is flattened, as for input_image
  return root;
}

describe('the newer fields, manifest to wire', () => {
  it('become the documented payload fields: references as raw base64 RGB PNGs, the rest as written', async () => {
    const plan = await loadManifests({ root: await project() });
    const by = (s: string) => plan.requests.find((r) => r.sprite === s)!.payload;
    const pro = by('pro');
    expect(pro.reference_images).toHaveLength(2);
    for (const b64 of pro.reference_images!) {
      expect(b64).toMatch(/^[A-Za-z0-9+/]+=*$/);
      const img = decodePng(Buffer.from(b64, 'base64'));
      for (let i = 3; i < img.data.length; i += 4) expect(img.data[i]).toBe(255);
    }
    expect(pro).toMatchObject({ bypass_prompt_expansion: true, include_downloadable_data: true });
    expect(by('dance')).toMatchObject({ frames_duration: 8, reference_images: [pro.reference_images![0]] });
    expect(by('shore')).toMatchObject({ extra_prompt: 'sand', extra_input_image: pro.reference_images![1] });
    expect(by('mine').prompt_style).toBe('user__gems_4211');
    expect(by('tiny')).toMatchObject({ width: 12, height: 12 });
    expect(plan.requests.find((r) => r.sprite === 'pro')!.dependencies.map((d) => d.split('/').pop()).sort()).toEqual(['ref1.png', 'ref2.png']);
  });

  for (const version of ['v1', 'v2'] as const) {
    it(`reach the emulator byte for byte over ${version}`, async () => {
      const plan = await loadManifests({ root: await project() });
      const provider = createRetroDiffusionProvider({ apiKey: TOKEN, baseUrl: emu.url, version, poll: { intervalMs: 20 }, retry: { baseDelayMs: 5, maxDelayMs: 10 } });
      try {
        for (const r of plan.requests) {
          const before = emu.received.length;
          const result = await provider.generate(r.payload);
          expect(result.images.length, r.sprite).toBeGreaterThan(0);
          const post = emu.received.slice(before).find((q) => q.method === 'POST' && q.path === `/${version}/inferences`)!;
          expect(post.body, r.sprite).toBe(version === 'v1' ? JSON.stringify(r.payload) : canonicalJson(r.payload));
          expect(post.json).toEqual(r.payload);
        }
      } finally {
        await provider.close?.();
      }
    });
  }

  it('keys: the new fields count (references by their pixels), and a manifest without them keys as before', async () => {
    const plan = await loadManifests({ root: await project() });
    const pro = plan.requests.find((r) => r.sprite === 'pro')!.payload;
    const id = { id: 'retrodiffusion', version: '1' };
    const without: ApiPayload = { ...pro };
    delete without.reference_images;
    delete without.bypass_prompt_expansion;
    delete without.include_downloadable_data;
    expect(cacheKey(pro, id)).not.toBe(cacheKey(without, id));
    // Re-encoding a reference (another zlib) keeps the key: pixels, not bytes.
    const again = { ...pro, reference_images: pro.reference_images!.map((b) => Buffer.from(encodePng(decodePng(Buffer.from(b, 'base64')), { rgb: true, level: 1 } as never)).toString('base64')) };
    expect(cacheKey(again, id)).toBe(cacheKey(pro, id));
    // Absent fields are absent from the key material: older manifests keep their cache.
    expect(cacheKey({ ...without, frames_duration: undefined } as ApiPayload, id)).toBe(cacheKey(without, id));
  });
});

describe('the newer catalog\'s limits, as manifest errors', () => {
  async function errors(manifest: string): Promise<string[]> {
    try {
      await loadManifests({ root: await project(manifest) });
      return [];
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      return err.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.location.line}:${d.location.column} ${d.code}: ${d.message}`);
    }
  }

  it('reference_images beyond the style\'s limit, or on a style that takes none; extras off tileset_advanced; rd_fast__default batch 15; rotate in steps of 8', async () => {
    const found = await errors(`sprites:
  a:
    prompt: x
    prompt_style: rd_animation__8_dir_rotation
    reference_images: [ref1.png, ref1.png, ref1.png, ref1.png, ref1.png, ref1.png]
  b:
    prompt: x
    prompt_style: rd_fast__retro
    size: 64
    reference_images: [ref1.png]
  c:
    prompt: x
    prompt_style: rd_tile__tileset
    size: 32
    extra_prompt: sand
  d:
    prompt: x
    prompt_style: rd_fast__default
    size: 64
    num_images: 16
  e:
    prompt: x
    prompt_style: rd_advanced_animation__rotate
    size: 60
    input_image: ref1.png
`);
    expect(found).toEqual([
      expect.stringMatching(/^5:23 too-many-reference-images: .*rd_animation__8_dir_rotation takes at most 5 reference_images; got 6/),
      expect.stringMatching(/^10:23 too-many-reference-images: .*rd_fast__retro takes no reference_images/),
      expect.stringMatching(/^15:19 extra-not-advanced-tileset: .*extra_prompt applies only to rd_tile__tileset_advanced/),
      expect.stringMatching(/^20:17 too-many-images: .*at most 15 images/),
      expect.stringMatching(/^24:11 size-step: .*multiple of 8; got 60x60/),
    ]);
  });

  it('frames_duration takes only the documented values', async () => {
    const found = await errors('sprites:\n  a:\n    prompt: x\n    prompt_style: rd_animation__vfx\n    size: 48\n    frames_duration: 7\n');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^6:/);
  });
});

describe('styles the catalog adds', () => {
  it('a user style is accepted with a note that it is account-specific; rd_mini__ aliases have their ranges', async () => {
    const plan = await loadManifests({ root: await project() });
    const note = plan.warnings.find((w) => w.code === 'user-style');
    expect(note?.message).toMatch(/user__gems_4211 is a user style: it belongs to one RetroDiffusion account/);
    expect(note?.location.line).toBe(23); // the prompt_style line of "mine"
    const root = await project('sprites:\n  a:\n    prompt: x\n    prompt_style: rd_mini__skill_icon\n    size: 200\n');
    await expect(loadManifests({ root })).rejects.toThrow(/size 200 is outside the range of prompt_style rd_mini__skill_icon \(32 to 192 pixels\)/);
  });
});
