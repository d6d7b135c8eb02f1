import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FernetError, fernetDecrypt, fernetEncrypt, generateFernetKey, isFernetKey } from './fernet.js';

describe('fernet', () => {
  it('decrypts the Fernet specification vector', () => {
    const key = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
    const token =
      'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==';
    expect(fernetDecrypt(key, token)).toBe('hello');
  });

  it('decrypts a token made by Python cryptography', () => {
    const key = 'kpyrY88wMA5aBSAyij0SxGtgGKPLX4VWpO-MUjn_IB4=';
    const token =
      'gAAAAABrCTHWJ9WtFEHRw3TFq5N9905PhJHjgWiVHq0YS3jCda6jbaPSUPlE3Cu3j2MHizSu6ZyLICTBu3CpCeI5TxxutPT7eDTDlzoN05EVxzwxqgjgm9s=';
    expect(fernetDecrypt(key, token)).toBe('secret from python');
  });

  it('round-trips and generates 44-character keys', () => {
    const key = generateFernetKey();
    expect(key).toHaveLength(44);
    expect(isFernetKey(key)).toBe(true);
    expect(fernetDecrypt(key, fernetEncrypt(key, 'ünïcode ✓'))).toBe('ünïcode ✓');
  });

  it('refuses a token under another key instead of returning it', () => {
    const token = fernetEncrypt(generateFernetKey(), 'x');
    expect(() => fernetDecrypt(generateFernetKey(), token)).toThrow(FernetError);
    expect(() => fernetDecrypt(generateFernetKey(), 'not-a-token')).toThrow(FernetError);
    expect(isFernetKey('short')).toBe(false);
  });

  it('makes tokens Python cryptography can read, when python3 has it', () => {
    let hasPython = true;
    try {
      execFileSync('python3', ['-c', 'import cryptography'], { stdio: 'ignore' });
    } catch {
      hasPython = false;
    }
    if (!hasPython) {
      console.log('[fernet] python3 with cryptography not found: cross-check against Python skipped');
      return;
    }
    const key = generateFernetKey();
    const token = fernetEncrypt(key, 'from node');
    const out = execFileSync('python3', [
      '-c',
      'import sys; from cryptography.fernet import Fernet; print(Fernet(sys.argv[1].encode()).decrypt(sys.argv[2].encode()).decode())',
      key,
      token,
    ]);
    expect(out.toString().trim()).toBe('from node');
  });
});
