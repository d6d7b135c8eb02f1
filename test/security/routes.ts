/**
 * Route enumeration for the security suites: every route the app registered (collected by the
 * security policy's onRoute hook), so new features are covered without editing these tests.
 */
import type { RegisteredRoute } from '../../src/api/security-policy.js';

/** Routes reachable without a key by design (anything else must answer 401 without one). */
export const PUBLIC_ROUTES: RegExp[] = [
  /^\/health$/,
  /^\/api\/v1\/health\/?$/,
  /^\/api\/v1\/auth\/(token|setup|setup-status|mfa\/login-verify)\/?$/,
  /^\/api\/v1\/workflows\/node-types\/?$/,
  /\/webhooks?(\/|$)/,
  /\/inbound(\/|$)/,
  // Guarded by source address or METRICS_TOKEN instead of an API key (test/metrics/metrics.test.ts).
  /^\/metrics\/?$/,
];

export const isPublicRoute = (url: string) => PUBLIC_ROUTES.some((re) => re.test(url));

/** HTTP routes worth calling: no HEAD twins, no CORS preflight catch-all. */
export function callableRoutes(routes: RegisteredRoute[]): RegisteredRoute[] {
  const seen = new Set<string>();
  return routes.filter((r) => {
    if (r.method === 'HEAD' || r.method === 'OPTIONS') return false;
    const id = `${r.method} ${r.url}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The route URL with every `:param` (and `*`) replaced by the given segments. */
export function fillPath(url: string, segment: (name: string, index: number) => string): string {
  let i = 0;
  return url
    .replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, (_m, name: string) => segment(name, i++))
    .replace(/\*/g, () => segment('*', i++));
}
