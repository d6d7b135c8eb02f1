/**
 * Reading and writing credential rows, with the secrets decrypted only in memory. Scoping: a normal
 * user reaches only their own credentials; at run time a workflow may only use credentials its
 * owner may use (fix of §16.28, where any workflow could reference any credential id).
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { CredentialsTable, CredentialType } from '../db/tables/credentials.js';
import { fromJson } from '../db/values.js';
import { detailOut, type StoredCredential } from './credential-kinds.js';
import { decryptSecrets } from './credential-secrets.js';

export type CredentialRow = Selectable<CredentialsTable>;

export interface LoadedCredential extends StoredCredential {
  id: number;
  name: string;
  userId: number;
  type: CredentialType;
}

export class CredentialAccessError extends Error {
  override name = 'CredentialAccessError';
}

export function unpack(row: CredentialRow, key: string): LoadedCredential {
  return {
    id: row.id,
    name: row.name,
    userId: row.user_id,
    type: row.credential_type,
    detail: fromJson<Record<string, unknown>>(row.detail, {}),
    secrets: decryptSecrets(key, row.secrets),
  };
}

/** The API shape (`CredentialOut`); secrets masked. Undecryptable secrets show as empty. */
export function credentialOut(row: CredentialRow, key: string) {
  let stored: StoredCredential;
  try {
    stored = unpack(row, key);
  } catch {
    stored = { detail: fromJson(row.detail, {}), secrets: {} };
  }
  return {
    id: row.id,
    name: row.name,
    credential_type: row.credential_type,
    detail: detailOut(row.credential_type, stored),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** May a workflow owned by `ownerId` use credential rows of `credentialUserId`? */
export async function ownerMayUse(db: Kysely<Database>, ownerId: number, credentialUserId: number) {
  if (ownerId === credentialUserId) return true;
  const owner = await db.selectFrom('users').select('role').where('id', '=', ownerId).executeTakeFirst();
  return owner?.role === 'admin';
}

/** Loads a credential for a workflow run, enforcing the owner's scope. */
export async function loadCredentialForOwner(
  db: Kysely<Database>,
  encryptionKey: string,
  credentialId: number,
  ownerId: number,
  expected?: CredentialType,
): Promise<LoadedCredential> {
  const row = await db
    .selectFrom('credentials')
    .selectAll()
    .where('id', '=', credentialId)
    .executeTakeFirst();
  if (!row || !(await ownerMayUse(db, ownerId, row.user_id))) {
    throw new CredentialAccessError(
      `Credential ID ${credentialId} not found (or not usable by this workflow's owner). It may have been deleted.`,
    );
  }
  if (expected && row.credential_type !== expected) {
    throw new CredentialAccessError(`Credential ID ${credentialId} is not an ${expected} credential.`);
  }
  return unpack(row, encryptionKey);
}
