/**
 * What a finished execution keeps, per workflow (`workflows.save_policy`):
 * - `all`: everything recorded (node inputs and outputs, trigger payload); node inputs — what each
 *   node was given, see ExecutionRun.noteInput — are recorded for every node only under this policy,
 *   and for failed nodes under every policy;
 * - `outputs` (default): failed runs keep everything; successful runs drop node inputs;
 * - `failures`: failed runs keep everything; successful runs keep metadata only (status, timings,
 *   node statuses, routes, errors, token counts) — no node inputs/outputs and no trigger payload;
 * - `metadata`: never payloads, whatever the outcome.
 * Cancelled runs count as failed. The final output is always kept (capped by MAX_STORED_PAYLOAD_BYTES):
 * it is the result callers read after the run (status polling, webhook wait mode, parent executions).
 * The policy is applied once the execution is finished: while it runs (and when it resumes after a
 * wait) the engine needs the stored outputs. The trigger payload is capped at the same moment.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { fromJson, toJson } from '../db/values.js';
import { maxStoredPayloadBytes, storedJson } from './stored-payload.js';

export const SAVE_POLICIES = ['all', 'outputs', 'failures', 'metadata'] as const;
export type SavePolicy = (typeof SAVE_POLICIES)[number];
export const DEFAULT_SAVE_POLICY: SavePolicy = 'outputs';

/** Metadata keys that carry payloads rather than bookkeeping. */
const PAYLOAD_METADATA_KEYS = ['final_output', 'final_output_ref', 'outputs', 'resume_input'];

export function toSavePolicy(value: unknown): SavePolicy {
  return SAVE_POLICIES.includes(value as SavePolicy) ? (value as SavePolicy) : DEFAULT_SAVE_POLICY;
}

/** What to drop for one finished execution, or null when everything stays. */
export function payloadsToDrop(
  policy: SavePolicy,
  status: string,
): { inputs: boolean; outputs: boolean } | null {
  const succeeded = status === 'completed';
  if (policy === 'all') return null;
  if (policy === 'metadata') return { inputs: true, outputs: true };
  if (!succeeded) return null;
  return policy === 'failures' ? { inputs: true, outputs: true } : { inputs: true, outputs: false };
}

/**
 * The trigger payload is the execution's input — the engine reads it from the row on every start and
 * resume — so it is stored whole while the execution runs and capped once it has finished.
 */
async function capTriggerPayload(db: Kysely<Database>, executionId: string): Promise<void> {
  const full = await db
    .selectFrom('executions')
    .select('trigger_payload')
    .where('execution_id', '=', executionId)
    .executeTakeFirst();
  if (!full) return;
  const capped = storedJson(fromJson(full.trigger_payload, {}));
  if (capped.length < full.trigger_payload.length) {
    await db
      .updateTable('executions')
      .set({ trigger_payload: capped })
      .where('execution_id', '=', executionId)
      .execute();
  }
}

/** What the engine already knows about a finishing execution, so nothing has to be read back. */
export interface SavePolicyHint {
  policy: SavePolicy;
  status: string;
  /** Length of the stored trigger payload, in characters. */
  triggerPayloadChars: number;
  /** Whether any of its node rows were written with an input. */
  nodeInputsStored: boolean;
}

/** The same facts, read from the database (for callers outside the engine's run). */
async function readHint(db: Kysely<Database>, executionId: string): Promise<SavePolicyHint | undefined> {
  const row = await db
    .selectFrom('executions')
    .innerJoin('workflows', 'workflows.id', 'executions.workflow_id')
    .select([
      'executions.status',
      'workflows.save_policy',
      sql<number>`length(executions.trigger_payload)`.as('payload_chars'),
    ])
    .where('executions.execution_id', '=', executionId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    policy: toSavePolicy(row.save_policy),
    status: row.status,
    triggerPayloadChars: Number(row.payload_chars),
    // Not known without reading the rows; assume so, the update finds none otherwise.
    nodeInputsStored: true,
  };
}

/**
 * Whether applySavePolicy would write anything for an execution the engine describes with `hint`
 * (without one it has to read the rows, so it might). Lets a finish that writes nothing else skip
 * its transaction.
 */
export function savePolicyWrites(hint: SavePolicyHint | undefined): boolean {
  if (!hint) return true;
  const drop = payloadsToDrop(hint.policy, hint.status);
  if (!drop?.outputs && hint.triggerPayloadChars * 3 > maxStoredPayloadBytes()) return true;
  if (!drop) return false;
  return drop.outputs || hint.nodeInputsStored;
}

/**
 * Applies the workflow's save policy to a finished execution's stored rows. Call it inside the
 * transaction that finishes the execution (finishExecution does).
 */
export async function applySavePolicy(
  db: Kysely<Database>,
  executionId: string,
  hint?: SavePolicyHint,
): Promise<void> {
  const known = hint ?? (await readHint(db, executionId));
  if (!known) return;
  const drop = payloadsToDrop(known.policy, known.status);
  if (!drop?.outputs && known.triggerPayloadChars * 3 > maxStoredPayloadBytes()) {
    await capTriggerPayload(db, executionId);
  }
  if (!drop) return;
  if (!drop.outputs) {
    if (!known.nodeInputsStored) return;
    await db
      .updateTable('execution_nodes')
      .set({ input: null })
      .where('execution_id', '=', executionId)
      .where('input', 'is not', null)
      .execute();
    return;
  }
  await db
    .updateTable('execution_nodes')
    .set({ input: null, output: null })
    .where('execution_id', '=', executionId)
    .where((eb) => eb.or([eb('input', 'is not', null), eb('output', 'is not', null)]))
    .execute();
  const withMeta = await db
    .selectFrom('execution_nodes')
    .select(['id', 'metadata'])
    .where('execution_id', '=', executionId)
    .where('metadata', 'is not', null)
    .execute();
  for (const r of withMeta) {
    const meta = fromJson<Record<string, unknown>>(r.metadata, {});
    if (!PAYLOAD_METADATA_KEYS.some((k) => k in meta)) continue;
    for (const k of PAYLOAD_METADATA_KEYS) delete meta[k];
    await db
      .updateTable('execution_nodes')
      .set({ metadata: Object.keys(meta).length ? toJson(meta) : null })
      .where('id', '=', r.id)
      .execute();
  }
  await db
    .updateTable('executions')
    .set({ trigger_payload: '{}' })
    .where('execution_id', '=', executionId)
    .execute();
}
