import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import app, { fastifyOptions } from '../adapter/app'
import { loadConfig, type Config } from '../adapter/config'
import { authConfig } from './tokens'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

/** A config for tests: defaults, keys made at test time (test/tokens.ts), no .env file, overridden per test. */
export function testConfig (overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig({ env: { LOG_LEVEL: 'silent', ...authConfig(), ...overrides }, dotenvPath: null })
}

export interface BuildOptions {
  config?: Config
  /** Runs before ready(), e.g. to add a route that throws. */
  before?: (fastify: FastifyInstance) => void | Promise<void>
  /** Fastify logger options, e.g. `{ level: 'trace', stream }` to capture lines. */
  logger?: FastifyServerOptions['logger']
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
