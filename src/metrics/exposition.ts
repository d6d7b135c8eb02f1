/**
 * A small writer for the Prometheus text format, for the cluster-wide values the answering process
 * computes at scrape time (database counts, queue depth, counters kept in Redis). Per-process values
 * use prom-client objects instead (see registry.ts).
 */

export type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  if (n === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(n);
}

export interface HistogramSeries {
  labels: Labels;
  /** Non-cumulative counts, one per bucket bound, plus one for +Inf at the end. */
  counts: number[];
  sum: number;
}

export class Exposition {
  private readonly lines: string[] = [];

  private header(name: string, type: string, help: string): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }

  /** A gauge or counter family; an empty `samples` list still announces the family. */
  family(
    name: string,
    type: 'gauge' | 'counter',
    help: string,
    samples: Array<{ labels?: Labels; value: number }>,
  ): this {
    this.header(name, type, help);
    for (const s of samples) this.lines.push(`${name}${labelText(s.labels ?? {})} ${numberText(s.value)}`);
    return this;
  }

  histogram(name: string, help: string, bounds: readonly number[], series: HistogramSeries[]): this {
    this.header(name, 'histogram', help);
    for (const s of series) {
      let running = 0;
      bounds.forEach((le, i) => {
        running += s.counts[i] ?? 0;
        this.lines.push(`${name}_bucket${labelText({ ...s.labels, le: numberText(le) })} ${running}`);
      });
      running += s.counts[bounds.length] ?? 0;
      this.lines.push(`${name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${running}`);
      this.lines.push(`${name}_sum${labelText(s.labels)} ${numberText(s.sum)}`);
      this.lines.push(`${name}_count${labelText(s.labels)} ${running}`);
    }
    return this;
  }

  text(): string {
    return this.lines.length ? `${this.lines.join('\n')}\n` : '';
  }
}
