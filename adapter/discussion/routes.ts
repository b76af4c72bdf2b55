import { Transform, type Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../shared/errors'
import { apiIds } from '../../shared/envelope'
import type { NodebbMethod } from '../plugins/nodebb-client'
import { isUidKey, resolvePassthrough, type Resolved } from './resolve'

declare module 'fastify' {
  interface FastifyRequest {
    /** The allow-list row a passthrough call matched, and the NodeBB URL it goes to. */
    passthrough: Resolved | null
  }
}

/** What of the caller's request NodeBB sees: content negotiation only; credentials and cookies never. */
const forwardedRequestHeaders = ['accept', 'accept-language', 'content-type', 'if-none-match', 'if-modified-since'] as const
/** What of NodeBB's answer the caller sees: the body's description and caching; never a cookie (the master token's session). */
const returnedHeaders = ['content-type', 'content-length', 'content-language', 'content-disposition', 'cache-control', 'etag', 'last-modified', 'location', 'x-redirect', 'retry-after'] as const

const methods: NodebbMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

/** A JSON body as NodeBB gets it: the caller's `_uid` (any spelling) removed, the acting user's set. */
export function bodyAs (body: unknown, uid: number): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(body)) if (!isUidKey(key)) out[key] = value
  out._uid = uid
  return out
}

/** An upload streamed on, refused once it passes `limit` bytes (a body without Content-Length is counted as it goes). */
function limited (stream: Readable, limit: number): Readable {
  let seen = 0
  const counter = new Transform({
    transform (chunk: Buffer, _encoding, done) {
      seen += chunk.length
      if (seen > limit) done(new ApiError('PAYLOAD_TOO_LARGE', `The upload is over the limit of ${limit} bytes`))
      else done(null, chunk)
    }
  })
  stream.on('error', (err) => counter.destroy(err))
  return stream.pipe(counter)
}

/**
 * The discussion passthrough (README, "Discussions through the adapter"): `DISCUSSION_PREFIX` + a
 * NodeBB path on the allow-list is forwarded to NodeBB as the user the tokens name, over the same
 * pool, with the master token and `_uid`. NodeBB's answer (status, content type, body bytes) is
 * streamed back as it is; the adapter's own refusals (401, 404 off the list, 413, 415, 429, 503)
 * come in the envelope. Registered inside the /api scope, so both limiters and authentication run
 * first.
 */
export default async function discussionRoutes (fastify: FastifyInstance): Promise<void> {
  const prefix = fastify.config.DISCUSSION_PREFIX
  const uploadLimit = fastify.config.DISCUSSION_UPLOAD_LIMIT
  fastify.decorateRequest('passthrough', null)

  // an upload's body is not read here: it streams to NodeBB
  fastify.addContentTypeParser('multipart/form-data', (_request, payload, done) => { done(null, payload) })

  fastify.addHook('onRequest', async (request) => {
    const url = request.raw.url ?? ''
    const resolved = url.startsWith(`${prefix}/`) ? resolvePassthrough(request.method, url.slice(prefix.length)) : null
    if (resolved === null) {
      request.metricRoute = 'discussion:off-list'
      throw new ApiError('NOT_FOUND', `No route ${request.method} ${url.split('?')[0]?.slice(0, 200) ?? ''}: not on the discussion allow-list`)
    }
    request.passthrough = resolved
    request.metricRoute = `discussion:${resolved.entry.name}`
    const type = String(request.headers['content-type'] ?? '').toLowerCase()
    if (type.startsWith('multipart/form-data')) {
      if (resolved.entry.upload !== true) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Only the upload route takes multipart/form-data')
      const length = Number(request.headers['content-length'])
      if (Number.isFinite(length) && length > uploadLimit) throw new ApiError('PAYLOAD_TOO_LARGE', `The upload (${length} bytes) is over the limit of ${uploadLimit} bytes`)
    } else if (resolved.entry.upload === true && request.headers['content-length'] !== undefined) {
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'An upload is multipart/form-data')
    }
  })

  fastify.route({
    method: methods,
    url: '/*',
    config: { apiId: apiIds.discussion },
    schema: { hide: true },
    handler: async (request, reply) => {
      const resolved = request.passthrough as Resolved
      const uid = await fastify.ownUid(request)
      const headers: Record<string, string> = {}
      for (const name of forwardedRequestHeaders) {
        const value = request.headers[name]
        if (typeof value === 'string') headers[name] = value
      }
      const method = request.method as NodebbMethod
      let body: string | Readable | undefined
      if (method !== 'GET') {
        if (resolved.entry.upload === true) {
          body = limited(request.body as Readable, uploadLimit)
          const length = request.headers['content-length']
          if (typeof length === 'string') headers['content-length'] = length
        } else if (request.body !== undefined) {
          body = JSON.stringify(bodyAs(request.body, uid))
          headers['content-type'] = 'application/json'
        }
      }
      const answer = await fastify.nodebb.forward({ method, path: resolved.path, query: resolved.query, uid, headers, body, label: resolved.entry.name, request })
      reply.code(answer.status)
      for (const name of returnedHeaders) {
        const value = answer.headers[name]
        if (value !== undefined) reply.header(name, value)
      }
      return reply.send(answer.body)
    }
  })
}
