import fp from 'fastify-plugin'
import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError, isErrorCode } from '../../shared/errors'
import { maxRetries } from './nodebb-client'
import { MemoryIdempotencyStore } from '../idempotency/memory-store'
import { RedisIdempotencyStore } from '../idempotency/redis-store'
import { fingerprint, type IdempotencyStore } from '../idempotency/store'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A write: a repeated `params.msgid` replays the first answer instead of writing again. */
    idempotent?: boolean
  }
  interface FastifyInstance {
    idempotency: IdempotencyStore
  }
  interface FastifyRequest {
    /** Set while this request owns its msgid's record. */
    idempotencyClaim: { key: string, marker: string, fingerprint: string } | null
  }
}

/** Header on a replayed answer. */
export const replayHeader = 'idempotent-replayed'

/**
 * Outcomes stored for replay: successes and client errors that a retry would get again. Not 5xx
 * (a retry may succeed), nor 408/429 or a CONFLICT (transient: another request held the forum).
 */
function storable (reply: FastifyReply): boolean {
  const status = reply.statusCode
  if (status >= 200 && status < 300) return true
  return status >= 400 && status < 500 && status !== 408 && status !== 429 && reply.errCode !== 'CONFLICT' && reply.errCode !== 'IN_PROGRESS' && reply.errCode !== 'RATE_LIMITED'
}

/** A duplicate waits this long for the first request to finish before it is told IN_PROGRESS. */
const duplicateWaitMs = 3000
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A record per API consumer, route, acting user and msgid (DESIGN, State): one consumer or user
 * cannot replay, or block, another's msgid, and a msgid passed along a chain of calls for tracing
 * is a new request on each route.
 */
function keyOf (request: FastifyRequest, msgid: string): string {
  const parts = [request.caller?.consumer ?? '-', request.method, request.routeOptions.url ?? '', request.sunbirdUser?.subject ?? '-', msgid]
  return `idempotency:${createHash('sha256').update(parts.join('\n')).digest('base64url')}`
}

/**
 * Writes with `params.msgid` run at most once per msgid within IDEMPOTENCY_TTL_SECONDS: the fast
 * path in front of the plugin's own records (which decide when this store does not know, e.g.
 * after a timeout or across adapters that share no Redis). A repeat with the same request gets the
 * first answer byte for byte (same resmsgid and ets, plus the `idempotent-replayed: true` header)
 * and reaches no NodeBB; a repeat while the first still runs waits for it (bounded), then is 409
 * IN_PROGRESS; a repeat with another request is 409 CONFLICT. Neither a 503 nor a timeout is
 * stored, so a retry reaches the plugin. When the store is down, such writes are 503: running them
 * unguarded could write twice. A write without a msgid cannot be made exactly-once: each consumer
 * that sends one is warned about, once.
 */
async function idempotencyPlugin (fastify: FastifyInstance): Promise<void> {
  const config = fastify.config
  const store: IdempotencyStore = fastify.redis === null
    ? new MemoryIdempotencyStore()
    : new RedisIdempotencyStore(fastify.redis, config.REDIS_KEY_PREFIX)
  const ttlMs = config.IDEMPOTENCY_TTL_SECONDS * 1000
  // the longest a request can run: its own timeout, or every NodeBB attempt
  // (a write is never re-sent once it may have reached NodeBB: one write deadline)
  const leaseMs = Math.max(config.REQUEST_TIMEOUT_MS, config.NODEBB_WRITE_TIMEOUT_MS, (maxRetries + 1) * config.NODEBB_TIMEOUT_MS) + 5000
  const warnedConsumers = new Set<string>()
  const counter = fastify.metrics.idempotency
  fastify.decorate('idempotency', store)
  fastify.decorateRequest('idempotencyClaim', null)

  fastify.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.config.idempotent !== true) return
    if (request.msgid === null) {
      const consumer = request.caller?.consumer ?? '-'
      if (!warnedConsumers.has(consumer) && warnedConsumers.size < 10_000) {
        warnedConsumers.add(consumer)
        request.log.warn({ consumer }, 'a write without params.msgid: it cannot be made exactly-once (a retry after a timeout may write twice); send a msgid with every write')
      }
      return
    }
    const msgid = request.msgid
    // the route template plus its params, not the raw URL: a trailing slash or an encoding does not make another request
    const print = fingerprint(request.method, request.routeOptions.url ?? '', { params: request.params, request: (request.body as { request?: unknown } | undefined)?.request })
    let claim
    try {
      claim = await store.claim(keyOf(request, msgid), print, leaseMs)
      // the same request still running elsewhere: wait for it a little rather than answer at once
      for (const started = Date.now(); claim.kind === 'pending' && claim.fingerprint === print && Date.now() - started < duplicateWaitMs;) {
        await sleep(100)
        claim = await store.claim(keyOf(request, msgid), print, leaseMs)
      }
    } catch (err) {
      counter.inc({ outcome: 'unavailable' })
      request.log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'idempotency store unavailable: refusing a write with a msgid')
      throw new ApiError('UPSTREAM_UNAVAILABLE')
    }
    if (claim.kind === 'claimed') {
      request.idempotencyClaim = { key: keyOf(request, msgid), marker: claim.marker, fingerprint: print }
      counter.inc({ outcome: 'executed' })
      return
    }
    if (claim.kind === 'done' && claim.fingerprint === print) {
      counter.inc({ outcome: 'replayed' })
      request.log.info({ status: claim.response.status }, 'replaying the answer to an earlier request with this msgid')
      reply.errCode = isErrorCode(claim.response.err) ? claim.response.err : null
      return reply.code(claim.response.status).type('application/json; charset=utf-8').header(replayHeader, 'true').send(claim.response.body)
    }
    if (claim.kind === 'pending' && claim.fingerprint === print) {
      counter.inc({ outcome: 'in-progress' })
      reply.header('retry-after', '1')
      throw new ApiError('IN_PROGRESS', `A request with msgid ${msgid} is still running; retry with the same msgid in a moment`, { retryAfterMs: 1000 })
    }
    counter.inc({ outcome: 'conflict' })
    throw new ApiError('CONFLICT', `msgid ${msgid} was already used for a different request`)
  })

  fastify.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim
    if (claim === null) return payload
    request.idempotencyClaim = null
    try {
      if (storable(reply) && typeof payload === 'string') {
        await store.complete(claim.key, claim.marker, claim.fingerprint, { status: reply.statusCode, body: payload, err: reply.errCode }, ttlMs)
      } else {
        await store.release(claim.key, claim.marker)
      }
    } catch (err) {
      // the write is done and cannot be undone: answer it, and say that a retry may run it again
      request.log.error({ err: { message: (err as Error).message } }, 'could not record the answer for this msgid; a retry may run the write again')
    }
    return payload
  })

  // an answer that never reached onSend (a hook failed, the client went away) frees its msgid
  fastify.addHook('onResponse', async (request) => {
    const claim = request.idempotencyClaim
    if (claim === null) return
    request.idempotencyClaim = null
    await store.release(claim.key, claim.marker).catch(() => {})
  })
}

export default fp(idempotencyPlugin, { name: 'idempotency', fastify: '5.x', dependencies: ['envelope', 'metrics', 'redis'] })
