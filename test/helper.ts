import Fastify, { type FastifyInstance } from 'fastify'
import app, { fastifyOptions } from '../adapter/app'
import { loadConfig, type Config } from '../adapter/config'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

/** A config for tests: defaults, no .env file, overridden per test. */
export function testConfig (overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig({ env: { LOG_LEVEL: 'silent', ...overrides }, dotenvPath: null })
}

export interface BuildOptions {
  config?: Config
  /** Runs before ready(), e.g. to add a route that throws. */
  before?: (fastify: FastifyInstance) => void | Promise<void>
  logger?: Parameters<typeof Fastify>[0] extends infer O ? O extends { logger?: infer L } ? L : never : never
}

/** The adapter app, ready, closed when the test ends. */
export async function build (t: Teardown, options: BuildOptions = {}): Promise<FastifyInstance> {
  const config = options.config ?? testConfig()
  const fastify = Fastify({ ...fastifyOptions(config), logger: options.logger ?? false })
  await fastify.register(app, { config })
  if (options.before !== undefined) await options.before(fastify)
  await fastify.ready()
  t.teardown(() => fastify.close())
  return fastify
}

/** The `params` of an envelope as the tests read it. */
export interface EnvelopeBody {
  id: string
  ver: string
  ets: number
  params: { resmsgid: string, msgid: string | null, status: string, err: string | null, errmsg: string | null }
  responseCode: string
  result: Record<string, unknown>
}
