/**
 * Settings that must hold before a server starts with DEBUG=false. Each failure is one line naming
 * the variable and the fix.
 */
import { isFernetKey } from '../auth/fernet.js';
import type { Settings } from '../config.js';

export const DEFAULT_SECRET_KEY = 'change-me-in-production';
export const MIN_SECRET_KEY_LENGTH = 32;

export function productionProblems(settings: Settings): string[] {
  const problems: string[] = [];
  if (settings.fieldEncryptionKey && !isFernetKey(settings.fieldEncryptionKey)) {
    problems.push('FIELD_ENCRYPTION_KEY: not a valid Fernet key (generate one with `pipelit generate-key`)');
  }
  if (settings.debug) return problems;
  if (settings.secretKey === DEFAULT_SECRET_KEY) {
    problems.push('SECRET_KEY: the default value is refused when DEBUG=false; set a long random value');
  } else if (settings.secretKey.length < MIN_SECRET_KEY_LENGTH) {
    problems.push(`SECRET_KEY: must be at least ${MIN_SECRET_KEY_LENGTH} characters when DEBUG=false`);
  }
  if (!settings.fieldEncryptionKey) {
    problems.push(
      'FIELD_ENCRYPTION_KEY: required when DEBUG=false (generate one with `pipelit generate-key`)',
    );
  }
  return problems;
}
