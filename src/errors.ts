/**
 * Application errors. Routes throw `AppError`; the one error handler in `api/error-handler.ts`
 * turns it into the reference's `{"detail": ...}` body with the error's status.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly statusCode: number,
    readonly detail: unknown,
    readonly code = 'APP_ERROR',
  ) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
  }
}

export const badRequest = (detail: unknown) => new AppError(400, detail, 'BAD_REQUEST');
export const unauthorized = (detail: unknown = 'Invalid or missing API key.') =>
  new AppError(401, detail, 'UNAUTHORIZED');
export const forbidden = (detail: unknown = 'Admin access required.') =>
  new AppError(403, detail, 'FORBIDDEN');
export const notFound = (detail: unknown) => new AppError(404, detail, 'NOT_FOUND');
export const conflict = (detail: unknown) => new AppError(409, detail, 'CONFLICT');
export const unprocessable = (detail: unknown) => new AppError(422, detail, 'UNPROCESSABLE');
export const serviceUnavailable = (detail: unknown) => new AppError(503, detail, 'UNAVAILABLE');

/** One entry of a 422 body, shaped like FastAPI's so existing clients can read it. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}
