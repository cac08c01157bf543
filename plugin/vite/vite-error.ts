import { readFile } from 'node:fs/promises';
import { ManifestError, RetroSpritesError, userMessage } from '../core/errors.js';
import { codeFrame } from './code-frame.js';

export const PLUGIN_NAME = 'vite-plugin-retro-sprites';

export type ViteError = Error & {
  id?: string;
  loc?: { file: string; line: number; column: number };
  frame?: string;
  plugin?: string;
};

/**
 * An error as Vite shows it: the manifest location and a code frame for the terminal and the
 * overlay. A user's error carries no stack; only a bug in the tool keeps its stack.
 */
export async function toViteError(err: unknown): Promise<ViteError> {
  if (err instanceof ManifestError && err.first) {
    const d = err.first;
    const source = await readFile(d.location.file, 'utf8').catch(() => '');
    return Object.assign(new Error(err.messageFor('vite')), {
      id: d.location.file,
      loc: { file: d.location.file, line: d.location.line, column: d.location.column },
      frame: source ? codeFrame(source, d.location.line, d.location.column) : undefined,
      plugin: PLUGIN_NAME,
      stack: '',
    });
  }
  const message = userMessage(err, 'vite');
  return Object.assign(new Error(message), { plugin: PLUGIN_NAME, stack: err instanceof RetroSpritesError ? '' : (err as Error)?.stack ?? '' });
}
