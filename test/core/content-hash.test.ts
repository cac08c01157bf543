import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { contentHash } from '../../plugin/core/content-hash.js';

// Reference: coreutils' sha256sum, run on the same bytes.
const sha256sum = (bytes: Uint8Array): string => execFileSync('sha256sum', { input: bytes }).toString().split(' ')[0]!;

describe('the content hash of an emitted file', () => {
  it('is the sha256 sha256sum gives, for a whole buffer and for a view into a larger one', () => {
    const backing = Buffer.from('0123456789abcdef'.repeat(4096));
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 3, 5000);
    expect(contentHash(backing)).toBe(sha256sum(backing));
    expect(contentHash(view)).toBe(sha256sum(view));
    // Asked again (the memo's answer), and for equal bytes in another object.
    expect(contentHash(view)).toBe(sha256sum(view));
    expect(contentHash(Uint8Array.from(view))).toBe(sha256sum(view));
  });
});
