import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedReason, checkHost, createGuardedFetch, OutboundBlockedError } from './guarded-http.js';

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/redirect-private') {
      res.writeHead(302, { location: 'http://10.0.0.1/secret' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello ${req.method}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('guarded HTTP client', () => {
  it.each([
    '127.0.0.1',
    '::1',
    '10.0.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '192.168.1.1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '0.0.0.0',
  ])('refuses %s', async (address) => {
    expect(blockedReason(address)).not.toBeNull();
    const host = address.includes(':') ? `[${address}]` : address;
    await expect(createGuardedFetch()(`http://${host}/`)).rejects.toThrow(OutboundBlockedError);
  });

  it('allows public addresses', () => {
    expect(blockedReason('8.8.8.8')).toBeNull();
    expect(blockedReason('2001:4860:4860::8888')).toBeNull();
  });

  it('refuses a name that resolves to a private address (checked after DNS)', async () => {
    const resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.1.2.3', family: 4 },
    ];
    await expect(checkHost('rebind.example', { resolver })).rejects.toThrow(
      /10\.1\.2\.3 is a private address/,
    );
    await expect(createGuardedFetch()(`http://localhost:${port}/`)).rejects.toThrow(OutboundBlockedError);
  });

  it('connects to the checked address, not to a second DNS answer', async () => {
    let calls = 0;
    // First answer is the (allow-listed) test server; a rebinding resolver would answer differently later.
    const resolver = async () =>
      calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.9.9.9', family: 4 }];
    const fetch = createGuardedFetch({ resolver, allowlist: ['127.0.0.1'] });
    const res = await fetch(`http://pinned.test:${port}/`);
    expect(await res.text()).toBe('hello GET');
    expect(calls).toBe(1);
  });

  it('follows the allow-list (CIDR and host name) and re-checks every redirect', async () => {
    const fetch = createGuardedFetch({ allowlist: ['127.0.0.0/8'] });
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello POST');
    await expect(fetch(`http://127.0.0.1:${port}/redirect-private`)).rejects.toThrow(
      /10\.0\.0\.1 is a private address/,
    );
    const byName = createGuardedFetch({ allowlist: ['localhost'] });
    expect((await byName(`http://localhost:${port}/`)).status).toBe(200);
  });

  it('refuses other schemes', async () => {
    await expect(createGuardedFetch()('file:///etc/passwd')).rejects.toThrow(/unsupported scheme/);
  });
});
