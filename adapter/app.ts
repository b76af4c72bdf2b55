import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import envelope from './plugins/envelope'
import swaggerPlugin from './plugins/swagger'
import healthRoutes from './routes/health'
import { referencedSchemas } from '../shared/schemas/forum'
import type { Config } from './config'

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
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 }
  }
}

/**
 * The whole adapter as one Fastify plugin; server.ts and the tests both register it. It is not
 * encapsulated, so its error handler and hooks also cover routes a test adds beside it.
 */
async function app (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  const f = fastify.withTypeProvider<TypeBoxTypeProvider>()
  f.decorate('config', opts.config)
  for (const schema of referencedSchemas) f.addSchema(schema)
  await f.register(envelope)
  await f.register(swaggerPlugin)
  await f.register(healthRoutes)
}

export default fp(app, { name: 'sunbird-adapter', fastify: '5.x' })
