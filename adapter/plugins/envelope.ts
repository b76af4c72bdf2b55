import fp from 'fastify-plugin'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { routerOptions } from '../router-options'
import FindMyWay, { type HTTPMethod } from 'find-my-way'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errorCatalogue, isApiError, type ApiError, type ErrorCode } from '../../shared/errors'
import { apiIds, failureEnvelope, successEnvelope, type Envelope } from '../../shared/envelope'
import { msgidMaxLength } from '../../shared/schemas/common'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The envelope `id` this route answers with. */
    apiId?: string
  }
  interface FastifyRequest {
    /** `params.msgid` of the request envelope, once the body is read; null when absent. */
    msgid: string | null
  }
  interface FastifyReply {
    /** Wrap a result in the success envelope for this route. */
    envelope: <R>(result: R) => Envelope<R>
    /** The `params.err` this reply carries (set by the error path and by idempotent replays), for metrics. */
    errCode: ErrorCode | null
  }
}

/** `params.msgid` when it is a msgid (a non-empty string up to 128 characters), else null. */
export function readMsgid (body: unknown): string | null {
  if (body === null || typeof body !== 'object') return null
  const params = (body as { params?: unknown }).params
  if (params === null || typeof params !== 'object') return null
  const msgid = (params as { msgid?: unknown }).msgid
  return typeof msgid === 'string' && msgid.length > 0 && msgid.length <= msgidMaxLength ? msgid : null
}

export function apiIdOf (request: FastifyRequest): string {
  return request.routeOptions.config.apiId ?? apiIds.unknown
}

/** Maps any error (ours, Fastify's, a crash) onto a catalogue code and a safe message. */
export function classifyError (err: FastifyError | ApiError | Error): { code: ErrorCode, message: string | undefined } {
  if (isApiError(err)) return { code: err.code, message: err.message }
  const fe = err as FastifyError & { validation?: Array<{ instancePath: string, message?: string, params?: Record<string, unknown> }>, validationContext?: string }
  if (fe.validation !== undefined) return { code: 'INVALID_REQUEST', message: describeValidation(fe) }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return { code: 'PAYLOAD_TOO_LARGE', message: undefined }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return { code: 'UNSUPPORTED_MEDIA_TYPE', message: undefined }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return { code: 'INVALID_REQUEST', message: 'The request body is empty' }
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return { code: 'INVALID_REQUEST', message: 'Content-Length does not match the body' }
    case 'FST_ERR_RATE_LIMIT_EXCEEDED': return { code: 'RATE_LIMITED', message: undefined }
    case 'FST_ERR_MAX_PARAM_LENGTH': return { code: 'INVALID_REQUEST', message: 'A path segment is too long' }
    case 'FST_ERR_BAD_URL': return { code: 'INVALID_REQUEST', message: 'The URL is not valid (bad percent-encoding)' }
  }
  if (fe.statusCode === 429) return { code: 'RATE_LIMITED', message: undefined }
  if (fe.statusCode === 413) return { code: 'PAYLOAD_TOO_LARGE', message: undefined }
  if (fe.statusCode === 415) return { code: 'UNSUPPORTED_MEDIA_TYPE', message: undefined }
  // JSON syntax errors and prototype-poisoning refusals come from the body parser as plain 400s
  if (fe.statusCode === 400) return { code: 'INVALID_REQUEST', message: err instanceof SyntaxError ? 'The request body is not valid JSON' : safeClientMessage(err.message) }
  return { code: 'INTERNAL_ERROR', message: undefined }
}

function safeClientMessage (message: string): string {
  // Fastify's own 400 messages are safe, but bound them and drop anything that echoes input at length
  return message.length > 200 ? message.slice(0, 200) : message
}

function describeValidation (err: { validation?: Array<{ instancePath: string, message?: string, params?: Record<string, unknown> }>, validationContext?: string }): string {
  const first = err.validation?.[0]
  if (first === undefined) return 'The request is not valid'
  const where = `${err.validationContext ?? 'body'}${first.instancePath.replaceAll('/', '.')}`
  const extra = first.params?.additionalProperty
  if (typeof extra === 'string') return `${where} has an unknown field ${JSON.stringify(extra.slice(0, 64))}`
  const missing = first.params?.missingProperty
  if (typeof missing === 'string') return `${where} needs the field ${JSON.stringify(missing)}`
  return `${where} ${first.message ?? 'is not valid'}`
}

function sendFailure (request: FastifyRequest, reply: FastifyReply, code: ErrorCode, message: string | undefined, result?: Record<string, unknown>): FastifyReply {
  const envelope = failureEnvelope(apiIdOf(request), code, message, { msgid: request.msgid ?? readMsgid(request.body), result })
  reply.errCode = code
  return reply.code(errorCatalogue[code].status).type('application/json; charset=utf-8').send(envelope)
}

/**
 * Errors Fastify raises before routing (a malformed URL, a path parameter over maxParamLength);
 * passed as the `frameworkErrors` server option, so these too answer in the envelope.
 */
export function frameworkErrors (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { code, message } = classifyError(err)
  request.log.info({ err: { code, message } }, 'request refused')
  sendFailure(request, reply, code, message)
}

/**
 * The envelope for every answer: success helper, one error handler, 404 and 405 for unknown routes
 * and methods, JSON by default for bodies sent without a content type, and the msgid on the logger.
 */
async function envelopePlugin (fastify: FastifyInstance): Promise<void> {
  fastify.decorateRequest('msgid', null)
  fastify.decorateReply('errCode', null)
  fastify.decorateReply('envelope', function <R>(this: FastifyReply, result: R): Envelope<R> {
    return successEnvelope(apiIdOf(this.request), result, { msgid: this.request.msgid })
  })

  // JSON only: any other content type, text/plain included, is 415
  fastify.removeContentTypeParser('text/plain')
  // An empty body is no body, whatever the content type says: many clients send
  // `content-type: application/json` on every call, a DELETE or GET with nothing in it included.
  // Routes whose body is required refuse it in validation, as for any missing body.
  const parseJson = fastify.getDefaultJsonParser('error', 'error')
  fastify.removeContentTypeParser('application/json')
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') {
      done(null, undefined)
      return
    }
    parseJson(request, body as string, done)
  })

  // `Expect: 100-continue` (curl sends it above 1 KB): refuse a body over the limit from its
  // Content-Length, before the client sends it, instead of inviting it and breaking the pipe.
  const bodyLimit = fastify.initialConfig.bodyLimit ?? 1048576
  fastify.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const length = Number(req.headers['content-length'])
    if (Number.isFinite(length) && length > bodyLimit) {
      const text = JSON.stringify(failureEnvelope(apiIds.unknown, 'PAYLOAD_TOO_LARGE', `The body (${length} bytes) is over the limit of ${bodyLimit} bytes`))
      res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), connection: 'close' })
      res.end(text)
      return
    }
    res.writeContinue()
    fastify.server.emit('request', req, res)
  })

  // Sunbird clients often omit the content type; DESIGN says such a body is read as JSON.
  fastify.addHook('onRequest', async (request) => {
    const headers = request.raw.headers
    if (headers['content-type'] === undefined && (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined)) {
      headers['content-type'] = 'application/json'
    }
  })

  fastify.addHook('preValidation', async (request) => {
    const msgid = readMsgid(request.body)
    if (msgid !== null) {
      request.msgid = msgid
      request.log = request.log.child({ msgid })
    }
  })

  // A router of our own, fed every route, answers "is this path known under another method?" for 405.
  const known = FindMyWay(routerOptions)
  const noop = (): void => {}
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) {
      if (!known.hasRoute(method as HTTPMethod, route.url)) known.on(method as HTTPMethod, route.url, noop)
    }
  })

  fastify.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    const allowed = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter((m) => m !== request.method && known.find(m, path) !== null)
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '))
      return sendFailure(request, reply, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed here; use ${allowed.join(', ')}`)
    }
    return sendFailure(request, reply, 'NOT_FOUND', `No route ${request.method} ${path.slice(0, 200)}`)
  })

  fastify.setErrorHandler(async (err: FastifyError, request, reply) => {
    const { code, message } = classifyError(err)
    if (code === 'INTERNAL_ERROR') {
      request.log.error({ err, msgid: request.msgid }, 'request failed')
    } else if (code === 'UPSTREAM_UNAVAILABLE' || code === 'OUTCOME_UNKNOWN') {
      request.log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'upstream unavailable')
    } else {
      request.log.info({ err: { code, message } }, 'request refused')
    }
    const result = isApiError(err) ? err.details : undefined
    return sendFailure(request, reply, code, message, result)
  })
}

export default fp(envelopePlugin, { name: 'envelope', fastify: '5.x' })
