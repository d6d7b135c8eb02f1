import { generateFernetKey } from '../auth/fernet.js';

export function generateKeyCommand(): void {
  process.stdout.write(`${generateFernetKey()}\n`);
}
