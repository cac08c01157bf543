import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../plugin/core/image/bitmap.js';
import { decodePng } from '../../plugin/core/image/png.js';
import { startAnswerServer, type AnswerServer } from '../helpers/answer-server.js';
import { runCli } from '../helpers/cli.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { verifyOutput } from '../core/phaser/atlas-verifier.js';

const tempDir = useTempDirs();
let server: AnswerServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const CORPUS = join(import.meta.dirname, '../fixtures/gif');
const DIRECTIONS = ['down', 'left', 'right', 'up'];

/**
 * Issue 14's repro: `convert -dispose Background -delay 10 f*.png -loop 0 walk.gif` from 16
 * transparent 48x48 frames (ImageMagick writes GCE, NETSCAPE2.0, its gamma extension, image),
 * served as the API's answer to a walking sprite. The reference is Chromium's decode of that very
 * file (test/fixtures/gif/imagemagick-walk.frames.png, made by regenerate.mjs).
 */
describe('retro-sprites generate --out with an ImageMagick walking GIF as the answer', () => {
  it('writes atlas frames equal, pixel for pixel, to what Chromium shows for each GIF frame, at the GIF\'s pace', async () => {
    const gif = new Uint8Array(readFileSync(join(CORPUS, 'imagemagick-walk.gif')));
    const ref = JSON.parse(readFileSync(join(CORPUS, 'imagemagick-walk.json'), 'utf8')) as { width: number; height: number; frameCount: number; delaysMs: number[] };
    const strip = decodePng(new Uint8Array(readFileSync(join(CORPUS, 'imagemagick-walk.frames.png'))));
    expect(ref.frameCount).toBe(16);
    const size = ref.width * ref.height * 4;
    const chromium = (i: number): RgbaImage => ({ width: ref.width, height: ref.height, data: strip.data.slice(i * size, (i + 1) * size) });
    // The symptom of the bug was an opaque background: Chromium shows the first frame transparent around the figure.
    expect(chromium(0).data[3]).toBe(0);

    server = await startAnswerServer(() => [gif]);
    const root = await tempDir();
    await writeProject(root, {
      'manifests/characters.yaml': 'atlas: characters\nsprites:\n  hero:\n    prompt: brave knight\n    prompt_style: animation_four_angle_walking\n    seed: 7\n',
    });
    const run = await runCli(['generate', '--out', 'out'], { cwd: root, env: { RD_API_KEY: 'rdpk-test', RD_API_URL: server.url } });
    expect(run.code, run.err.join('\n')).toBe(0);
    expect(server.paid).toBe(1);

    const sources = new Map<string, RgbaImage>();
    DIRECTIONS.forEach((d, di) => { for (let i = 0; i < 4; i++) sources.set(`hero/${d}/${i}`, chromium(di * 4 + i)); });
    const { problems, framesSeen } = verifyOutput(join(root, 'out'), sources, { padding: 2, extrude: 1 });
    expect(problems).toEqual([]);
    expect(framesSeen).toBe(16);

    const anims = JSON.parse(await readFile(join(root, 'out/characters.anims.json'), 'utf8')) as { anims: { key: string; frameRate: number; frames: { frame: string; duration?: number }[] }[] };
    expect(anims.anims.map((a) => a.key).sort()).toEqual(DIRECTIONS.map((d) => `hero_${d}`).sort());
    // Every delay Chromium plays is 100 ms: 10 frames per second.
    expect(new Set(ref.delaysMs)).toEqual(new Set([100]));
    for (const a of anims.anims) expect(a.frameRate).toBe(10);
  });
});
