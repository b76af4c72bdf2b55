import { randomUUID } from 'node:crypto'
import { errorCatalogue, type ErrorCode, type ResponseCode } from './errors'
import type { EnvelopeHead } from './schemas/common'

export const API_VERSION = '1.0'

/** The `id` every route answers with, one per operation. */
export const apiIds = {
  userCreate: 'api.discussions.user.create',
  userRead: 'api.discussions.user.read',
  forumCreate: 'api.discussions.forum.create',
  forumUpdate: 'api.discussions.forum.update',
  forumFetch: 'api.discussions.forum.fetch',
  forumRead: 'api.discussions.forum.read',
  forumDelete: 'api.discussions.forum.delete',
  activityList: 'api.discussions.activity.list',
  activityCreate: 'api.discussions.activity.create',
  /** The passthrough to NodeBB's own APIs (its errors; NodeBB's answers pass as NodeBB sent them). */
  discussion: 'api.discussions.discussion',
  notificationSend: 'api.discussions.notification.send',
  notificationList: 'api.discussions.notification.list',
  notificationMarkRead: 'api.discussions.notification.mark-read',
  health: 'api.discussions.health',
  ready: 'api.discussions.ready',
  /** Used when no route matched, so no operation is known. */
  unknown: 'api.discussions'
} as const

export type ApiId = typeof apiIds[keyof typeof apiIds]

/** The response envelope as its schema (shared/schemas/common.ts) defines it, with a result of type R. */
export type Envelope<R = Record<string, unknown>> = EnvelopeHead & { result: R }

export interface EnvelopeOptions {
  msgid?: string | null | undefined
  /** Clock in ms, injectable for tests. */
  now?: () => number
}

/** The one place an envelope is put together; success and failure differ only in what they pass. */
function envelope<R> (id: string, outcome: { err: ErrorCode | null, errmsg: string | null, responseCode: ResponseCode }, result: R, options: EnvelopeOptions): Envelope<R> {
  return {
    id,
    ver: API_VERSION,
    ets: (options.now ?? Date.now)(),
    params: {
      resmsgid: randomUUID(),
      msgid: options.msgid ?? null,
      status: outcome.err === null ? 'successful' : 'failed',
      err: outcome.err,
      errmsg: outcome.errmsg
    },
    responseCode: outcome.responseCode,
    result
  }
}

export function successEnvelope<R> (id: string, result: R, options: EnvelopeOptions = {}): Envelope<R> {
  return envelope(id, { err: null, errmsg: null, responseCode: 'OK' }, result, options)
}

export function failureEnvelope (
  id: string,
  code: ErrorCode,
  errmsg?: string,
  options: EnvelopeOptions & { result?: Record<string, unknown> } = {}
): Envelope<Record<string, unknown>> {
  const entry = errorCatalogue[code]
  return envelope(id, { err: code, errmsg: errmsg ?? entry.message, responseCode: entry.responseCode }, options.result ?? {}, options)
}
