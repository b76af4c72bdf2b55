import type { FastifyInstance } from 'fastify'
import { probeNodebb, type ProbeResult } from './nodebb/probe'

/**
 * Once, after listen: says clearly, at error level, what stops the adapter from using NodeBB. The
 * adapter keeps running either way: /health answers, /ready reports NodeBB down, and calls work
 * as soon as NodeBB does.
 */
export async function checkNodebbAtStart (fastify: FastifyInstance): Promise<ProbeResult> {
  const log = fastify.log
  const where = fastify.nodebb.where
  if (fastify.config.NODEBB_TOKEN === '') log.error('NODEBB_TOKEN is not set: NodeBB will refuse every call (create a master token in ACP > Settings > API Access)')
  const result = await probeNodebb(fastify)
  if (result.ok) {
    log.info({ nodebb: where, plugin: result.version }, `NodeBB at ${where} takes the master token; plugin version ${result.version}`)
    return result
  }
  const suffix = 'the adapter keeps running; /ready reports NodeBB as down until this is fixed'
  switch (result.kind) {
    case 'token-refused':
      log.error({ nodebb: where }, `NodeBB refused the master token: check NODEBB_TOKEN (a master token, uid 0); ${suffix}`)
      break
    case 'unreachable':
    case 'timeout':
      log.error({ nodebb: where, reason: result.reason }, `cannot reach NodeBB at ${where}: ${result.reason}; ${suffix}`)
      break
    case 'plugin-missing':
      log.error({ nodebb: where, reason: result.reason }, `NodeBB at ${where} answers but the plugin does not: ${result.reason}; ${suffix}`)
      break
    default:
      log.error({ nodebb: where, reason: result.reason }, `NodeBB at ${where} is not usable: ${result.reason}; ${suffix}`)
  }
  return result
}
