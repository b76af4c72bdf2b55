import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'

/**
 * The adapter's Prometheus metrics, through prom-client: its own counters and histogram (names and
 * labels unchanged since they were hand-written) plus prom-client's default process metrics (event
 * loop lag, heap, CPU, handles, GC), which an operator wants beside them and which are not worth
 * writing again.
 */

/**
 * The process metrics, collected once per process: each collector set starts its own event loop
 * monitor and GC observer, and the tests build hundreds of apps in one process.
 */
let processRegistry: Registry | undefined
function processMetrics (): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}

/** The adapter's own metrics, one set per app, rendered with the process metrics. */
export function adapterMetrics () {
  const own = new Registry()
  const requests = new Counter({ name: 'sunbird_adapter_requests_total', help: 'Requests answered, by route and outcome (status class and params.err)', labelNames: ['method', 'route', 'status', 'err'] as const, registers: [own] })
  const nodebb = new Histogram({ name: 'sunbird_adapter_nodebb_request_duration_seconds', help: 'Write API calls to NodeBB: latency by plugin route and outcome (ok, a catalogue code, or why NodeBB was unavailable)', labelNames: ['method', 'route', 'outcome'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [own] })
  const idempotency = new Counter({ name: 'sunbird_adapter_idempotency_total', help: 'Writes with a msgid: executed, replayed, still in progress, refused as a conflict, or refused because the store was unavailable', labelNames: ['outcome'] as const, registers: [own] })
  const all = Registry.merge([own, processMetrics()])
  return {
    requests,
    nodebb,
    idempotency,
    contentType: all.contentType,
    /** The exposition text (0.0.4) of every metric. */
    render: async (): Promise<string> => await all.metrics()
  }
}

export type AdapterMetrics = ReturnType<typeof adapterMetrics>
