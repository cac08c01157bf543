/** What stands in for the API key wherever it would otherwise appear. */
export const REDACTED = '[redacted]';

/**
 * Keys shorter than this are refused: a RetroDiffusion key is far longer, and a short one (`x`)
 * would be found inside ordinary words, so that no redaction could be both safe and readable.
 */
export const MIN_KEY_LENGTH = 8;

/** A run this long of the key's first characters counts as the key (a server may echo it cut short). */
export const KEY_PREFIX_MIN = 6;

const WORD = /[A-Za-z0-9_]/;

interface KeyForms {
  /** Text forms, matched as whole words, and also by any prefix of KEY_PREFIX_MIN or more characters. */
  words: string[];
  /** Encodings that sit inside longer runs (base64 of a header dump, hex): matched anywhere. */
  embedded: string[];
}

const formsOf = new Map<string, KeyForms>();

function base64Cores(bytes: Buffer): string[] {
  // Inside a longer base64 text the key can start at any of three byte offsets; keep only the
  // characters that depend on the key's bytes alone.
  const out: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    const from = Math.ceil((pad * 8) / 6);
    const to = Math.floor(((pad + bytes.length) * 8) / 6);
    const core = b64.slice(from, to);
    out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

function forms(key: string): KeyForms {
  let f = formsOf.get(key);
  if (f) return f;
  const bytes = Buffer.from(key, 'utf8');
  const url = encodeURIComponent(key);
  const words = [...new Set([key, url, url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())])];
  const hex = bytes.toString('hex');
  const embedded = [...new Set([...base64Cores(bytes), hex, hex.toUpperCase()])].filter((s) => s.length >= KEY_PREFIX_MIN);
  f = { words, embedded: embedded.sort((a, b) => b.length - a.length) };
  if (formsOf.size > 16) formsOf.clear();
  formsOf.set(key, f);
  return f;
}

/**
 * Replaces each whole occurrence of `form` (or of a prefix of it KEY_PREFIX_MIN characters or
 * longer, as when a server or our own excerpt cut the key) with REDACTED. "Whole" as a regex `\b`
 * sees it: a run inside a longer word is another word, not the key.
 */
function redactWord(text: string, form: string): string {
  const stem = form.slice(0, Math.min(KEY_PREFIX_MIN, form.length));
  let out = '';
  let last = 0;
  let i = text.indexOf(stem);
  while (i !== -1) {
    let run = stem.length;
    while (run < form.length && i + run < text.length && text[i + run] === form[run]) run++;
    const before = i > 0 ? text[i - 1]! : '';
    const after = i + run < text.length ? text[i + run]! : '';
    const startsWord = !(WORD.test(before) && WORD.test(form[0]!));
    const endsWord = !(WORD.test(after) && WORD.test(form[run - 1]!));
    if (startsWord && endsWord) {
      out += text.slice(last, i) + REDACTED;
      last = i + run;
      i = text.indexOf(stem, last);
    } else {
      i = text.indexOf(stem, i + 1);
    }
  }
  return out + text.slice(last);
}

/**
 * Removes the key from a line we are about to show, in every form a server might echo it: as
 * sent, URL-encoded, base64 (alone or inside a longer base64 text) and hex, and any prefix of it of
 * KEY_PREFIX_MIN characters or more (an echo or an excerpt cut short). Servers and proxies may echo
 * request headers back in an error body, so every message and log line we produce passes through
 * here, not only the ones we think could hold the key.
 */
export function redact(text: string, key: string | undefined): string {
  if (!key || key.length < KEY_PREFIX_MIN) return text;
  const f = forms(key);
  let out = text;
  for (const e of f.embedded) {
    if (out.includes(e)) out = out.split(e).join(REDACTED);
  }
  for (const w of f.words) out = redactWord(out, w);
  return out;
}

/** A redacting wrapper around an optional log sink. */
export function redactingLog(log: ((line: string) => void) | undefined, key: string): (line: string) => void {
  return (line) => log?.(redact(line, key));
}
