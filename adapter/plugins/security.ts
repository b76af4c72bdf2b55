import fp from 'fastify-plugin'
import helmet from 'helmet'
import cors from '@fastify/cors'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'

/**
 * The headers helmet sets for these options, read once by running its middleware against a
 * recording response. They depend on nothing in the request (no CSP nonces, no per-request
 * directives), so every answer can carry the same set.
 */
export function securityHeaders (options: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader: (name: string, value: unknown) => { headers[name.toLowerCase()] = String(value) },
    removeHeader: (name: string) => { Reflect.deleteProperty(headers, name.toLowerCase()) }
  }
  let failure: unknown
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => { failure = err })
  if (failure !== undefined) throw failure
  return headers
}

function pick (headers: Record<string, string>, name: string): Record<string, string> {
  const value = headers[name]
  return value === undefined ? {} : { [name]: value }
}

/**
 * Security headers, and the request id, on every answer; CORS only for the origins configured (off by default).
 *
 * helmet decides the headers, once, at start-up. @fastify/helmet instead builds a new helmet
 * middleware (parsing the CSP directives again) and sets each header on every request, which was
 * a measurable share of the adapter's CPU on a forum fetch (docs/benchmarks.md).
 */
async function securityPlugin (fastify: FastifyInstance): Promise<void> {
  // a JSON API: the strict defaults, except the CSP the /docs page needs for its own assets and
  // no `upgrade-insecure-requests` (over plain http on a LAN address the browser would fetch the
  // docs' assets over https and fail). HSTS only on answers that went out over https (directly or
  // through a trusted proxy): on http a browser ignores it at best.
  const headers = securityHeaders({ contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'], 'upgrade-insecure-requests': null } }, strictTransportSecurity: false })
  const httpsHeaders = { ...headers, ...pick(securityHeaders({}), 'strict-transport-security') }
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(request.protocol === 'https' ? httpsHeaders : headers)
    reply.header('x-request-id', request.id)
    done()
  })
  const origins = fastify.config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter((o) => o !== '')
  if (origins.length > 0) {
    await fastify.register(cors, {
      origin: origins,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-authenticated-user-token', 'x-request-id'],
      exposedHeaders: ['x-request-id']
    })
  }
}

export default fp(securityPlugin, { name: 'security', fastify: '5.x' })
