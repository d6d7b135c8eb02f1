/** Executions and their durable per-node state (filled in by the execution engine). */
export type ExecutionTables = {};
