/**
 * Per-call retries for provider errors: 429 (honouring Retry-After), 5xx, connection errors and
 * timeouts, with exponential backoff; then a clear failure naming the last cause. Cancellation
 * (the execution's AbortSignal) is never retried.
 */
import { APICallError } from 'ai';

export class LlmCallError extends Error {
  override name = 'LlmCallError';
  readonly code = 'llm_error';
}

export class LlmTimeoutError extends Error {
  override name = 'LlmTimeoutError';
}

export interface RetryPolicy {
  /** Retries after the first attempt (ai_model `max_retries`, default 3). */
  retries: number;
  /** First backoff in ms (doubles each time). */
  baseDelayMs: number;
  /** Longest wait honoured from Retry-After. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 60_000 };

/** A short, secret-free description of a provider error. */
export function describeLlmError(err: unknown): string {
  if (err instanceof LlmTimeoutError) return err.message;
  if (APICallError.isInstance(err)) {
    const status = err.statusCode ? `HTTP ${err.statusCode}` : 'connection error';
    const body = (err.responseBody ?? '').replace(/\s+/g, ' ').slice(0, 300);
    return body ? `${status}: ${body}` : `${status}: ${err.message.slice(0, 300)}`;
  }
  return err instanceof Error ? err.message.slice(0, 500) : String(err);
}

function retryAfterMs(err: unknown): number | null {
  if (!APICallError.isInstance(err)) return null;
  const headers = err.responseHeaders ?? {};
  const ms = headers['retry-after-ms'];
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const value = headers['retry-after'];
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof LlmTimeoutError) return true;
  if (APICallError.isInstance(err)) {
    const s = err.statusCode;
    if (s === undefined) return true; // connection failure
    return s === 408 || s === 409 || s === 429 || s >= 500;
  }
  const code = (err as { code?: string })?.code;
  return (
    typeof code === 'string' &&
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET'].includes(code)
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` with retries. `attempt` receives a signal that also fires on the per-call timeout;
 * `canRetry()` lets the caller veto a retry (e.g. tokens were already streamed to the user).
 */
export async function withLlmRetries<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  opts: {
    signal: AbortSignal;
    timeoutMs: number;
    policy?: Partial<RetryPolicy>;
    canRetry?: () => boolean;
    onRetry?: (info: { attempt: number; delayMs: number; error: string }) => void;
  },
): Promise<T> {
  const policy = { ...DEFAULT_RETRY, ...opts.policy };
  for (let n = 0; ; n++) {
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new LlmTimeoutError(`LLM call timed out after ${opts.timeoutMs / 1000}s`)),
      opts.timeoutMs,
    );
    try {
      return await attempt(AbortSignal.any([opts.signal, timeout.signal]));
    } catch (raw) {
      if (opts.signal.aborted) throw opts.signal.reason ?? raw;
      const err = timeout.signal.aborted ? timeout.signal.reason : raw;
      if (n >= policy.retries || !isRetryable(err) || (opts.canRetry && !opts.canRetry())) {
        const tries = n + 1;
        throw new LlmCallError(
          `LLM call failed after ${tries} attempt${tries === 1 ? '' : 's'}: ${describeLlmError(err)}`,
        );
      }
      const hinted = retryAfterMs(err);
      const delayMs = Math.min(policy.maxDelayMs, hinted ?? policy.baseDelayMs * 2 ** n);
      opts.onRetry?.({ attempt: n + 1, delayMs, error: describeLlmError(err) });
      await sleep(delayMs, opts.signal);
    } finally {
      clearTimeout(timer);
    }
  }
}
