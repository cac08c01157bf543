import { ApiError } from '../api-error.js';
import { sleep } from '../retry.js';
import { taskFailedError } from './errors.js';
import { TASK_ID_RE } from './journal.js';

/** A task as `GET /v2/inferences/tasks/{id}` reads it (TaskRead in contracts/v2/openapi.json). */
export interface TaskRead {
  taskId: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'other';
  /** The InferenceRun, when succeeded. */
  result?: Record<string, unknown>;
  error?: Record<string, unknown>;
}

export interface PollPolicy {
  /** First wait between reads (the contract suggests about 2 s). */
  intervalMs: number;
  /** Waits grow by half each read up to this. A server's Retry-After is also cut to it. */
  maxIntervalMs: number;
  /** Give up waiting (the task keeps running; the journal lets the next run pick it up). */
  maxWaitMs: number;
}

export const DEFAULT_POLL: PollPolicy = { intervalMs: 2000, maxIntervalMs: 10_000, maxWaitMs: 20 * 60_000 };
/** A Retry-After shorter than this is taken as this: no server makes us spin. */
const MIN_WAIT_MS = 50;

function malformed(message: string): ApiError {
  return new ApiError('bad-response', `malformed task: ${message}`);
}

/** The accepted answer of a paid POST: `{status: "accepted", task_id, request_id?}`. */
export function readAccepted(json: Record<string, unknown>): { taskId: string; requestId?: string } {
  const id = json.task_id;
  if (typeof id !== 'string' || !TASK_ID_RE.test(id)) throw malformed(`the POST answer has no usable task_id (${JSON.stringify(id)?.slice(0, 80)})`);
  const rid = typeof json.request_id === 'string' && TASK_ID_RE.test(json.request_id) ? json.request_id : undefined;
  return rid ? { taskId: id, requestId: rid } : { taskId: id };
}

export function readTask(json: Record<string, unknown>, expectedId: string): TaskRead {
  if (json.task_id !== expectedId) throw malformed(`asked for task ${expectedId}, got ${JSON.stringify(json.task_id)?.slice(0, 80)}`);
  const s = json.status;
  const status = s === 'pending' || s === 'running' || s === 'succeeded' || s === 'failed' ? s : 'other';
  const task: TaskRead = { taskId: expectedId, status };
  if (status === 'succeeded') {
    if (!json.result || typeof json.result !== 'object' || Array.isArray(json.result)) throw malformed(`task ${expectedId} succeeded without a result`);
    task.result = json.result as Record<string, unknown>;
  }
  if (json.error && typeof json.error === 'object' && !Array.isArray(json.error)) task.error = json.error as Record<string, unknown>;
  return task;
}

/**
 * Reads a task until it ends: bounded, growing waits (or the server's Retry-After), and a stop as
 * soon as `signal` fires. Stopping loses nothing: the task keeps running at the API and its id is
 * in the journal. A failed task is an error, never an empty result.
 */
export async function pollTask(
  taskId: string,
  read: (signal?: AbortSignal) => Promise<{ json: Record<string, unknown>; retryAfterMs?: number }>,
  policy: PollPolicy,
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<Record<string, unknown>> {
  const started = now();
  let interval = policy.intervalMs;
  for (;;) {
    const { json, retryAfterMs } = await read(signal);
    const task = readTask(json, taskId);
    if (task.status === 'succeeded') return task.result!;
    if (task.status === 'failed') throw taskFailedError(taskId, task.error);
    const wait = Math.max(MIN_WAIT_MS, Math.min(retryAfterMs ?? interval, policy.maxIntervalMs));
    interval = Math.min(Math.round(interval * 1.5), policy.maxIntervalMs);
    if (now() + wait - started > policy.maxWaitMs) {
      throw new ApiError('task-timeout', `task ${taskId} is still ${task.status} after ${Math.round((now() - started) / 1000)}s; it keeps running at the API and the next run picks it up without paying again`, { requestId: taskId });
    }
    await sleep(wait, signal);
  }
}
