/**
 * Fernet (https://github.com/fernet/spec) on node:crypto: AES-128-CBC + HMAC-SHA256, base64url
 * tokens. Keys and tokens are interchangeable with Python's `cryptography.fernet`.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 0x80;

export class FernetError extends Error {
  override name = 'FernetError';
}

/** A new key: 32 random bytes, URL-safe base64 with padding (44 characters), like Python's. */
export function generateFernetKey(): string {
  return randomBytes(32).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

function decodeUrlSafe(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function encodeUrlSafe(buf: Buffer): string {
  return buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

function splitKey(key: string): { signing: Buffer; encryption: Buffer } {
  const raw = decodeUrlSafe(key.trim());
  if (raw.length !== 32) throw new FernetError('Fernet key must be 32 url-safe base64-encoded bytes.');
  return { signing: raw.subarray(0, 16), encryption: raw.subarray(16) };
}

/** True when `key` is a usable Fernet key. */
export function isFernetKey(key: string): boolean {
  try {
    splitKey(key);
    return true;
  } catch {
    return false;
  }
}

export function fernetEncrypt(key: string, plaintext: string, now = Date.now()): string {
  const { signing, encryption } = splitKey(key);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', encryption, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(Math.floor(now / 1000)));
  const body = Buffer.concat([Buffer.from([VERSION]), time, iv, ciphertext]);
  const mac = createHmac('sha256', signing).update(body).digest();
  return encodeUrlSafe(Buffer.concat([body, mac]));
}

/** Decrypts a token; throws FernetError on a wrong key or a damaged token (never returns it as-is). */
export function fernetDecrypt(key: string, token: string): string {
  const { signing, encryption } = splitKey(key);
  const raw = decodeUrlSafe(token);
  if (raw.length < 1 + 8 + 16 + 16 + 32 || raw[0] !== VERSION) throw new FernetError('Invalid Fernet token.');
  const body = raw.subarray(0, raw.length - 32);
  const mac = raw.subarray(raw.length - 32);
  const expected = createHmac('sha256', signing).update(body).digest();
  if (!timingSafeEqual(mac, expected))
    throw new FernetError('Fernet token signature does not match this key.');
  const iv = body.subarray(9, 25);
  const decipher = createDecipheriv('aes-128-cbc', encryption, iv);
  try {
    return Buffer.concat([decipher.update(body.subarray(25)), decipher.final()]).toString('utf8');
  } catch {
    throw new FernetError('Invalid Fernet token.');
  }
}
