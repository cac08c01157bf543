import type { IncomingMessage } from 'node:http';
import { RetroSpritesError } from '../errors.js';

/**
 * A request's body as text, refused once it passes `limit` bytes (counted as they arrive, so a
 * client can never make us hold more than that in memory).
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      throw new RetroSpritesError('body-too-large', `request body too large (over ${limit} bytes)`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
