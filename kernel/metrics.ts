/** A small Prometheus text-format registry: counters and gauges with labels. */
type Labels = Record<string, string>;

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
  collect?: () => number;
}

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort());
const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class Metrics {
  readonly #metrics = new Map<string, Metric>();

  #get(name: string, help: string, type: Metric['type']): Metric {
    let m = this.#metrics.get(name);
    if (!m) {
      m = { name, help, type, values: new Map() };
      this.#metrics.set(name, m);
    }
    return m;
  }

  counter(name: string, help: string) {
    const m = this.#get(name, help, 'counter');
    return {
      inc: (labels: Labels = {}, by = 1) => {
        const k = key(labels);
        const cur = m.values.get(k);
        if (cur) cur.value += by;
        else m.values.set(k, { labels, value: by });
      },
    };
  }

  /** A gauge read at scrape time. */
  gauge(name: string, help: string, collect: () => number): void {
    const m = this.#get(name, help, 'gauge');
    m.collect = collect;
  }

  value(name: string, labels: Labels = {}): number {
    const m = this.#metrics.get(name);
    if (!m) return 0;
    if (m.collect) return m.collect();
    return m.values.get(key(labels))?.value ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const m of this.#metrics.values()) {
      lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
      if (m.collect) {
        lines.push(`${m.name} ${m.collect()}`);
        continue;
      }
      if (m.values.size === 0) lines.push(`${m.name} 0`);
      for (const { labels, value } of m.values.values()) {
        const l = Object.entries(labels)
          .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
          .join(',');
        lines.push(`${m.name}${l ? `{${l}}` : ''} ${value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}
