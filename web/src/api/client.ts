/**
 * The one fetch client: `/api/v1` + a path ending in `/`, JSON in and out. The key travels in the
 * httpOnly session cookie; `X-Pipelit-Session: cookie` asks the server to use (or, at login, set) it. Non-2xx answers become an `ApiError` carrying the server's `detail`; a 401 on an
 * authenticated call clears the session and sends the browser to `/login`.
 */
import { clearSession } from '../auth/session';

export class ApiError extends Error {
  readonly status: number;
  /** The server's `detail` field: a message, a list of zod issues, or `{validation_errors}`. */
  readonly detail: unknown;

  constructor(status: number, detail: unknown) {
    super(describeDetail(status, detail));
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
  }
}

/** A readable one-line message for any `detail` shape the server sends. */
export function describeDetail(status: number, detail: unknown): string {
  if (typeof detail === 'string' && detail) return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) =>
        d && typeof d === 'object' && 'msg' in d ? String((d as { msg: unknown }).msg) : String(d),
      )
      .join('; ');
  }
  if (detail && typeof detail === 'object' && 'validation_errors' in detail) {
    const errors = (detail as { validation_errors: unknown }).validation_errors;
    if (Array.isArray(errors)) return errors.map(String).join('; ');
  }
  if (status === 404) return 'Not found (this part of the API may not exist yet).';
  return `Request failed with status ${status}.`;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  /** Public calls (login, setup) do not log out on 401. */
  anonymous?: boolean;
  signal?: AbortSignal;
}

/** Called on a 401 from an authenticated call; replaced in tests of the SPA if ever needed. */
function handleUnauthorized(): void {
  clearSession();
  if (window.location.pathname !== '/login') window.location.assign('/login');
}

/** `path` is relative to `/api/v1`, e.g. `/workflows/` or `/workflows/?limit=50`. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-Pipelit-Session': 'cookie' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      credentials: 'same-origin',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'The server cannot be reached.');
  }

  if (response.status === 401 && !options.anonymous) {
    handleUnauthorized();
    throw new ApiError(401, 'Your session has ended. Please sign in again.');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let payload: unknown = text;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = text;
    }
  }
  if (!response.ok) {
    const detail = payload && typeof payload === 'object' && 'detail' in payload ? payload.detail : payload;
    throw new ApiError(response.status, detail);
  }
  return (text ? payload : undefined) as T;
}

/** Validation errors of a 422 edge/workflow answer, when the server sent them. */
export function validationErrors(err: unknown): string[] {
  if (!(err instanceof ApiError)) return [];
  const d = err.detail;
  if (d && typeof d === 'object' && 'validation_errors' in d) {
    const list = (d as { validation_errors: unknown }).validation_errors;
    if (Array.isArray(list)) return list.map(String);
  }
  return [];
}
