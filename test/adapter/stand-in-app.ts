import type { FastifyInstance, InjectOptions } from 'fastify'
import { build, testConfig, type BuildOptions, type EnvelopeBody } from '../helper'
import type { Config } from '../../adapter/config'
import { startStandIn, type StandIn } from './nodebb-stand-in'
import { adminHeaders } from '../tokens'

interface Teardown {
  teardown: (fn: () => unknown) => void
}

export interface AppWithStandIn {
  app: FastifyInstance
  nodebb: StandIn
  /** Requests that reached the stand-in since the last call to `reset`. */
  reached: () => number
  reset: () => void
  /** inject, with the envelope parsed. */
  send: (options: InjectOptions) => Promise<{ status: number, body: EnvelopeBody, headers: Record<string, unknown>, raw: string }>
}

/** The adapter wired to a fresh NodeBB stand-in (real HTTP on 127.0.0.1), both closed on teardown. */
export interface StandInAppOptions {
  /** Fastify logger options, e.g. `{ level: 'trace', stream }` to capture lines. */
  logger?: object
}

export async function appWithStandIn (t: Teardown, overrides: Partial<Record<keyof Config, string>> = {}, options: StandInAppOptions = {}): Promise<AppWithStandIn> {
  const nodebb = await startStandIn()
  t.teardown(() => nodebb.close())
  const config = testConfig({
    NODEBB_URL: nodebb.url,
    NODEBB_TOKEN: nodebb.token,
    NODEBB_SERVICE_UID: String(nodebb.admin),
    // generous: on a busy machine a read of the stand-in can take seconds; a test about timeouts sets its own
    NODEBB_TIMEOUT_MS: '30000',
    ...overrides
  })
  const app = await build(t, { config, ...(options.logger === undefined ? {} : { logger: options.logger as BuildOptions['logger'] }) })
  let mark = 0
  return {
    app,
    nodebb,
    reached: () => nodebb.calls.length - mark,
    reset: () => { mark = nodebb.calls.length },
    send: async (opts) => {
      // calls carry the test consumer's API token and an admin-role user token unless a test says otherwise
      const res = await app.inject({ ...opts, headers: { ...adminHeaders(), ...opts.headers } })
      let body: EnvelopeBody
      try {
        body = res.json() as EnvelopeBody
      } catch {
        body = { params: {} } as unknown as EnvelopeBody
      }
      return { status: res.statusCode, body, headers: res.headers, raw: res.body }
    }
  }
}
