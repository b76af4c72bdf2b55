import fp from 'fastify-plugin'
import { Pool } from 'undici'
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError, isApiError } from '../../shared/errors'
import type { Config } from '../config'
import type { AdapterMetrics } from '../metrics'
import { fillPath, pluginMount, type NodebbPath } from '../nodebb/paths'
import { callerHeaders } from '../../shared/plugin-paths'
import { interpretAnswer, mayHaveWritten, NodebbContractError, OutcomeUnknownError, transportError, UpstreamUnavailableError } from '../nodebb/answer'

export type NodebbMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

export interface NodebbCallOptions {
  /** The acting NodeBB uid, sent as `_uid` beside the master token. */
  uid: number
  /** Values for the template's `:name` segments (percent-encoded here). */
  params?: Record<string, string>
  /** Query parameters of a GET or DELETE (beside `_uid`). */
  query?: Record<string, string>
  /** The JSON body (POST, PATCH, PUT); `_uid` is added to it. */
  body?: Record<string, unknown>
  /**
   * The client request this call serves: its logger (lines carry its id and msgid), and what the
   * plugin is told of the caller (msgid, API consumer, acting user; shared/plugin-paths.ts).
   */
  request?: FastifyRequest
  /** Override the retry budget (e.g. 0 for /ready, which must answer fast). */
  retries?: number
}

/** One call forwarded as it is (the discussion passthrough): NodeBB's answer is streamed back, not read. */
export interface ForwardRequest {
  method: NodebbMethod
  /** The NodeBB path from its root (`/api/...`), already checked against the allow-list. */
  path: string
  /** The query string, without `?`, the acting `_uid` already in it. */
  query: string
  /** Headers to send besides the master token (the caller's credentials already dropped). */
  headers: Record<string, string>
  /** A JSON body, the acting `_uid` already in it. */
  body?: string
  /** The allow-list row, for metrics and logs. */
  label: string
  request?: FastifyRequest
}

export interface ForwardAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: Readable
}

export interface NodebbClient {
  /** One Write API call to a plugin route; resolves the plugin's `response`, or throws an ApiError. */
  call: <T = unknown>(method: NodebbMethod, path: NodebbPath, options: NodebbCallOptions) => Promise<T>
  /**
   * One call to any NodeBB path as the user `uid`, over the same pool and master token. Resolves
   * NodeBB's status, headers and body stream whatever the status; throws 503 UPSTREAM_UNAVAILABLE
   * when NodeBB cannot be reached or does not answer in time, and 503 OUTCOME_UNKNOWN when a write
   * was sent and no answer came. Never retried.
   */
  forward: (request: ForwardRequest) => Promise<ForwardAnswer>
  /** NodeBB's origin and base path, for messages (never carries credentials). */
  readonly where: string
}

declare module 'fastify' {
  interface FastifyInstance {
    nodebb: NodebbClient
  }
}

/** Most retries a GET gets; writes are never re-sent once a byte may have reached NodeBB. */
export const maxRetries = 2
const maxResponseBytes = 32 * 1024 * 1024

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** 50 ms then 150 ms, with jitter so that replicas do not retry in step. */
function backoff (attempt: number): number {
  return 50 * (3 ** attempt) * (0.75 + Math.random() / 2)
}

function retryable (method: NodebbMethod, err: unknown): boolean {
  if (!(err instanceof UpstreamUnavailableError)) return false
  // nothing was sent: safe for idempotent methods (GET, PUT, DELETE)
  if (err.beforeSend) return method !== 'POST' && method !== 'PATCH'
  if (method !== 'GET') return false
  // a GET may also be re-sent after a dropped connection or a gateway-style 5xx; never after a
  // timeout (that would multiply the wait) nor a refused token or a missing route (will not change)
  return err.kind === 'unreachable' || (err.kind === 'status' && [502, 503, 504].includes(err.options.status ?? 0))
}

/** The client over one keep-alive pool; exported for tests that drive it without Fastify. */
export function createNodebbClient (config: Config, metrics: AdapterMetrics, defaultLog: FastifyBaseLogger): NodebbClient & { close: () => Promise<void> } {
  const url = new URL(config.NODEBB_URL)
  const basePath = url.pathname.replace(/\/+$/, '')
  const where = url.origin + basePath
  const timeout = config.NODEBB_TIMEOUT_MS
  // writes get a longer deadline: the largest create the limits allow must finish within it
  const writeTimeout = config.NODEBB_WRITE_TIMEOUT_MS
  const pool = new Pool(url.origin, {
    connections: config.NODEBB_CONNECTIONS,
    pipelining: 1,
    connectTimeout: timeout,
    // each attempt is bounded exactly by its own timer below
    headersTimeout: Math.max(timeout, writeTimeout),
    bodyTimeout: Math.max(timeout, writeTimeout),
    maxResponseSize: maxResponseBytes
  })
  const authorization = `Bearer ${config.NODEBB_TOKEN}`

  async function once (method: NodebbMethod, path: NodebbPath, options: NodebbCallOptions): Promise<unknown> {
    const hasBody = method === 'POST' || method === 'PATCH' || method === 'PUT'
    const target = `${basePath}${pluginMount}${fillPath(path, options.params)}${hasBody ? '' : `?${new URLSearchParams({ ...options.query, _uid: String(options.uid) }).toString()}`}`
    const headers: Record<string, string> = { accept: 'application/json', authorization }
    // percent-encoded: a msgid may be any text, a header value may not
    const request = options.request
    if (request !== undefined) {
      if (request.msgid !== null) headers[callerHeaders.msgid] = encodeURIComponent(request.msgid)
      if (request.caller !== null) headers[callerHeaders.consumer] = encodeURIComponent(request.caller.consumer)
      if (request.sunbirdUser !== null) headers[callerHeaders.user] = encodeURIComponent(request.sunbirdUser.subject)
      if (hasBody || method === 'DELETE') headers[callerHeaders.ttl] = String(config.IDEMPOTENCY_TTL_SECONDS)
    }
    let body: string | undefined
    if (hasBody) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify({ ...options.body, _uid: options.uid })
    }
    let status: number
    let text: string
    // undici's own timeouts tick coarsely (up to ~1 s late); this bounds the whole attempt exactly.
    // A plain timer, cleared once the answer is in: a little cheaper than AbortSignal.timeout().
    const limit = method === 'GET' ? timeout : writeTimeout
    const controller = new AbortController()
    const timer = setTimeout(() => { controller.abort(new DOMException(`NodeBB did not answer within ${limit} ms`, 'TimeoutError')) }, limit)
    try {
      const res = await pool.request({ method, path: target, headers, body, signal: controller.signal })
      status = res.statusCode
      text = await res.body.text()
    } catch (err) {
      throw transportError(err, where, limit)
    } finally {
      clearTimeout(timer)
    }
    return interpretAnswer(status, text, path)
  }

  async function call<T> (method: NodebbMethod, path: NodebbPath, options: NodebbCallOptions): Promise<T> {
    const log = options.request?.log ?? defaultLog
    const budget = options.retries ?? maxRetries
    for (let attempt = 0; ; attempt++) {
      const started = performance.now()
      try {
        const response = await once(method, path, options)
        metrics.nodebb.observe({ method, route: path, outcome: 'ok' }, (performance.now() - started) / 1000)
        log.trace({ nodebb: { method, route: path, attempt, ms: Math.round(performance.now() - started) } }, 'NodeBB call')
        return response as T
      } catch (err) {
        const outcome = err instanceof UpstreamUnavailableError ? err.kind : isApiError(err) ? err.code : 'error'
        metrics.nodebb.observe({ method, route: path, outcome }, (performance.now() - started) / 1000)
        if (attempt < budget && retryable(method, err)) {
          log.debug({ nodebb: { method, route: path, attempt, reason: (err as UpstreamUnavailableError).reason } }, 'NodeBB call failed; retrying')
          await sleep(backoff(attempt))
          continue
        }
        if (err instanceof UpstreamUnavailableError && method !== 'GET' && mayHaveWritten(err)) {
          log.warn({ nodebb: { method, route: path, attempt, kind: err.kind, status: err.options.status, reason: err.reason } }, 'NodeBB may or may not have made the write')
          throw new OutcomeUnknownError(err)
        }
        if (err instanceof UpstreamUnavailableError) {
          log.warn({ nodebb: { method, route: path, attempt, kind: err.kind, status: err.options.status, reason: err.reason } }, 'NodeBB unavailable')
        } else if (err instanceof NodebbContractError) {
          log.error({ nodebb: { method, route: path, reason: err.reason } }, 'NodeBB refused a call the adapter made')
        }
        throw err
      }
    }
  }

  async function forward (options: ForwardRequest): Promise<ForwardAnswer> {
    const log = options.request?.log ?? defaultLog
    const { method, label } = options
    const target = `${basePath}${options.path}?${options.query}`
    const limit = method === 'GET' ? timeout : writeTimeout
    const controller = new AbortController()
    const timer = setTimeout(() => { controller.abort(new DOMException(`NodeBB did not answer within ${limit} ms`, 'TimeoutError')) }, limit)
    const started = performance.now()
    try {
      // the deadline covers the answer's headers; the body streams on under undici's bodyTimeout
      const res = await pool.request({ method, path: target, headers: { ...options.headers, authorization }, body: options.body, signal: controller.signal })
      metrics.nodebb.observe({ method, route: `discussion:${label}`, outcome: 'ok' }, (performance.now() - started) / 1000)
      return { status: res.statusCode, headers: res.headers, body: res.body }
    } catch (err) {
      const unavailable = transportError(err, where, limit)
      metrics.nodebb.observe({ method, route: `discussion:${label}`, outcome: unavailable.kind }, (performance.now() - started) / 1000)
      log.warn({ nodebb: { method, route: label, kind: unavailable.kind, reason: unavailable.reason } }, 'NodeBB unavailable (discussion passthrough)')
      if (method !== 'GET' && mayHaveWritten(unavailable)) {
        throw new ApiError('OUTCOME_UNKNOWN', 'NodeBB did not answer in time, or the connection broke after the call was sent: it may or may not have been made; look before repeating it')
      }
      throw unavailable
    } finally {
      clearTimeout(timer)
    }
  }

  return { call, forward, where, close: () => pool.close() }
}

/** `fastify.nodebb`: the one pool to NodeBB, closed with the app. */
async function nodebbClientPlugin (fastify: FastifyInstance): Promise<void> {
  const client = createNodebbClient(fastify.config, fastify.metrics, fastify.log)
  fastify.decorate('nodebb', { call: client.call, forward: client.forward, where: client.where })
  fastify.addHook('onClose', async () => { await client.close() })
}

export default fp(nodebbClientPlugin, { name: 'nodebb-client', fastify: '5.x', dependencies: ['metrics'] })
