import { Type, type Static } from '@sinclair/typebox'
import { Context, ForumId, SunbirdId, Timestamp } from './common'

/**
 * Activity: what happened in a context's forums, recorded by the plugin from NodeBB's action
 * hooks. Verbs follow the hooks they come from (`action:topic.lock` -> `topic.lock`/`topic.unlock`).
 */
export const activityVerbs = [
  'topic.create', 'post.reply', 'post.edit', 'post.delete', 'post.restore', 'post.purge',
  'post.upvote', 'post.downvote', 'post.unvote',
  'topic.lock', 'topic.unlock', 'topic.pin', 'topic.unpin', 'topic.move', 'topic.delete', 'topic.restore', 'topic.purge'
] as const
export type ActivityVerb = typeof activityVerbs[number]

export const ActivityVerb = Type.Union(activityVerbs.map((v) => Type.Literal(v)), { description: 'What happened' })

export const activityLimits = { maxLimit: 100, defaultLimit: 20, maxOffset: 100_000, maxVerbs: activityVerbs.length } as const

export const ActivityListRequest = Type.Object({
  context: Type.Optional(Context),
  forum: Type.Optional(ForumId),
  includeDescendants: Type.Optional(Type.Boolean({ description: 'With `forum`: its descendant forums too (default false)' })),
  user: Type.Optional(SunbirdId),
  verbs: Type.Optional(Type.Array(ActivityVerb, { minItems: 1, maxItems: activityLimits.maxVerbs, uniqueItems: true })),
  since: Type.Optional(Timestamp),
  until: Type.Optional(Timestamp),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: activityLimits.maxLimit, default: activityLimits.defaultLimit })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: activityLimits.maxOffset, default: 0 }))
}, { additionalProperties: false })
export type ActivityListRequest = Static<typeof ActivityListRequest>

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()])

export const Activity = Type.Object({
  id: Type.String(),
  verb: ActivityVerb,
  actor: Type.Object({
    identifier: Nullable(Type.String({ description: 'The Sunbird id, or null for a NodeBB-only user' })),
    uid: Type.Integer({ minimum: 0 })
  }, { additionalProperties: false }),
  object: Type.Object({
    type: Type.Union([Type.Literal('topic'), Type.Literal('post')]),
    id: Type.String(),
    topic: Type.String({ description: 'The topic id (the object itself for a topic)' }),
    title: Type.String({ description: 'The topic title' }),
    url: Type.String()
  }, { additionalProperties: false }),
  forum: Type.Object({
    identifier: ForumId,
    root: ForumId,
    context: Context
  }, { additionalProperties: false }),
  time: Timestamp
}, { additionalProperties: false })
export type Activity = Static<typeof Activity>

export const ActivityListResult = Type.Object({
  activities: Type.Array(Activity),
  count: Type.Integer({ minimum: 0, description: 'Activities matching the filters: exactly when countExact is true, else at least this many (more than this page reaches)' }),
  countExact: Type.Boolean({ description: 'false when a filter the log cannot count by index (read access, verbs, a user within a forum or context) made the count a lower bound: the list stopped reading one match past the page' }),
  offset: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'The next page\'s offset; null at the end' })
}, { additionalProperties: false })
export type ActivityListResult = Static<typeof ActivityListResult>

/**
 * The list request as the plugin's GET route's query string (the adapter sends it, the plugin reads
 * it back), so both ends agree on one encoding: context as contextType/contextId, verbs comma separated.
 */
export function activityQuery (request: ActivityListRequest): Record<string, string> {
  const q: Record<string, string> = {}
  if (request.context !== undefined) { q.contextType = request.context.type; q.contextId = request.context.identifier }
  if (request.forum !== undefined) q.forum = request.forum
  if (request.includeDescendants !== undefined) q.includeDescendants = String(request.includeDescendants)
  if (request.user !== undefined) q.user = request.user
  if (request.verbs !== undefined) q.verbs = request.verbs.join(',')
  for (const k of ['since', 'until', 'limit', 'offset'] as const) if (request[k] !== undefined) q[k] = String(request[k])
  return q
}

/** Query parameters NodeBB itself adds or reads on every API call (the acting uid, the language, a cache buster). */
export const transportQueryFields: ReadonlySet<string> = new Set(['_uid', 'lang', '_'])

/** The query string back into a request object (not yet validated: the schema does that). */
export function activityRequestFromQuery (query: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const str = (k: string): unknown => query[k]
  const num = (v: unknown): unknown => typeof v === 'string' && /^[0-9]{1,16}$/.test(v) ? Number(v) : v
  for (const [k, v] of Object.entries(query)) {
    if (transportQueryFields.has(k) || v === undefined || v === '') continue
    switch (k) {
      case 'contextType': case 'contextId': break
      case 'includeDescendants': out[k] = v === 'true' ? true : v === 'false' ? false : v; break
      case 'verbs': out[k] = typeof v === 'string' ? v.split(',') : v; break
      case 'since': case 'until': case 'limit': case 'offset': out[k] = num(v); break
      default: out[k] = v
    }
  }
  if (str('contextType') !== undefined || str('contextId') !== undefined) out.context = { type: str('contextType'), identifier: str('contextId') }
  return out
}
