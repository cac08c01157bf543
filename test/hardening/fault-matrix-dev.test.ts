import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../plugin/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';
import { startDev, until, withApiEnv, type Dev } from '../helpers/dev-server.js';
import { expectNoStack, expectWholeCache, FAULT_CASES, faultNextPaidRequest, paidPosts, SECRET, spriteKeys, TUNED, TWO_SPRITES } from './fault-harness.js';
import { GAME_HTML } from '../helpers/vite.js';


const tempDir = useTempDirs();

const FILES = {
  'index.html': GAME_HTML,
  'main.ts': "import { packUrl, sprites } from 'virtual:retro-sprites';\nconsole.log(packUrl, sprites);\n",
  'manifests/items.yaml': TWO_SPRITES,
};

describe('fault matrix: the dev server regenerating an edited sprite against a failing API', () => {
  for (const c of FAULT_CASES) {
    it(`${c.label}: ${c.outcome === 'retried' ? 'retried, and the new art reaches the page' : 'the sprite shows failed with a clear reason, nothing else lost'}`, async () => {
      const emulator = await startEmulator({ token: SECRET });
      const restore = withApiEnv(SECRET, emulator.url);
      let dev: Dev | undefined;
      try {
        const root = await tempDir();
        await writeProject(root, FILES);
        // Both sprites are in the cache when the server starts.
        expect((await runCli(['generate'], { cwd: root, env: { RD_API_KEY: SECRET, RD_API_URL: emulator.url } })).code).toBe(0);
        dev = await startDev(root, { api: TUNED });
        expect((await dev.state()).map((s) => s.status)).toEqual(['cached', 'cached']);

        const paidBefore = paidPosts(emulator);
        const creditsBefore = emulator.credits;
        faultNextPaidRequest(emulator, c.spec);
        const manifest = join(root, 'manifests/items.yaml');
        await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('a green gem', 'a red gem'));
        const newKey = (await spriteKeys(root)).gem!;
        const gem = await until('the edited sprite to settle', async () => {
          const s = (await dev!.state()).find((x) => x.sprite === 'items/gem');
          return s && s.key === newKey && (s.status === 'generated' || s.status === 'failed') ? s : undefined;
        });
        const said = [...dev.logger.lines, gem.error ?? ''].join('\n');
        expect(said).not.toContain(SECRET);
        expectNoStack(said);
        const cached = await expectWholeCache(join(root, 'manifests/.retro-cache'));

        if (c.outcome === 'retried') {
          expect(gem, said).toMatchObject({ status: 'generated', standIn: false });
          expect(cached).toContain(newKey);
          // After an edit the old art stays until the API's art is in: one update, naming the atlas.
          const updates = await until('the update with the real art', () => {
            const u = dev!.sent.filter((m) => m.event === 'retro-sprites:update');
            return u.length >= 1 ? u : undefined;
          });
          expect(updates).toHaveLength(1);
          expect(updates[0]!.data!.atlases.map((a) => a.key)).toEqual(['items']);
          expect(paidPosts(emulator) - paidBefore).toBe(2);
          expect(creditsBefore - emulator.credits).toBe(1);
        } else {
          expect(gem.status).toBe('failed');
          expect(gem.error).toMatch(c.outcome);
          expect(dev.logger.lines.some((l) => /retro-sprites: items\/gem failed: /.test(l) && c.outcome instanceof RegExp && c.outcome.test(l))).toBe(true);
          expect(cached).not.toContain(newKey);
          expect(cached).toHaveLength(2); // the two entries from before the edit, untouched
          expect(paidPosts(emulator) - paidBefore).toBe(1);
          expect(emulator.credits).toBe(creditsBefore);
          // The other sprite is untouched and still cached.
          expect((await dev.state()).find((x) => x.sprite === 'items/key')!.status).toBe('cached');
        }
      } finally {
        await dev?.server.close();
        restore();
        await emulator.close();
      }
    });
  }
});
