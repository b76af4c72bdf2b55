import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../../shared/errors'
import { RedisRateLimitStore } from '../rate-limit-store'

/**
 * Requests per API consumer (the API token's kid) per window, after authentication so the key is
 * the verified consumer, not something a client can vary. Shared across replicas through Redis
 * when it is configured.
 */
async function rateLimitPlugin (fastify: FastifyInstance): Promise<void> {
  const config = fastify.config
  const redis = fastify.redis
  await fastify.register(rateLimit, {
    global: true,
    hook: 'preParsing',
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_MS,
    keyGenerator: (request: FastifyRequest) => request.caller?.consumer ?? request.ip,
    ...(redis === null ? {} : { store: RedisRateLimitStore.factory(redis, `${config.REDIS_KEY_PREFIX}ratelimit:`) }),
    // a store error must not lock everyone out: Redis down means no limit, logged
    skipOnError: true,
    errorResponseBuilder: (_request, context) => new ApiError('RATE_LIMITED', `Too many requests: ${context.max} per ${context.after}`)
  })
}

export default fp(rateLimitPlugin, { name: 'rate-limit', fastify: '5.x', dependencies: ['auth'] })
