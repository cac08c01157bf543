import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hashedName } from '../../plugin/vite/hashed-name.js';

// Reference: coreutils' sha256sum, run on the same bytes.
const sha256sum = (bytes: Uint8Array): string => execFileSync('sha256sum', { input: bytes }).toString().split(' ')[0]!;

describe('the names of emitted files', () => {
  it('names a file by the first 8 base64url characters of that sha256, so the name changes with the content', () => {
    const bytes = Buffer.from('a page');
    const digest = Buffer.from(sha256sum(bytes), 'hex').toString('base64url').slice(0, 8);
    expect(hashedName('heroes.png', bytes)).toBe(`heroes-${digest}.png`);
    expect(hashedName('heroes.anims.json', bytes)).toBe(`heroes-${digest}.anims.json`);
    expect(hashedName('heroes.png', Buffer.from('another page'))).not.toBe(`heroes-${digest}.png`);
  });
});
