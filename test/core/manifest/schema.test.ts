import { describe, expect, test } from 'vitest';
import { manifestJsonSchema } from '../../../plugin/core/manifest/index.js';
import { UPDATE_COMMAND, generatedFiles, writeSchemaFiles } from '../../../plugin/scripts/write-schema.js';

describe('the shipped JSON Schema and README reference', () => {
  test('are generated from the current zod schema (run the update command when this fails)', async () => {
    if (process.env.UPDATE_SCHEMA === '1') await writeSchemaFiles();
    for (const g of await generatedFiles()) {
      expect(g.actual === g.expected, `${g.file} is stale; regenerate it with: ${UPDATE_COMMAND}`).toBe(true);
    }
  });

  test('lets editors complete sprite keys and known styles', () => {
    const schema = manifestJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(schema.required).toEqual(['sprites']);
    const text = JSON.stringify(schema);
    for (const key of ['prompt_style', 'num_images', 'input_image', 'upscale_output_factor', 'animation', 'origin']) {
      expect(text).toContain(`"${key}"`);
    }
    expect(text).toContain('"rd_animation__four_angle_walking"');
    expect(text).toContain('"animation_four_angle_walking"');
  });

  test('is deterministic', () => {
    expect(JSON.stringify(manifestJsonSchema())).toBe(JSON.stringify(manifestJsonSchema()));
  });
});
