import { extname } from 'node:path';
import { contentHash } from '../core/content-hash.js';

/** `heroes.png` → `heroes-Pk5J3DLk.png`: a name that changes exactly when the content does. */
export function hashedName(logical: string, bytes: Uint8Array): string {
  const ext = logical.endsWith('.anims.json') ? '.anims.json' : extname(logical);
  const hash = Buffer.from(contentHash(bytes), 'hex').toString('base64url').slice(0, 8);
  return `${logical.slice(0, logical.length - ext.length)}-${hash}${ext}`;
}
