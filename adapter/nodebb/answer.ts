import { packageInfo } from '../../shared/package-info'
import { ApiError, isErrorCode } from '../../shared/errors'

/**
 * How NodeBB's answers map onto the catalogue. The plugin marks its own failures with a catalogue
 * code in `response.error`; anything else came from NodeBB itself (token refused, route missing,
 * maintenance, a crash, a proxy's HTML page) and means the forum service is unavailable to us.
 */

/** Why NodeBB could not serve a call; also the `outcome` label of the latency histogram. */
export type UnavailableKind = 'unreachable' | 'timeout' | 'token-refused' | 'plugin-missing' | 'status' | 'bad-body' | 'closed'

/** 503 UPSTREAM_UNAVAILABLE to the client, with the reason kept for the log and for /ready. */
export class UpstreamUnavailableError extends ApiError {
  constructor (
    readonly kind: UnavailableKind,
    /** Safe to log: never holds the token nor a body NodeBB sent. */
    readonly reason: string,
    readonly options: { status?: number, beforeSend?: boolean } = {}
  ) {
    super('UPSTREAM_UNAVAILABLE')
  }

  /** The request never left this process (no connection was made), so any method may be retried. */
  get beforeSend (): boolean {
    return this.options.beforeSend === true
  }
}

/**
 * A write was sent and no answer says what became of it: 503 OUTCOME_UNKNOWN, so the client
 * retries with the same msgid (the plugin's records then answer what the first attempt did).
 */
export class OutcomeUnknownError extends ApiError {
  constructor (readonly upstream: UpstreamUnavailableError) {
    super('OUTCOME_UNKNOWN', 'NodeBB did not answer in time, or the connection broke after the write was sent: it may or may not have been made; retry with the same msgid to learn its outcome')
  }
}

/** After a write was sent, whether NodeBB may have made it: no answer in time, a broken connection, a gateway that lost the answer. */
export function mayHaveWritten (err: UpstreamUnavailableError): boolean {
  if (err.beforeSend) return false
  return err.kind === 'timeout' || err.kind === 'unreachable' || err.kind === 'closed' || (err.kind === 'status' && [502, 504].includes(err.options.status ?? 0))
}

/** NodeBB refused what we sent without the plugin's code (a 400 from NodeBB itself): our bug, 500. */
export class NodebbContractError extends ApiError {
  constructor (readonly reason: string) {
    super('INTERNAL_ERROR')
  }
}

interface WriteApiBody {
  status?: { code?: unknown, message?: unknown }
  response?: unknown
}

function parse (text: string): WriteApiBody | null {
  try {
    const body: unknown = JSON.parse(text)
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? body as WriteApiBody : null
  } catch {
    return null
  }
}

function describeStatus (body: WriteApiBody | null): string {
  const message = body?.status?.message
  return typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''
}

/**
 * One answer -> the plugin's `response` (returned) or the error to throw. `route` is the path
 * template, for messages; nothing of the request or its headers goes into an error.
 */
export function interpretAnswer (status: number, text: string, route: string): unknown {
  const body = parse(text)
  if (status >= 200 && status < 300) {
    if (body !== null && body.status?.code === 'ok' && 'response' in body) return body.response
    throw new UpstreamUnavailableError('bad-body', `NodeBB answered ${route} with HTTP ${status} but not the Write API's {status, response} JSON`, { status })
  }
  const response = body?.response
  const error = response !== null && typeof response === 'object' ? (response as { error?: unknown, details?: unknown }) : undefined
  if (error?.error !== undefined) {
    if (!isErrorCode(error.error)) {
      throw new NodebbContractError(`the plugin answered ${route} with an unknown error code ${JSON.stringify(String(error.error).slice(0, 64))} (HTTP ${status})`)
    }
    const message = typeof body?.status?.message === 'string' ? body.status.message.slice(0, 500) : undefined
    const details = error.details !== null && typeof error.details === 'object' && !Array.isArray(error.details) ? error.details as Record<string, unknown> : undefined
    throw new ApiError(error.error, message, details)
  }
  // not JSON: a proxy's or NodeBB's error page; its status says whether a retry may help
  if (body === null) throw new UpstreamUnavailableError('status', `NodeBB answered ${route} with HTTP ${status} and a body that is not JSON`, { status })
  if (status === 400) throw new NodebbContractError(`NodeBB refused the call to ${route} (HTTP 400)${describeStatus(body)}`)
  if (status === 401) throw new UpstreamUnavailableError('token-refused', 'NodeBB refused the master token (HTTP 401): check NODEBB_TOKEN', { status })
  if (status === 404) throw new UpstreamUnavailableError('plugin-missing', `NodeBB has no route ${route} (HTTP 404): is ${packageInfo.name} installed and active?`, { status })
  throw new UpstreamUnavailableError('status', `NodeBB answered ${route} with HTTP ${status}${describeStatus(body)}`, { status })
}

/** Connection-level failures; codes where no byte can have reached NodeBB are marked beforeSend. */
const notConnected = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT'])

/** An error undici threw -> why NodeBB is unavailable. `where` is NodeBB's origin (no credentials). */
export function transportError (err: unknown, where: string, timeoutMs: number): UpstreamUnavailableError {
  const code = (err as { code?: unknown }).code
  const name = typeof code === 'string' ? code : err instanceof Error ? err.name : 'unknown error'
  switch (err instanceof Error && err.name === 'TimeoutError' ? 'TimeoutError' : name) {
    case 'TimeoutError':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return new UpstreamUnavailableError('timeout', `NodeBB at ${where} did not answer within ${timeoutMs} ms`)
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
      return new UpstreamUnavailableError('bad-body', `NodeBB at ${where} sent an answer larger than the adapter accepts`)
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return new UpstreamUnavailableError('closed', 'the adapter is shutting down')
  }
  return new UpstreamUnavailableError('unreachable', `cannot reach NodeBB at ${where} (${name})`, { beforeSend: notConnected.has(name) })
}
