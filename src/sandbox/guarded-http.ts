/**
 * The one outbound HTTP client for nodes, tools and LLM providers (SSRF guard). It refuses loopback,
 * private, link-local, CGNAT, unique-local, multicast, reserved and cloud-metadata addresses unless
 * the admin allow-list (OUTBOUND_ALLOWLIST: host names, IPs, CIDRs) permits them. Names are resolved
 * once, every address is checked, and the connection goes to the checked address (no DNS rebinding
 * window); each redirect hop is checked again. The result is a standard `fetch` function.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';

export class OutboundBlockedError extends Error {
  override name = 'OutboundBlockedError';
  readonly code = 'outbound_blocked';
}

export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

export interface GuardOptions {
  /** Host names, IPs or CIDRs that may be reached even though private. */
  allowlist?: string[];
  /** Name resolution (tests inject one); default: the system resolver, all addresses. */
  resolver?: Resolver;
  /** Default 5. */
  maxRedirects?: number;
}

const BLOCKED_RANGES = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'carrierGradeNat',
  'private',
  'reserved',
  'uniqueLocal',
  'ipv4Mapped',
  'rfc6145',
  'rfc6052',
  '6to4',
  'teredo',
  'benchmarking',
  'amt',
  'as112',
  'as112v6',
  'deprecated',
  'orchid2',
  'droneRemoteIdProtocolEntityTags',
  'discard',
]);
/** Cloud metadata endpoints not covered by the ranges above. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'instance-data']);

const defaultResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

function parseAllowlist(entries: string[]) {
  const hosts = new Set<string>();
  const cidrs: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    try {
      if (entry.includes('/')) cidrs.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(entry)) {
        const ip = ipaddr.parse(entry);
        cidrs.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
      } else hosts.add(entry.replace(/\.$/, ''));
    } catch {
      hosts.add(entry);
    }
  }
  return { hosts, cidrs };
}

/** Why an address may not be reached, or null when it may. */
export function blockedReason(address: string, allowlist: string[] = []): string | null {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    return `not an IP address: ${address}`;
  }
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress())
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  const { cidrs } = parseAllowlist(allowlist);
  for (const [net, bits] of cidrs) {
    if (net.kind() === ip.kind() && ip.match(net, bits)) return null;
  }
  const range = ip.range();
  if (BLOCKED_RANGES.has(range)) return `${address} is a ${range} address`;
  return null;
}

/** Where a refusal points the person who meant it (a local model server, an intranet API). */
const ALLOW_HINT = 'An administrator can allow it with OUTBOUND_ALLOWLIST.';

/** Resolves `host` and checks every address; returns the addresses to connect to. */
export async function checkHost(
  host: string,
  options: GuardOptions = {},
): Promise<Array<{ address: string; family: number }>> {
  const name = host
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  const allow = options.allowlist ?? [];
  const { hosts } = parseAllowlist(allow);
  if (isIP(name)) {
    const reason = hosts.has(name) ? null : blockedReason(name, allow);
    if (reason)
      throw new OutboundBlockedError(`Outbound request to ${host} refused: ${reason}. ${ALLOW_HINT}`);
    return [{ address: name, family: isIP(name) }];
  }
  const hostAllowed = hosts.has(name);
  if (!hostAllowed && (METADATA_HOSTS.has(name) || name === 'localhost' || name.endsWith('.localhost'))) {
    throw new OutboundBlockedError(`Outbound request to ${host} refused: internal host name. ${ALLOW_HINT}`);
  }
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = await (options.resolver ?? defaultResolver)(name);
  } catch (err) {
    throw new Error(`Could not resolve ${host}: ${(err as Error).message}`);
  }
  if (addresses.length === 0) throw new Error(`Could not resolve ${host}: no addresses.`);
  if (!hostAllowed) {
    for (const a of addresses) {
      const reason = blockedReason(a.address, allow);
      if (reason)
        throw new OutboundBlockedError(`Outbound request to ${host} refused: ${reason}. ${ALLOW_HINT}`);
    }
  }
  return addresses;
}

function bodyOf(body: unknown): Buffer | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new Error('guarded fetch: unsupported request body type');
}

/** A `fetch` that applies the outbound policy to every connection and redirect. */
export function createGuardedFetch(options: GuardOptions = {}): typeof fetch {
  const maxRedirects = options.maxRedirects ?? 5;
  const guarded = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    let method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    let body = bodyOf(init.body ?? null);
    const signal = init.signal ?? undefined;
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new OutboundBlockedError(`Outbound request refused: unsupported scheme ${url.protocol}`);
      }
      const addresses = await checkHost(url.hostname, options);
      const res = await send(url, method, headers, body, addresses[0], signal);
      const location = res.headers.get('location');
      if ([301, 302, 303, 307, 308].includes(res.status) && location && init.redirect !== 'manual') {
        if (hop >= maxRedirects) throw new Error(`Too many redirects (more than ${maxRedirects}).`);
        await res.body?.cancel().catch(() => {});
        url = new URL(location, url);
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = null;
          headers.delete('content-type');
          headers.delete('content-length');
        }
        continue;
      }
      return res;
    }
  };
  return guarded as typeof fetch;
}

function send(
  url: URL,
  method: string,
  headers: Headers,
  body: Buffer | null,
  target: { address: string; family: number },
  signal: AbortSignal | undefined,
): Promise<Response> {
  // Connect to the address that was checked, whatever DNS says a moment later.
  const pinned: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all) {
      (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [target]);
    } else callback(null, target.address, target.family);
  };
  const outgoing: Record<string, string> = {};
  headers.forEach((v, k) => {
    outgoing[k] = v;
  });
  if (body && !outgoing['content-length']) outgoing['content-length'] = String(body.length);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        headers: outgoing,
        lookup: pinned,
        signal,
        servername: isIP(url.hostname) ? undefined : url.hostname,
      },
      (res) => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) for (const item of v) h.append(k, item);
          else if (v !== undefined) h.set(k, String(v));
        }
        const status = res.statusCode ?? 500;
        const nullBody = status === 204 || status === 304 || method === 'HEAD';
        if (nullBody) res.resume();
        resolve(
          new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream), {
            status,
            statusText: res.statusMessage,
            headers: h,
          }),
        );
      },
    );
    req.on('error', (err) => reject(signal?.aborted ? (signal.reason ?? err) : err));
    if (body) req.write(body);
    req.end();
  });
}
