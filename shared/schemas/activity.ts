import { Type, type Static } from '@sinclair/typebox'
import { Context, ForumId, SunbirdId, Timestamp } from './common'
import { queryFromRequest, requestFromQuery, type NestedQueryNames } from './query'

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

export const activityLimits = { maxLimit: 100, defaultLimit: 20, maxOffset: 100_000, maxVerbs: 50 } as const

/** An app's own verb (e.g. `completed`); NodeBB's verbs are the plugin's to record, never an app's. */
export const AppVerb = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', description: 'An app\'s own verb, e.g. completed' })

export function isNodebbVerb (verb: string): boolean {
  return (activityVerbs as readonly string[]).includes(verb)
}

const Text = (maxLength: number, description?: string) => Type.String({ minLength: 1, maxLength, pattern: '^[^\\u0000-\\u001f\\u007f]+$', ...(description === undefined ? {} : { description }) })

/** POST /api/activity/v1/create: an app's event put into a context's stream (seed 000). */
export const ActivityCreateRequest = Type.Object({
  actor: SunbirdId,
  verb: AppVerb,
  object: Type.Object({
    type: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', description: 'What the app acted on, e.g. course, content, assessment' }),
    identifier: Text(256, 'The app\'s id of it'),
    title: Type.Optional(Text(500))
  }, { additionalProperties: false }),
  context: Context,
  forum: Type.Optional(ForumId),
  time: Type.Optional(Timestamp)
}, { additionalProperties: false })
export type ActivityCreateRequest = Static<typeof ActivityCreateRequest>

export const ActivityCreateResult = Type.Object({
  identifier: Type.String({ description: 'The activity id' })
}, { additionalProperties: false })
export type ActivityCreateResult = Static<typeof ActivityCreateResult>

export const ActivityListRequest = Type.Object({
  context: Type.Optional(Context),
  forum: Type.Optional(ForumId),
  includeDescendants: Type.Optional(Type.Boolean({ description: 'With `forum`: its descendant forums too (default false)' })),
  user: Type.Optional(SunbirdId),
  verbs: Type.Optional(Type.Array(Type.Union([ActivityVerb, AppVerb]), { minItems: 1, maxItems: activityLimits.maxVerbs, uniqueItems: true, description: 'NodeBB\'s verbs and apps\' own' })),
  since: Type.Optional(Timestamp),
  until: Type.Optional(Timestamp),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: activityLimits.maxLimit, default: activityLimits.defaultLimit })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: activityLimits.maxOffset, default: 0 }))
}, { additionalProperties: false })
export type ActivityListRequest = Static<typeof ActivityListRequest>

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()])

export const NodebbActivity = Type.Object({
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
export type NodebbActivity = Static<typeof NodebbActivity>

const ActivityActor = NodebbActivity.properties.actor

/** An app's own event (POST /api/activity/v1/create), listed and sent to webhooks beside NodeBB's. */
export const AppActivity = Type.Object({
  id: Type.String(),
  source: Type.Literal('app'),
  verb: AppVerb,
  actor: ActivityActor,
  object: Type.Object({
    type: Type.String(),
    id: Type.String(),
    title: Type.Optional(Type.String())
  }, { additionalProperties: false }),
  context: Context,
  forum: Type.Union([NodebbActivity.properties.forum, Type.Null()], { description: 'The forum the event belongs to, or null for the context as a whole' }),
  time: Timestamp
}, { additionalProperties: false })
export type AppActivity = Static<typeof AppActivity>

export const Activity = Type.Union([NodebbActivity, AppActivity])
export type Activity = Static<typeof Activity>

export function isAppActivity (activity: Activity): activity is AppActivity {
  return (activity as { source?: unknown }).source === 'app'
}

/** The context an activity belongs to, whichever its kind. */
export function contextOf (activity: Activity): Context {
  return isAppActivity(activity) ? activity.context : activity.forum.context
}

export const ActivityListResult = Type.Object({
  activities: Type.Array(Activity),
  count: Type.Integer({ minimum: 0, description: 'Activities matching the filters: exactly when countExact is true, else at least this many (more than this page reaches)' }),
  countExact: Type.Boolean({ description: 'false when a filter the log cannot count by index (read access, verbs, a user within a forum or context) made the count a lower bound: the list stopped reading one match past the page' }),
  offset: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'The next page\'s offset; null at the end' })
}, { additionalProperties: false })
export type ActivityListResult = Static<typeof ActivityListResult>

/** How the list request's context travels in the GET route's query string (the adapter writes it, the plugin reads it). */
const activityQueryNames: NestedQueryNames = { context: { type: 'contextType', identifier: 'contextId' } }

/** The list request as the plugin's GET route's query string: context as contextType/contextId, verbs comma separated. */
export function activityQuery (request: ActivityListRequest): Record<string, string> {
  return queryFromRequest(request, activityQueryNames)
}

/** The query string back into a request object (not yet validated: the schema does that). */
export function activityRequestFromQuery (query: Record<string, unknown>): Record<string, unknown> {
  return requestFromQuery(ActivityListRequest, query, activityQueryNames)
}
