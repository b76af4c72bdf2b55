/**
 * A minimal Prometheus registry: counters and histograms with labels, rendered in the text
 * exposition format (0.0.4). Written here rather than taken from prom-client: the adapter needs two
 * metric kinds and no default process collectors, and this keeps the dependency tree unchanged.
 */

type Labels<L extends string> = Record<L, string>

function escapeLabel (value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function renderLabels (names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const pairs = names.map((name, i) => `${name}="${escapeLabel(values[i] ?? '')}"`)
  if (extra !== undefined) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`)
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`
}

function formatNumber (n: number): string {
  if (n === Infinity) return '+Inf'
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)))
}

interface Metric {
  render: () => string
}

export class Counter<L extends string> implements Metric {
  private readonly series = new Map<string, { values: string[], count: number }>()

  constructor (readonly name: string, readonly help: string, readonly labelNames: readonly L[]) {}

  inc (labels: Labels<L>, by = 1): void {
    const values = this.labelNames.map((n) => labels[n])
    const key = values.join('\u0000')
    const entry = this.series.get(key)
    if (entry === undefined) this.series.set(key, { values, count: by })
    else entry.count += by
  }

  /** The current count for one label set (0 if never incremented). */
  get (labels: Labels<L>): number {
    return this.series.get(this.labelNames.map((n) => labels[n]).join('\u0000'))?.count ?? 0
  }

  render (): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`]
    for (const { values, count } of this.series.values()) lines.push(`${this.name}${renderLabels(this.labelNames, values)} ${formatNumber(count)}`)
    return lines.join('\n')
  }
}

export class Histogram<L extends string> implements Metric {
  private readonly series = new Map<string, { values: string[], buckets: number[], sum: number, count: number }>()

  constructor (readonly name: string, readonly help: string, readonly labelNames: readonly L[], readonly bounds: readonly number[]) {}

  observe (labels: Labels<L>, value: number): void {
    const values = this.labelNames.map((n) => labels[n])
    const key = values.join('\u0000')
    let entry = this.series.get(key)
    if (entry === undefined) {
      entry = { values, buckets: this.bounds.map(() => 0), sum: 0, count: 0 }
      this.series.set(key, entry)
    }
    this.bounds.forEach((bound, i) => { if (value <= bound) (entry.buckets[i] as number)++ })
    entry.sum += value
    entry.count++
  }

  render (): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    for (const { values, buckets, sum, count } of this.series.values()) {
      this.bounds.forEach((bound, i) => lines.push(`${this.name}_bucket${renderLabels(this.labelNames, values, ['le', formatNumber(bound)])} ${buckets[i] ?? 0}`))
      lines.push(`${this.name}_bucket${renderLabels(this.labelNames, values, ['le', '+Inf'])} ${count}`)
      lines.push(`${this.name}_sum${renderLabels(this.labelNames, values)} ${formatNumber(sum)}`)
      lines.push(`${this.name}_count${renderLabels(this.labelNames, values)} ${count}`)
    }
    return lines.join('\n')
  }
}

export class Registry {
  private readonly metrics: Metric[] = []

  counter<L extends string> (name: string, help: string, labelNames: readonly L[]): Counter<L> {
    const metric = new Counter(name, help, labelNames)
    this.metrics.push(metric)
    return metric
  }

  histogram<L extends string> (name: string, help: string, labelNames: readonly L[], bounds: readonly number[]): Histogram<L> {
    const metric = new Histogram(name, help, labelNames, bounds)
    this.metrics.push(metric)
    return metric
  }

  render (): string {
    return this.metrics.map((m) => m.render()).join('\n') + '\n'
  }
}

/** The adapter's own metrics. */
export function adapterMetrics () {
  const registry = new Registry()
  return {
    registry,
    requests: registry.counter('sunbird_adapter_requests_total', 'Requests answered, by route and outcome (status class and params.err)', ['method', 'route', 'status', 'err'] as const),
    nodebb: registry.histogram('sunbird_adapter_nodebb_request_duration_seconds', 'Write API calls to NodeBB: latency by plugin route and outcome (ok, a catalogue code, or why NodeBB was unavailable)', ['method', 'route', 'outcome'] as const, [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
    idempotency: registry.counter('sunbird_adapter_idempotency_total', 'Writes with a msgid: executed, replayed, still in progress, refused as a conflict, or refused because the store was unavailable', ['outcome'] as const)
  }
}

export type AdapterMetrics = ReturnType<typeof adapterMetrics>
