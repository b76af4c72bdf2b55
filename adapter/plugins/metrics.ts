import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { adapterMetrics, type AdapterMetrics } from '../metrics'

declare module 'fastify' {
  interface FastifyRequest {
    /** The route label for metrics when the route template says too little (the passthrough's allow-list row). */
    metricRoute: string | null
  }
  interface FastifyInstance {
    /** The adapter's Prometheus metrics (rendered at GET /metrics). */
    metrics: AdapterMetrics
  }
}

/** Counts every answered request by route template (never the raw URL: ids would explode the series) and outcome. */
async function metricsPlugin (fastify: FastifyInstance): Promise<void> {
  const metrics = adapterMetrics()
  fastify.decorate('metrics', metrics)
  fastify.decorateRequest('metricRoute', null)
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.requests.inc({
      method: request.method,
      route: request.metricRoute ?? request.routeOptions.url ?? 'unmatched',
      status: `${Math.floor(reply.statusCode / 100)}xx`,
      err: reply.errCode ?? ''
    })
  })
}

export default fp(metricsPlugin, { name: 'metrics', fastify: '5.x', dependencies: ['envelope'] })
