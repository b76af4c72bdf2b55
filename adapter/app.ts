import fp from 'fastify-plugin'
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import envelope, { frameworkErrors } from './plugins/envelope'
import metricsPlugin from './plugins/metrics'
import redisPlugin from './plugins/redis'
import nodebbClient from './plugins/nodebb-client'
import idempotency from './plugins/idempotency'
import rateLimit from './plugins/rate-limit'
import swaggerPlugin from './plugins/swagger'
import authPlugin from './plugins/auth'
import actorPlugin from './plugins/actor'
import security from './plugins/security'
import healthRoutes from './routes/health'
import operationsRoutes from './routes/operations'
import userRoutes from './routes/user'
import forumRoutes from './routes/forum'
import activityRoutes from './routes/activity'
import notificationRoutes from './routes/notification'
import discussionRoutes from './discussion/routes'
import { referencedSchemas } from '../shared/schemas/forum'
import { trustProxy, type Config } from './config'
import { routerOptions } from './router-options'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

export interface AppOptions {
  config: Config
}

/** Options for Fastify itself that the app relies on (validation semantics, limits, ids). */
export function fastifyOptions (config: Config) {
  return {
    bodyLimit: config.BODY_LIMIT,
    // refuse __proto__ / constructor.prototype keys rather than silently stripping them
    onProtoPoisoning: 'error' as const,
    onConstructorPoisoning: 'error' as const,
    ajv: {
      customOptions: {
        // unknown fields are an error, not silently dropped; "1" is not a number
        removeAdditional: false as const,
        coerceTypes: false as const,
        useDefaults: true,
        allErrors: false
      }
    },
    routerOptions,
    trustProxy: trustProxy(config.TRUST_PROXY),
    // a malformed URL or an over-long path parameter answers in the envelope too
    frameworkErrors,
    // the caller's x-request-id when it is a sane one (it lands in logs), else a new one; echoed back.
    // Not `requestIdHeader`: Fastify takes that header as it comes and never calls genReqId for it
    requestIdHeader: false as const,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID()
    }
  }
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The whole adapter as one Fastify plugin; server.ts and the tests both register it. It is not
 * encapsulated, so its error handler and hooks also cover routes a test adds beside it.
 */
async function app (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  const f = fastify.withTypeProvider<TypeBoxTypeProvider>()
  f.decorate('config', opts.config)
  for (const schema of referencedSchemas) f.addSchema(schema)
  await f.register(envelope)
  await f.register(metricsPlugin)
  await f.register(redisPlugin)
  await f.register(nodebbClient)
  await f.register(authPlugin)
  await f.register(actorPlugin)
  await f.register(idempotency)
  await f.register(security)
  await f.register(swaggerPlugin)
  await f.register(healthRoutes)
  await f.register(operationsRoutes)
  // the Sunbird API under the gateway's prefix, and the discussion passthrough under its own;
  // operations routes stay at the root
  await f.register(async (api) => {
    await api.register(rateLimit)
    // limits and both tokens are checked before the body is even read
    api.addHook('onRequest', api.limitByAddress)
    api.addHook('onRequest', async (request) => { await api.authenticate(request) })
    api.addHook('onRequest', api.limitByConsumer)
    await api.register(async (sunbird) => {
      await sunbird.register(userRoutes)
      await sunbird.register(forumRoutes)
      await sunbird.register(activityRoutes)
      await sunbird.register(notificationRoutes)
    }, { prefix: opts.config.ROUTE_PREFIX })
    await api.register(discussionRoutes, { prefix: opts.config.DISCUSSION_PREFIX })
  })
}

export default fp(app, { name: 'sunbird-adapter', fastify: '5.x' })
