/** Test helper: executions (and one node row each) written straight into the tables, fast. */
import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import type {
  ExecutionNodesTable,
  ExecutionStatus,
  ExecutionsTable,
} from '../../src/db/tables/executions.js';

/** Inserts executions straight into the table (500 per transaction), oldest first. */
export async function fill(
  db: Kysely<Database>,
  workflowId: number,
  count: number,
  status: (i: number) => ExecutionStatus,
  baseMs: number,
): Promise<void> {
  const payload = JSON.stringify({ text: 'x'.repeat(200) });
  for (let start = 0; start < count; start += 500) {
    const rows: Insertable<ExecutionsTable>[] = [];
    const nodes: Insertable<ExecutionNodesTable>[] = [];
    for (let i = start; i < Math.min(count, start + 500); i++) {
      const id = randomUUID();
      const at = new Date(baseMs + i * 1000).toISOString();
      rows.push({
        execution_id: id,
        workflow_id: workflowId,
        trigger_node_id: 'start',
        user_id: null,
        parent_execution_id: null,
        parent_node_id: null,
        root_execution_id: null,
        depth: 0,
        thread_id: id.replace(/-/g, ''),
        status: status(i),
        trigger_payload: payload,
        final_output: payload,
        error_message: null,
        error_code: null,
        created_at: at,
        started_at: at,
        completed_at: at,
        deadline_at: null,
        lease_owner: null,
        heartbeat_at: null,
        wake_at: null,
        recoveries: 0,
        total_input_tokens: 0,
        total_output_tokens: 0,
        total_tokens: 0,
        total_cost_usd: 0,
        llm_calls: 0,
      });
      nodes.push({
        execution_id: id,
        node_id: 'step',
        iteration: '',
        component_type: 'code',
        status: 'success' as const,
        input: null,
        output: payload,
        route: null,
        error: null,
        error_code: null,
        metadata: null,
        attempts: 1,
        started_at: at,
        completed_at: at,
        duration_ms: 1,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0,
        llm_calls: 0,
      });
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('executions').values(rows).execute();
      await trx.insertInto('execution_nodes').values(nodes).execute();
    });
  }
}
