import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../../shared/errors'
import { RedisRateLimitStore } from '../rate-limit-store'

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests per client address (RATE_LIMIT_ADDRESS_MAX), before the tokens are checked: bad-token floods are limited too. */
    limitByAddress: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** Requests per API consumer (RATE_LIMIT_MAX), once the API token named it. */
    limitByConsumer: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

/**
 * Two limits on the /api routes, shared across replicas through Redis when it is configured: per
 * client address first (behind a proxy, set TRUST_PROXY so the address is the client's), then per
 * API consumer after authentication, so that key is the verified consumer, not something a client
 * can vary.
 */
async function rateLimitPlugin (fastify: FastifyInstance): Promise<void> {
  const config = fastify.config
  const redis = fastify.redis
  await fastify.register(rateLimit, {
    global: false,
    timeWindow: config.RATE_LIMIT_WINDOW_MS,
    ...(redis === null ? {} : { store: RedisRateLimitStore.factory(redis, `${config.REDIS_KEY_PREFIX}ratelimit:`) }),
    // a store error must not lock everyone out: Redis down means no limit, logged
    skipOnError: true
  })
  // two counters on one request: createRateLimit (rather than rateLimit, which runs once per request)
  const limiter = (max: number, key: (request: FastifyRequest) => string) => {
    const count = fastify.createRateLimit({ max, keyGenerator: key })
    return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const state = await count(request)
      if (state.isAllowed || !state.isExceeded) return
      reply.header('retry-after', state.ttlInSeconds)
      throw new ApiError('RATE_LIMITED', `Too many requests: ${state.max} per ${Math.round(config.RATE_LIMIT_WINDOW_MS / 1000)} s; retry after ${state.ttlInSeconds} s`)
    }
  }
  fastify.decorate('limitByAddress', limiter(config.RATE_LIMIT_ADDRESS_MAX, (request) => `address:${request.ip}`))
  fastify.decorate('limitByConsumer', limiter(config.RATE_LIMIT_MAX, (request) => `consumer:${request.caller?.consumer ?? request.ip}`))
}

export default fp(rateLimitPlugin, { name: 'rate-limit', fastify: '5.x', dependencies: ['redis'] })
