import { canonicalJson } from '../../../cache-key.js';
import type { ApiPayload } from '../../../payload.js';
import type { GenerateContext, GenerationResult } from '../../provider.js';
import { ApiError } from '../api-error.js';
import { readGeneration } from '../answer.js';
import type { RetryPolicy } from '../retry.js';
import { idempotencyKey, payloadContentKey } from './idempotency.js';
import { PendingJournal, type PendingTask } from './journal.js';
import { matchLostRequest } from './recovery.js';
import { pollTask, readAccepted, type PollPolicy } from './tasks.js';

export const V2_INFERENCES = '/v2/inferences';
export const V2_CREDITS = '/v2/inferences/credits';

export interface V2Answer {
  json: Record<string, unknown>;
  status: number;
  requestId?: string;
  retryAfterMs?: number;
}

/** What the v2 flow needs of the HTTP client: calls with its retries, limiter and key, and plain downloads. */
export interface V2Transport {
  call(method: 'GET' | 'POST', path: string, body: string | undefined, label: string, signal: AbortSignal | undefined,
    extra?: { headers?: Record<string, string>; retry?: RetryPolicy }): Promise<V2Answer>;
  /** An output URL from an answer: no API key is sent with it. */
  download(url: string, signal: AbortSignal | undefined): Promise<Buffer>;
  log(line: string): void;
}

/** A failed task is refunded and may be submitted again, under a new key, this many times in one run. */
const MAX_SUBMISSIONS = 3;

/**
 * One sprite through v2: POST a task under a derived Idempotency-Key (recorded in the journal before
 * it is sent), record the task id the moment it is known, poll until it ends, read the result.
 * A run that finds a journal record resumes it: it polls, or replays the POST under the recorded
 * key, and pays nothing new. `ctx.interrupt` stops the waiting, never the task.
 */
export async function generateV2(
  payload: ApiPayload,
  ctx: GenerateContext | undefined,
  deps: { transport: V2Transport; identity: { id: string; version: string }; poll: PollPolicy; label: string },
): Promise<GenerationResult> {
  const { transport } = deps;
  // Canonical bytes: "identical inputs" must hold however the manifest ordered its fields.
  const body = canonicalJson(payload);
  const contentKey = ctx?.key ?? payloadContentKey(body, deps.identity);
  const journal = ctx?.journalDir ? new PendingJournal(ctx.journalDir) : undefined;
  const signal = ctx?.interrupt;
  let intent = ctx?.intent ?? 'first';

  for (let submission = 1; ; submission++) {
    const pending: PendingTask | undefined = await journal?.read(contentKey);
    const idem = pending?.idempotencyKey ?? idempotencyKey(contentKey, intent);
    let taskId = pending?.taskId;
    if (!taskId) {
      // Durable before it is sent: a kill -9 in the POST leaves the key, and replaying it is free.
      if (!pending) await journal?.write({ key: contentKey, idempotencyKey: idem });
      const accepted = await submit(idem);
      taskId = accepted.taskId;
      await journal?.write({ key: contentKey, idempotencyKey: idem, taskId, ...(accepted.requestId ? { requestId: accepted.requestId } : {}) });
    } else {
      transport.log(`retrodiffusion: ${deps.label}: resuming task ${taskId} from the journal (nothing is paid again)`);
    }
    try {
      const run = await pollTask(
        taskId,
        async (s) => {
          const a = await transport.call('GET', `${V2_INFERENCES}/tasks/${encodeURIComponent(taskId!)}`, undefined, deps.label, s);
          return { json: a.json, ...(a.retryAfterMs !== undefined ? { retryAfterMs: a.retryAfterMs } : {}) };
        },
        deps.poll,
        signal,
      );
      return await readRun(run, payload, taskId);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.code === 'aborted') {
        throw new ApiError('aborted', `${err.message}; task ${taskId} keeps running and is saved in the cache's .pending/, so the next run picks it up without paying again`, { requestId: taskId, cause: err });
      }
      if (err.code === 'not-found' && pending?.taskId) {
        // The journal named a task the API no longer knows (expired, another account): forget it and
        // replay the key, which either finds the original or is charged once.
        await journal?.remove(contentKey);
        await journal?.write({ key: contentKey, idempotencyKey: idem });
        if (submission < MAX_SUBMISSIONS) continue;
      }
      if (err.code === 'task-failed') {
        await journal?.remove(contentKey);
        // Refunded; the next key follows from this task, so another machine seeing the same failure agrees.
        intent = `after-failure:${taskId}`;
        if (err.retryable && submission < MAX_SUBMISSIONS) {
          transport.log(`retrodiffusion: ${deps.label}: ${err.message}; submitting again (${submission + 1}/${MAX_SUBMISSIONS})`);
          continue;
        }
      }
      throw err;
    }
  }

  async function submit(idem: string): Promise<{ taskId: string; requestId?: string }> {
    try {
      const a = await transport.call('POST', V2_INFERENCES, body, deps.label, signal, { headers: { 'idempotency-key': idem } });
      return readAccepted(a.json);
    } catch (err) {
      // The answer may be lost after the API accepted (and charged) it: look for it before giving up.
      if (err instanceof ApiError && (err.retryable || /^(network|timeout|truncated-response|server-error)$/.test(err.code)) && err.code !== 'aborted') {
        const found = await recover().catch(() => undefined);
        if (found) {
          transport.log(`retrodiffusion: ${deps.label}: the POST's answer was lost; found it as request ${found} in API Activity`);
          return { taskId: found, requestId: found };
        }
        throw new ApiError(err.code, `${err.message}; the request may have been accepted: the next run asks again under the same Idempotency-Key and is not charged twice`, {
          status: err.status, requestId: err.requestId, apiCode: err.apiCode,
        });
      }
      throw err;
    }
  }

  async function recover(): Promise<string | undefined> {
    const page = await transport.call('GET', `${V2_INFERENCES}/requests?limit=100`, undefined, `${deps.label} recovery`, signal);
    return matchLostRequest(page.json, payload)?.requestId;
  }

  /** The InferenceRun's images, from base64 or (large results) its output URLs. */
  async function readRun(run: Record<string, unknown>, p: ApiPayload, id: string): Promise<GenerationResult> {
    const inline = Array.isArray(run.base64_images) ? run.base64_images : [];
    const urls = Array.isArray(run.output_urls) ? run.output_urls.filter((u): u is string => typeof u === 'string') : [];
    let answer = run;
    if (inline.length === 0 && urls.length > 0) {
      if (urls.length > 64) throw new ApiError('bad-response', `malformed answer: task ${id} lists ${urls.length} output URLs`);
      const images: string[] = [];
      for (const u of urls) images.push((await transport.download(u, signal)).toString('base64'));
      answer = { ...run, base64_images: images };
    }
    try {
      return readGeneration(answer, p);
    } catch (err) {
      if (err instanceof ApiError) {
        throw new ApiError(err.code, `${err.message} (task ${id}; it was paid for: the journal keeps it, and the next run reads it again without paying)`, { requestId: id });
      }
      throw err;
    }
  }
}
