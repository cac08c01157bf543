/** Control characters, lone surrogates' stand-in (U+FFFD) and the bidi overrides that reorder a terminal line. */
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufffd]/g;

/**
 * Text from outside (an API answer, a cache file) made safe to print: binary data is described,
 * not dumped, and stray control characters are shown as escapes, so a hostile answer can neither
 * garble the terminal nor pass for something it is not.
 */
export function printable(text: string, max = 200): string {
  const bad = text.match(UNPRINTABLE)?.length ?? 0;
  if (bad > 0 && bad * 10 >= text.length) return `${Buffer.byteLength(text)} bytes of binary data`;
  const clean = text.replace(UNPRINTABLE, (c) => (c === '\ufffd' ? '?' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
