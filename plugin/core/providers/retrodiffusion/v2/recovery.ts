import type { ApiPayload } from '../../../payload.js';
import { TASK_ID_RE } from './journal.js';

/**
 * Finding a paid request whose answer never reached us, through API Activity
 * (`GET /v2/inferences/requests`, newest first). Used only when posting again is not an option
 * (the retries ran out with the answer lost); the derived Idempotency-Key is the first line of
 * defence, this is the second. A match must be unique among recent async requests on every field we
 * sent that Activity echoes, or we do not guess.
 */
export interface ActivityItem {
  requestId: string;
  status: string;
  createdAtMs?: number;
}

/** How far back a lost request can be: a run's retries end within minutes. */
const LOOKBACK_MS = 30 * 60_000;
const MATCHED_FIELDS = ['prompt', 'prompt_style', 'width', 'height', 'num_images', 'seed', 'model'] as const;

export function matchLostRequest(page: Record<string, unknown>, payload: ApiPayload, now = Date.now()): ActivityItem | undefined {
  const items = Array.isArray(page.items) ? page.items : [];
  const found: ActivityItem[] = [];
  for (const raw of items.slice(0, 100)) {
    if (!raw || typeof raw !== 'object') continue;
    const item = raw as Record<string, unknown>;
    const id = item.request_id;
    if (typeof id !== 'string' || !TASK_ID_RE.test(id)) continue;
    if (item.mode !== undefined && item.mode !== 'async') continue;
    if (item.status === 'failed') continue;
    const created = parseTime(item.created_at);
    if (created !== undefined && now - created > LOOKBACK_MS) continue;
    const req = item.request;
    if (!req || typeof req !== 'object') continue;
    const sent = payload as unknown as Record<string, unknown>;
    const echoed = req as Record<string, unknown>;
    const same = MATCHED_FIELDS.every((f) => echoed[f] === undefined || echoed[f] === sent[f]) && echoed.prompt === sent.prompt;
    if (same) found.push({ requestId: id, status: String(item.status), ...(created !== undefined ? { createdAtMs: created } : {}) });
  }
  return found.length === 1 ? found[0] : undefined;
}

/** Unix seconds or an ISO date-time (the examples and the OpenAPI disagree), in ms. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v < 1e12 ? v * 1000 : v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
