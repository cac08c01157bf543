import { readKeptRequests, type KeptFile, type PayloadKeys } from './kept-requests.js';
import { parseManifest, parseWithCache, textHash, type ParseCache, type ParseResult as Parse } from './parse-cache.js';

/**
 * The last parse of each manifest, by its text: the dev server reloads every manifest on each edit,
 * and parsing the unchanged ones again is most of that reload's time. A project holds one.
 */
export class LastParses {
  private readonly byFile = new Map<string, { text: string; result: Parse }>();
  private readonly derived = new WeakMap<object, unknown>();
  private readonly kept = new Map<string, { text: string; allowUnknownStyles: boolean; file: Promise<KeptFile | undefined> }>();

  /**
   * What loading made of a parse (its top level checked, its sprites' requests), made once and
   * kept with the parse: it goes when the file's text changes and the parse is replaced.
   */
  derivedOf<T>(source: object, make: () => T): T {
    if (!this.derived.has(source)) this.derived.set(source, make());
    return this.derived.get(source) as T;
  }

  parse(file: string, text: string): Parse {
    const last = this.byFile.get(file);
    if (last && last.text === text) return last.result;
    const result = parseManifest(file, text);
    this.byFile.set(file, { text, result });
    return result;
  }

  /** The same, with parses also kept across processes (parse-cache.ts). */
  async parseKept(file: string, text: string, cache: ParseCache): Promise<Parse> {
    const last = this.byFile.get(file);
    if (last && last.text === text) return last.result;
    const result = await parseWithCache(file, text, cache);
    this.byFile.set(file, { text, result });
    return result;
  }

  /** The file's requests kept across processes (kept-requests.ts), looked up once while its text is unchanged. */
  keptRequests(file: string, text: string, allowUnknownStyles: boolean, cache: ParseCache, keys?: PayloadKeys): Promise<KeptFile | undefined> {
    const last = this.kept.get(file);
    if (last && last.text === text && last.allowUnknownStyles === allowUnknownStyles) return last.file;
    const kept = readKeptRequests(cache, file, textHash(text), allowUnknownStyles, keys);
    this.kept.set(file, { text, allowUnknownStyles, file: kept });
    return kept;
  }

  /** What keeping the file's requests kept: the next load of this text takes it, and keeps nothing again. */
  keptAs(file: string, text: string, allowUnknownStyles: boolean, kept: KeptFile): void {
    this.kept.set(file, { text, allowUnknownStyles, file: Promise.resolve(kept) });
  }
}
