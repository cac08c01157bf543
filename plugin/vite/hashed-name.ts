import { createHash } from 'node:crypto';
import { extname } from 'node:path';

/** `heroes.png` → `heroes-Pk5J3DLk.png`: a name that changes exactly when the content does. */
export function hashedName(logical: string, bytes: Uint8Array): string {
  const ext = logical.endsWith('.anims.json') ? '.anims.json' : extname(logical);
  const hash = createHash('sha256').update(bytes).digest('base64url').slice(0, 8);
  return `${logical.slice(0, logical.length - ext.length)}-${hash}${ext}`;
}
