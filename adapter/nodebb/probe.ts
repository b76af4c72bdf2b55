import { packageInfo } from '../../shared/package-info'
import type { FastifyInstance } from 'fastify'
import { isApiError } from '../../shared/errors'
import { UpstreamUnavailableError, type UnavailableKind } from './answer'
import { nodebbPaths } from './paths'

export const pluginName = packageInfo.name

export type ProbeResult =
  | { ok: true, version: string }
  | { ok: false, kind: UnavailableKind | 'error', reason: string }

/**
 * One call to the plugin's status route with the master token, no retries: is NodeBB reachable,
 * does it take the token, is the plugin active? Used by /ready and the start-up check.
 */
export async function probeNodebb (fastify: FastifyInstance): Promise<ProbeResult> {
  try {
    const status = await fastify.nodebb.call<{ plugin?: unknown, version?: unknown }>('GET', nodebbPaths.status, { uid: fastify.config.NODEBB_SERVICE_UID, retries: 0 })
    if (status?.plugin !== pluginName) return { ok: false, kind: 'plugin-missing', reason: `NodeBB's status route did not name ${pluginName}` }
    return { ok: true, version: String(status.version) }
  } catch (err) {
    if (err instanceof UpstreamUnavailableError) return { ok: false, kind: err.kind, reason: err.reason }
    return { ok: false, kind: 'error', reason: `the status route failed: ${isApiError(err) ? err.code : 'unexpected error'}` }
  }
}

/** Redis: 'ok', 'disabled' (no REDIS_URL) or why not. */
export async function probeRedis (fastify: FastifyInstance): Promise<string> {
  if (fastify.redis === null) return 'disabled'
  try {
    await fastify.redis.ping()
    return 'ok'
  } catch (err) {
    return `cannot reach Redis: ${err instanceof Error ? err.message : String(err)}`
  }
}
