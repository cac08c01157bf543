import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifestJsonSchemaText } from '../core/manifest/schema.js';
import { manifestReferenceMarkdown } from '../core/manifest/reference.js';

/**
 * Writes the generated artefacts of the manifest schema: plugin/schema/manifest.schema.json and
 * the README's manifest reference section. Node 20 cannot run TypeScript directly and no TS runner
 * is installed, so the test suite drives it: `UPDATE_SCHEMA=1 npx vitest run test/core/manifest/schema.test.ts`.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMA_FILE = path.resolve(HERE, '../schema/manifest.schema.json');
export const README_FILE = path.resolve(HERE, '../../README.md');
export const UPDATE_COMMAND = 'UPDATE_SCHEMA=1 npx vitest run test/core/manifest/schema.test.ts';
const START = '<!-- manifest-reference:start -->';
const END = '<!-- manifest-reference:end -->';

export interface GeneratedFile {
  file: string;
  expected: string;
  actual: string | undefined;
}

/** The README with its manifest reference section replaced; only that section is touched. */
export function withReference(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  return readme.slice(0, start + START.length) + '\n' + manifestReferenceMarkdown() + '\n' + readme.slice(end);
}

/** Each generated file with what it should hold and what it holds now. */
export async function generatedFiles(): Promise<GeneratedFile[]> {
  const read = (f: string) => fs.readFile(f, 'utf8').catch(() => undefined);
  const readme = (await read(README_FILE)) ?? '';
  return [
    { file: SCHEMA_FILE, expected: manifestJsonSchemaText(), actual: await read(SCHEMA_FILE) },
    { file: README_FILE, expected: withReference(readme), actual: readme },
  ];
}

/** Rewrites the stale ones; answers the files written. */
export async function writeSchemaFiles(): Promise<string[]> {
  const written: string[] = [];
  for (const g of await generatedFiles()) {
    if (g.actual === g.expected) continue;
    await fs.mkdir(path.dirname(g.file), { recursive: true });
    await fs.writeFile(g.file, g.expected);
    written.push(g.file);
  }
  return written;
}
