import { mkdir, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EntrySignatures, signature } from '../../../plugin/core/fs/stat-signature.js';
import { useTempDirs } from '../../helpers/tmp.js';

const tempDir = useTempDirs();
const KEY = 'a'.repeat(64);

/** An entry's record written this moment, as a build writes the art it generated (its images first, cache/folder.ts). */
async function entryWrittenNow(): Promise<string> {
  const shard = join(await tempDir(), 'aa');
  await mkdir(shard, { recursive: true });
  await writeFile(join(shard, `${KEY}.0.png`), 'art');
  await writeFile(join(shard, `${KEY}.json`), '{"files":[]}');
  return join(shard, `${KEY}.json`);
}

describe("a build's entry signatures", () => {
  it('do not trust an entry that changed as the build ran: a later change in the same tick would look the same', async () => {
    const record = await entryWrittenNow();
    const book = new EntrySignatures();
    const startedAt = Date.now() - 10;
    expect(book.trusted(KEY, book.of(KEY, record), startedAt)).toBe(false);
  });

  it('trust an entry unchanged since well before the build began', async () => {
    const record = await entryWrittenNow();
    const past = new Date(Date.now() - 60_000);
    await utimes(record, past, past);
    // ctime cannot be set back: the build began a while after the change.
    await sleep(60);
    const book = new EntrySignatures();
    expect(book.trusted(KEY, book.of(KEY, record), Date.now())).toBe(true);
  });

  it('settle an entry the build wrote once its grain is past and it still holds what the build used', async () => {
    const record = await entryWrittenNow();
    const book = new EntrySignatures();
    const startedAt = Date.now() - 10;
    expect(book.of(KEY, record)).toBeDefined();
    const before = Date.now();
    expect(await book.settle(KEY, record, async () => true)).toBe(true);
    // It waited out what was left of the 50 ms grain, not more.
    expect(Date.now() - before).toBeLessThan(1000);
    const sig = book.of(KEY, record);
    expect(sig).toEqual(signature(record));
    expect(book.trusted(KEY, sig, startedAt)).toBe(true);
  });

  it('do not settle an entry that no longer holds what the build used, nor one that is gone', async () => {
    const record = await entryWrittenNow();
    const book = new EntrySignatures();
    expect(await book.settle(KEY, record, async () => false)).toBe(false);
    expect(book.trusted(KEY, book.of(KEY, record), Date.now() - 10)).toBe(false);
    expect(await book.settle(KEY, `${record}.missing`, async () => true)).toBe(false);
  });

  it('take the signature before reading what the entry holds: a change in between is never hidden from the next build', async () => {
    const record = await entryWrittenNow();
    const book = new EntrySignatures();
    // A teammate's art lands while the build compares (git writes it: unlink, create); the build
    // still sees its own art, read a moment before.
    const compare = async () => {
      await unlink(record);
      await writeFile(record, '{"files":["new art"]}');
      return true;
    };
    expect(await book.settle(KEY, record, compare)).toBe(true);
    // What is kept by the settled signature is looked up by the next build under the entry's signature then: a miss.
    expect(signature(record)).not.toEqual(book.of(KEY, record));
  });
});
