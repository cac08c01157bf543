/** What stands in for the API key wherever it would otherwise appear. */
export const REDACTED = '[redacted]';

/**
 * Removes every occurrence of the key from a line we are about to show. Servers and proxies may
 * echo request headers back in an error body, so every message and log line we produce passes
 * through here, not only the ones we think could hold the key.
 */
export function redact(text: string, key: string | undefined): string {
  if (!key) return text;
  return text.split(key).join(REDACTED);
}

/** A redacting wrapper around an optional log sink. */
export function redactingLog(log: ((line: string) => void) | undefined, key: string): (line: string) => void {
  return (line) => log?.(redact(line, key));
}
