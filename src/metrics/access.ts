/**
 * Who may read `/metrics`: a request with `Authorization: Bearer <METRICS_TOKEN>`, or one whose
 * source address is in METRICS_ALLOW (CIDRs or addresses; default loopback only).
 * The source is the TCP peer, except for requests that came through a reverse proxy (they carry
 * X-Forwarded-For / Forwarded / X-Real-IP): then it is the client the proxy reports, which only counts
 * when the proxy is in TRUSTED_PROXIES. So a local proxy never makes the whole internet "loopback".
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { bearerFrom } from '../auth/verify-api-key.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses METRICS_ALLOW entries; throws on an entry that is neither an address nor a CIDR. */
export function parseAllowList(entries: string[]): Range[] {
  return entries.map((entry) => {
    const value = entry.trim();
    try {
      if (value.includes('/')) return ipaddr.parseCIDR(value);
      const addr = ipaddr.process(value);
      return [addr, addr.kind() === 'ipv4' ? 32 : 128] as Range;
    } catch {
      throw new Error(`METRICS_ALLOW: "${value}" is not an IP address or CIDR`);
    }
  });
}

export function addressAllowed(address: string | undefined, ranges: Range[]): boolean {
  if (!address) return false;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(address); // ::ffff:127.0.0.1 → 127.0.0.1
  } catch {
    return false;
  }
  return ranges.some(([net, bits]) => addr.kind() === net.kind() && addr.match([net, bits] as never));
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/** The address `/metrics` judges a request by (undefined: came through an untrusted proxy). */
export function metricsSource(request: FastifyRequest, trustsProxies: boolean): string | undefined {
  const proxied = PROXY_HEADERS.some((h) => request.headers[h] !== undefined);
  if (!proxied) return request.socket.remoteAddress;
  // Fastify's trustProxy resolves request.ip to the client only when the peer is a trusted proxy;
  // from any other peer request.ip is that peer itself, which is what it could reach anyway.
  return trustsProxies ? request.ip : undefined;
}

export function mayReadMetrics(
  request: FastifyRequest,
  opts: { token: string; ranges: Range[]; trustsProxies: boolean },
): boolean {
  const bearer = bearerFrom(request.headers.authorization);
  if (opts.token && bearer && sameSecret(bearer, opts.token)) return true;
  return addressAllowed(metricsSource(request, opts.trustsProxies), opts.ranges);
}
