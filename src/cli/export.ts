import { loadSettings } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { exportWorkflowYaml } from '../workflows/dsl/export.js';
import { findVisibleWorkflow, loadWorkflowDetail } from '../workflows/graph.js';
import { cliUser } from './workflow-user.js';

/** `pipelit export SLUG [--user NAME]`: the workflow as DSL YAML on stdout. */
export async function exportCommand(slug: string, opts: { user?: string }): Promise<void> {
  const database = openDatabase(loadSettings().database);
  try {
    await migrateToLatest(database);
    const user = await cliUser(database.db, opts.user);
    const wf = await findVisibleWorkflow(database.db, user, slug);
    const graph = await loadWorkflowDetail(database.db, Number(wf.id));
    if (graph) process.stdout.write(exportWorkflowYaml(graph));
  } finally {
    await database.close();
  }
}
