import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../shared/errors'
import { apiIds } from '../../shared/envelope'
import type { NodebbMethod } from '../plugins/nodebb-client'
import { isPlainQuery, queryAs, uidInQuery } from './query'
import { resolvePassthrough, type Resolved } from './resolve'
import { legacyComposed, legacyFilteredRead, legacyWrite, type LegacyAnswer } from './legacy-handlers'

declare module 'fastify' {
  interface FastifyRequest {
    /** The allow-list row a passthrough call matched, and the NodeBB URL it goes to. */
    passthrough: Resolved | null
  }
}

/** What of the caller's request NodeBB sees: content negotiation only; credentials and cookies never. */
const forwardedRequestHeaders = ['accept', 'accept-language', 'if-none-match', 'if-modified-since'] as const
/** What of NodeBB's answer the caller sees: the body's description and caching; never a cookie (the master token's session). */
const returnedHeaders = ['content-type', 'content-length', 'content-language', 'content-disposition', 'cache-control', 'etag', 'last-modified', 'location', 'x-redirect', 'retry-after'] as const

const methods: NodebbMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

/** The caller's JSON body, or none: NodeBB's routes take an object. */
function jsonFields (body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {}
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError('INVALID_REQUEST', 'The body must be a JSON object')
  return body as Record<string, unknown>
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
  fastify.decorateRequest('passthrough', null)

  fastify.addHook('onRequest', async (request) => {
    const url = request.raw.url ?? ''
    const resolved = url.startsWith(`${prefix}/`) ? resolvePassthrough(request.method, url.slice(prefix.length)) : null
    if (resolved === null) {
      request.metricRoute = 'discussion:off-list'
      throw new ApiError('NOT_FOUND', `No route ${request.method} ${url.split('?')[0]?.slice(0, 200) ?? ''}: not on the discussion allow-list`)
    }
    request.passthrough = resolved
    request.metricRoute = `discussion:${resolved.entry.name}`
    if (!isPlainQuery(resolved.query)) throw new ApiError('INVALID_REQUEST', 'The query string must be percent-encoded ASCII')
    const uidKey = uidInQuery(resolved.query)
    if (uidKey !== null) {
      throw new ApiError('INVALID_REQUEST', `The query key ${JSON.stringify(uidKey.slice(0, 100))} names _uid as NodeBB reads it: the acting user comes from the tokens, never from the request`)
    }
  })

  fastify.route({
    method: methods,
    url: '/*',
    config: { apiId: apiIds.discussion },
    schema: { hide: true },
    handler: async (request, reply) => {
      const resolved = request.passthrough as Resolved
      const method = request.method as NodebbMethod
      const legacy = resolved.legacy
      if (legacy !== null && legacy.kind !== 'read') {
        // Sunbird's existing UI: the old plugins' routes, and write API v2 made as v3 (legacy-handlers.ts)
        const sent: LegacyAnswer = legacy.kind === 'composed'
          ? await legacyComposed(fastify, request, legacy.handler, resolved.entry.name)
          : await legacyWrite(fastify, request, await fastify.ownUid(request), resolved, jsonFields(request.body))
        return reply.code(sent.status).send(sent.body)
      }
      if (legacy?.hideDeleted === true) {
        const sent = await legacyFilteredRead(fastify, request, await fastify.ownUid(request), resolved)
        return reply.code(sent.status).send(sent.body)
      }
      const fields = method === 'GET' ? null : jsonFields(request.body)
      const uid = await fastify.ownUid(request)
      const headers: Record<string, string> = {}
      for (const name of forwardedRequestHeaders) {
        const value = request.headers[name]
        if (typeof value === 'string') headers[name] = value
      }
      // NodeBB takes `body._uid` before the query's: the acting uid goes in the body on every method
      // but GET, body-less DELETE and PUT included, and in the query always
      let body: string | undefined
      if (fields !== null) {
        body = JSON.stringify({ ...fields, _uid: uid })
        headers['content-type'] = 'application/json'
      }
      const answer = await fastify.nodebb.forward({ method, path: resolved.path, query: queryAs(resolved.query, uid), headers, body, label: resolved.entry.name, request })
      reply.code(answer.status)
      for (const name of returnedHeaders) {
        const value = answer.headers[name]
        if (value !== undefined) reply.header(name, value)
      }
      return reply.send(answer.body)
    }
  })
}
