/** Execution retention overrides and the cluster-wide maintenance lease (migration 0007). */

export interface RetentionSettingsTable {
  /** Always 1: a single row of admin overrides. */
  id: number;
  /** null = the environment default applies; 0 = keep without limit. */
  days_success: number | null;
  days_failed: number | null;
  max_count_success: number | null;
  max_count_failed: number | null;
  updated_at: string | null;
  updated_by: number | null;
}

/** One row per periodic job that must run in only one process of the cluster at a time. */
export interface MaintenanceLeasesTable {
  name: string;
  owner: string;
  expires_at: string;
  last_run_at: string | null;
}

export interface RetentionTables {
  retention_settings: RetentionSettingsTable;
  maintenance_leases: MaintenanceLeasesTable;
}
