import { Type, type Static } from '@sinclair/typebox'
import { ForumId, SunbirdId, Timestamp } from './common'

/** Notifications: NodeBB's own (its bell), sent to Sunbird users and read back for them. */
export const notificationLimits = { users: 1000, title: 255, body: 5000, url: 2000, ids: 100, maxLimit: 100, defaultLimit: 20, maxOffset: 100_000 } as const

const Text = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S', description })

export const NotificationUrl = Type.String({
  maxLength: notificationLimits.url,
  // a path on this site: `/` not followed by `/` or `\` (browsers read `//x` and `/\x` as another host)
  pattern: '^(https?://[^\\s/?#\\\\]+([/?#][^\\s]*)?|/(?![/\\\\])[^\\s]*)$',
  description: 'Where a click goes: a path on the forum (`/topic/1`), or an http(s) URL on the forum\'s own host or a host the forum\'s administrator allowed'
})

export const NotificationSendRequest = Type.Object({
  users: Type.Optional(Type.Array(SunbirdId, { minItems: 1, maxItems: notificationLimits.users, uniqueItems: true, description: 'Recipients by Sunbird id' })),
  forum: Type.Optional(ForumId),
  title: Text(notificationLimits.title, 'The one-line text NodeBB shows in the bell'),
  body: Text(notificationLimits.body, 'The longer text (NodeBB\'s bodyLong)'),
  url: Type.Optional(NotificationUrl),
  from: Type.Optional(SunbirdId)
}, { additionalProperties: false, description: 'Either `users` or `forum` (every member with at least read), not both' })
export type NotificationSendRequest = Static<typeof NotificationSendRequest>

export const NotificationSendResult = Type.Object({
  delivered: Type.Integer({ minimum: 0, description: 'Recipients the notification was pushed to' }),
  identifier: Type.String({ description: 'The NodeBB notification id' })
}, { additionalProperties: false })
export type NotificationSendResult = Static<typeof NotificationSendResult>

export const NotificationListRequest = Type.Object({
  user: SunbirdId,
  unread: Type.Optional(Type.Boolean({ description: 'Only unread ones (default false: all)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: notificationLimits.maxLimit, default: notificationLimits.defaultLimit })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: notificationLimits.maxOffset, default: 0 }))
}, { additionalProperties: false })
export type NotificationListRequest = Static<typeof NotificationListRequest>

export const NotificationId = Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\u0000-\\u001f\\u007f]+$' })

export const Notification = Type.Object({
  id: NotificationId,
  type: Type.Union([Type.String(), Type.Null()]),
  title: Type.String({ description: 'As NodeBB shows it (translated; HTML-escaped where NodeBB escapes)' }),
  body: Type.Union([Type.String(), Type.Null()]),
  url: Type.Union([Type.String(), Type.Null()]),
  from: Type.Union([Type.String(), Type.Null()], { description: 'The sender\'s Sunbird id, null when none or not a Sunbird user' }),
  read: Type.Boolean(),
  time: Timestamp
}, { additionalProperties: false })
export type Notification = Static<typeof Notification>

export const NotificationListResult = Type.Object({
  notifications: Type.Array(Notification),
  count: Type.Integer({ minimum: 0 }),
  unread: Type.Integer({ minimum: 0, description: 'The user\'s unread notifications' }),
  offset: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])
}, { additionalProperties: false })
export type NotificationListResult = Static<typeof NotificationListResult>

export const NotificationMarkReadRequest = Type.Union([
  Type.Object({ user: SunbirdId, ids: Type.Array(NotificationId, { minItems: 1, maxItems: notificationLimits.ids, uniqueItems: true }) }, { additionalProperties: false }),
  Type.Object({ user: SunbirdId, all: Type.Literal(true) }, { additionalProperties: false })
], { description: '`ids`, or `all: true`' })
export type NotificationMarkReadRequest = Static<typeof NotificationMarkReadRequest>

export const NotificationMarkReadResult = Type.Object({
  marked: Type.Integer({ minimum: 0, description: 'Notifications that were unread and now are read' }),
  unread: Type.Integer({ minimum: 0 })
}, { additionalProperties: false })
export type NotificationMarkReadResult = Static<typeof NotificationMarkReadResult>

/** Why a send request names no one, or both kinds of recipient; null when it is fine. */
export function sendTargetProblem (request: NotificationSendRequest): string | null {
  if ((request.users === undefined) === (request.forum === undefined)) return 'request needs either users or forum (not both)'
  return null
}
