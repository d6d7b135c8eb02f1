/**
 * Undo/redo over server-side edits. Each entry knows how to reverse and re-apply itself through the
 * API; entries keep their own notion of identity (node ids, edge ends) because edge ids change when an
 * edge is re-created.
 */
export interface HistoryEntry {
  label: string;
  undo(): Promise<void>;
  redo(): Promise<void>;
}

const LIMIT = 100;

export class EditHistory {
  private done: HistoryEntry[] = [];
  private undone: HistoryEntry[] = [];
  private listeners = new Set<() => void>();
  private version = 0;

  push(entry: HistoryEntry): void {
    this.done.push(entry);
    if (this.done.length > LIMIT) this.done.shift();
    this.undone = [];
    this.changed();
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  async undo(): Promise<void> {
    const entry = this.done.pop();
    if (!entry) return;
    try {
      await entry.undo();
      this.undone.push(entry);
    } finally {
      this.changed();
    }
  }

  async redo(): Promise<void> {
    const entry = this.undone.pop();
    if (!entry) return;
    try {
      await entry.redo();
      this.done.push(entry);
    } finally {
      this.changed();
    }
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getVersion(): number {
    return this.version;
  }

  private changed(): void {
    this.version += 1;
    for (const l of this.listeners) l();
  }
}
