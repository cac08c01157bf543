import { readdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '../../plugin/emulator/index.js';
import { CacheStore } from '../../plugin/core/cache/store.js';
import { decodePng } from '../../plugin/core/image/png.js';
import { PageStore } from '../../plugin/core/phaser/page-store.js';
import type { ProgressReporter } from '../../plugin/core/generate/progress.js';
import { SpriteSession, type Snapshot } from '../../plugin/core/session.js';
import { manySprites, writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';

const tempDir = useTempDirs();
let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const paid = (e: Emulator) => e.received.filter((r) => r.path === '/v1/inferences' && !(r.json as { check_cost?: boolean }).check_cost).length;

/** A session as the dev server holds it (stand-ins first, quick pages) over three gems, its first art in. */
async function devSessionOfThreeGems(): Promise<{ root: string; session: SpriteSession }> {
  const root = await tempDir();
  await writeProject(root, { 'manifests/gems.yaml': manySprites(3, 'gems') });
  emulator = await startEmulator();
  const session = new SpriteSession({ root, env: { RD_API_KEY: 'emulator-token', RD_API_URL: emulator.url }, placeholdersFirst: true, pngEffort: 'fast' });
  await session.refresh();
  await session.settled();
  return { root, session };
}

describe('a sprite session (what the dev server holds)', () => {
  it('answers the first load at once with stand-ins, then swaps in the API art when it arrives', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/gems.yaml': manySprites(3, 'gems') });
    emulator = await startEmulator({ latencyMs: 150 });
    const updates: Snapshot[] = [];
    const session = new SpriteSession({
      root,
      env: { RD_API_KEY: 'emulator-token', RD_API_URL: emulator.url },
      placeholdersFirst: true,
      onUpdate: (s) => updates.push(s),
    });
    const first = await session.refresh();
    expect(first.keys.frames.gems).toEqual(['s0', 's1', 's2']);
    expect(session.spriteStates().map((s) => [s.request.sprite, s.status, s.standIn])).toEqual([
      ['s0', 'generating', true],
      ['s1', 'generating', true],
      ['s2', 'generating', true],
    ]);
    await session.settled();
    expect(updates).toHaveLength(1);
    expect(session.spriteStates().map((s) => [s.status, s.standIn])).toEqual([['generated', false], ['generated', false], ['generated', false]]);
    // The real art is other pixels than the stand-in: the atlas page changed.
    const page = (s: Snapshot) => s.files.find((f) => f.kind === 'atlas-image')!.bytes;
    expect(Buffer.from(page(updates[0]!)).equals(Buffer.from(page(first)))).toBe(false);
    expect(paid(emulator)).toBe(3);
  });

  it('after an edit keeps the last good art while the new art is made, and pays only for the sprite that changed', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/gems.yaml': manySprites(3, 'gems') });
    emulator = await startEmulator();
    const session = new SpriteSession({ root, env: { RD_API_KEY: 'emulator-token', RD_API_URL: emulator.url }, placeholdersFirst: true });
    await session.refresh();
    await session.settled();
    expect(paid(emulator)).toBe(3);

    await writeFile(join(root, 'manifests/gems.yaml'), manySprites(3, 'gems').replace('gem number 1', 'gem number one'));
    const edited = await session.refresh();
    expect(paid(emulator)).toBe(4);
    expect(edited.summary).toMatchObject({ sprites: 3, cached: 2, generated: 1 });
    expect(session.spriteStates().map((s) => s.status)).toEqual(['cached', 'generated', 'cached']);
  });

  it("after an edit keeps the new page's encoding in the cache folder by the time it has settled", async () => {
    const { root, session } = await devSessionOfThreeGems();
    await writeFile(join(root, 'manifests/gems.yaml'), manySprites(3, 'gems').replace('gem number 1', 'gem number one'));
    const edited = await session.refresh();
    await session.settled();
    // Decoded afresh, the page is new to this process: only the cache folder can hold its encoding.
    const page = decodePng(edited.files.find((f) => f.kind === 'atlas-image')!.bytes);
    const found = await new PageStore(session.project.store.folder.pagesDir).load([page], 'fast');
    expect(found.size).toBe(1);
  });

  it('a dev server closing finds what it made written (saved), without waiting for art still generating', async () => {
    const { root, session } = await devSessionOfThreeGems();
    const pagesDir = session.project.store.folder.pagesDir;
    const before = readdirSync(pagesDir);
    await writeFile(join(root, 'manifests/gems.yaml'), manySprites(3, 'gems').replace('gem number 1', 'gem number one'));
    await session.refresh();
    await session.saved();
    // Looked at without yielding: the new page's encoding is there, whole (no temporary file).
    const after = readdirSync(pagesDir);
    expect(after.filter((f) => !before.includes(f) && !f.startsWith('.tmp-')).length).toBeGreaterThan(0);
    expect(after.filter((f) => f.startsWith('.tmp-'))).toEqual([]);

    // A sprite whose art is ten seconds away: what was made is saved long before it arrives.
    const slow = await startEmulator({ latencyMs: 10_000 });
    try {
      const waiting = new SpriteSession({ root, env: { RD_API_KEY: 'emulator-token', RD_API_URL: slow.url }, placeholdersFirst: true, pngEffort: 'fast' });
      await writeFile(join(root, 'manifests/gems.yaml'), manySprites(3, 'gems').replace('gem number 2', 'gem number two'));
      await waiting.refresh();
      const first = await Promise.race([waiting.saved().then(() => 'saved'), new Promise((r) => setTimeout(r, 3000, 'still waiting'))]);
      expect(first).toBe('saved');
      await waiting.project.provider.close?.();
    } finally {
      await slow.close();
    }
  });

  it('reports a failed sprite in its state, and keeps its last good art in the atlas', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/gems.yaml': manySprites(2, 'gems') });
    emulator = await startEmulator();
    const session = new SpriteSession({ root, env: { RD_API_KEY: 'emulator-token', RD_API_URL: emulator.url }, api: { maxAttempts: 1 } });
    await session.refresh();
    emulator.setFaults('500*5');
    await writeFile(join(root, 'manifests/gems.yaml'), manySprites(2, 'gems').replace('gem number 0', 'gem number zero'));
    const snapshot = await session.refresh();
    const s0 = session.spriteStates().find((s) => s.request.sprite === 's0')!;
    expect(s0.status).toBe('failed');
    expect(s0.error).toMatch(/500|server/i);
    expect(snapshot.failures).toHaveLength(1);
    expect(snapshot.keys.frames.gems).toEqual(['s0', 's1']);
  });
});

describe('a dev session started again on art that has not changed', () => {
  const files = (s: Snapshot) => s.files.map((f) => [f.fileName, Buffer.from(f.bytes).toString('base64')]);
  const editedGems = manySprites(3, 'gems').replace('gem number 1', 'gem number one');
  const editGems = (root: string) => writeFile(join(root, 'manifests/gems.yaml'), editedGems);

  /**
   * Two atlases a dev server's session ran to its end (its atlases kept), and how to start another
   * one on the same project; `looked()`: the keys the cache was asked for from then on.
   */
  async function keptProject() {
    const root = await tempDir();
    await writeProject(root, { 'manifests/gems.yaml': manySprites(3, 'gems'), 'manifests/coins.yaml': manySprites(2, 'coins', ' coin') });
    emulator = await startEmulator();
    const dev = (onUpdate?: (s: Snapshot) => void, reporter?: ProgressReporter) =>
      new SpriteSession({ root, env: { RD_API_KEY: 'emulator-token', RD_API_URL: emulator!.url }, placeholdersFirst: true, pngEffort: 'fast', atlasMemo: true, onUpdate, reporter });
    const first = dev();
    await first.refresh();
    await first.settled();
    await first.saved();
    const looked = vi.spyOn(CacheStore.prototype, 'lookupMany');
    return { root, dev, served: first.current!, looked: () => looked.mock.calls.flatMap((c) => [...c[0]]).sort() };
  }
  afterEach(() => vi.restoreAllMocks());

  it('serves the atlases the last one kept without reading a sprite, then reads them behind the art without telling the page', async () => {
    const { dev, served, looked } = await keptProject();
    const updates: Snapshot[] = [];
    const again = dev((s) => updates.push(s));
    expect(files(await again.refresh())).toEqual(files(served));
    expect(looked()).toEqual([]);
    expect(paid(emulator!)).toBe(5);

    await again.warmed();
    const keys = served.requests.map((r) => r.key).sort();
    expect(looked()).toEqual(keys);
    // What the dev page shows of each sprite: its answer, read now.
    for (const key of keys) expect(again.imagesFor(key)?.length).toBe(1);
    expect(again.spriteStates().every((s) => s.status === 'cached' && s.entry)).toBe(true);
    // The same inputs made the same files: nothing for the page.
    expect(files(again.current!)).toEqual(files(served));
    expect(updates).toEqual([]);
    expect(paid(emulator!)).toBe(5);
  });

  it('an edit made right after the start changes the edited atlas alone, and pays for one sprite', async () => {
    const { root, dev, served } = await keptProject();
    const again = dev();
    await again.refresh();
    await editGems(root);
    const edited = await again.refresh();
    const of = (s: Snapshot, atlas: string) => files(s).filter(([name]) => name!.startsWith(`${atlas}.`));
    expect(of(edited, 'coins')).toEqual(of(served, 'coins'));
    expect(of(edited, 'gems')).toHaveLength(2);
    expect(of(edited, 'gems')).not.toEqual(of(served, 'gems'));
    expect(edited.summary).toMatchObject({ sprites: 5, cached: 4, generated: 1 });
    expect(paid(emulator!)).toBe(6);
  });

  it('an edit saved while it starts is not undone by the reading behind the first art', async () => {
    const { root, dev, served } = await keptProject();
    const updates: Snapshot[] = [];
    let edited: Promise<Snapshot> | undefined;
    // The edit lands once the start has read the manifests, and its refresh is asked for then.
    const again = dev((s) => updates.push(s), {
      plan: () => {
        if (edited) return;
        writeFileSync(join(root, 'manifests/gems.yaml'), editedGems);
        edited = again.refresh();
      },
    });
    expect(files(await again.refresh())).toEqual(files(served));
    const after = await edited!;
    expect(files(after)).not.toEqual(files(served));
    await again.warmed();
    await again.settled();
    expect(files(again.current!)).toEqual(files(after));
    expect(updates).toEqual([]);
  });

  it('with a new sprite to generate, shows it as a stand-in, and reads the kept atlases once its art is in', async () => {
    const { root, dev, served, looked } = await keptProject();
    await writeFile(join(root, 'manifests/coins.yaml'), manySprites(3, 'coins', ' coin'));
    const updates: Snapshot[] = [];
    const again = dev((s) => updates.push(s));
    const start = await again.refresh();
    expect(again.spriteStates().filter((s) => s.standIn).map((s) => s.request.sprite)).toEqual(['s2']);
    const gems = served.requests.filter((r) => r.atlas === 'gems').map((r) => r.key);
    expect(looked().filter((k) => gems.includes(k))).toEqual([]);
    await again.settled();
    expect(updates).toHaveLength(1);
    await again.warmed();
    const keys = start.requests.map((r) => r.key).sort();
    for (const key of keys) expect(again.imagesFor(key)?.length).toBe(1);
    expect([...new Set(looked())]).toEqual(expect.arrayContaining(gems));
    expect(files(again.current!)).toEqual(files(updates[0]!));
    expect(updates).toHaveLength(1);
    expect(paid(emulator!)).toBe(6);
  });

  it('closed right after its start, it does not stay to read every sprite', async () => {
    const { dev, looked } = await keptProject();
    const again = dev();
    await again.refresh();
    await again.saved();
    await new Promise((r) => setTimeout(r, 1200));
    expect(looked()).toEqual([]);
  });
});
