import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { apiIds } from '../../shared/envelope'
import { ApiError } from '../../shared/errors'
import { responseEnvelope } from '../../shared/schemas/common'
import { probeNodebb, probeRedis } from '../nodebb/probe'

const Check = (what: string) => Type.Union([Type.Literal('ok'), Type.Literal('fail'), Type.Literal('disabled')], { description: what })
const ReadyResult = Type.Object({
  ready: Type.Boolean(),
  checks: Type.Object({
    nodebb: Check('`ok` when NodeBB answers the plugin\'s status route with the master token, else `fail` (why is logged)'),
    redis: Check('`ok`, `disabled` (no REDIS_URL: state in memory), or `fail` (why is logged)')
  })
})

/** Readiness and metrics, at the root (not under ROUTE_PREFIX): for the platform, not for Sunbird clients. */
const operationsRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/ready', {
    config: { apiId: apiIds.ready },
    schema: {
      tags: ['operations'],
      summary: 'Readiness',
      description: 'Ready when NodeBB answers the plugin\'s status route with the master token and, when configured, Redis answers. Otherwise 503 UPSTREAM_UNAVAILABLE with the same checks in `result`. Only `ok` / `fail` is answered (no addresses or error text: this route needs no token); why a check failed goes to the log.',
      response: {
        200: responseEnvelope(ReadyResult),
        503: responseEnvelope(ReadyResult, 'Not ready: `params.err` is UPSTREAM_UNAVAILABLE')
      }
    }
  }, async (request, reply) => {
    const [nodebb, redis] = await Promise.all([probeNodebb(fastify), probeRedis(fastify)])
    const checks = { nodebb: nodebb.ok ? 'ok' : 'fail', redis: redis === 'ok' || redis === 'disabled' ? redis : 'fail' } as const
    const ready = checks.nodebb === 'ok' && checks.redis !== 'fail'
    if (!ready) {
      request.log.warn({ nodebb: nodebb.ok ? 'ok' : nodebb.reason, redis }, 'not ready')
      throw new ApiError('UPSTREAM_UNAVAILABLE', undefined, { ready, checks })
    }
    return reply.envelope({ ready, checks })
  })

  fastify.get('/metrics', {
    schema: {
      tags: ['operations'],
      summary: 'Prometheus metrics',
      description: 'Requests by route and outcome; NodeBB call latency by plugin route and outcome; idempotency outcomes; the process (event loop lag, heap, CPU, GC: prom-client\'s defaults).',
      response: { 200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: Type.String() } } } }
    }
  }, async (_request, reply) => reply.type(fastify.metrics.contentType).send(await fastify.metrics.render()))
}

export default operationsRoutes
