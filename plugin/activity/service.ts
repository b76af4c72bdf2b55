import { ApiError } from '../../shared/errors'
import type { Activity, ActivityCreateRequest, ActivityCreateResult, ActivityListRequest, ActivityListResult, AppActivity, NodebbActivity } from '../../shared/schemas/activity'
import { activityLimits, contextOf, isAppActivity, isNodebbVerb } from '../../shared/schemas/activity'
import type { Platform } from '../platform'
import type { Store } from '../store'
import { parseAcpSettings, type SettingsStore } from '../acp/settings'
import { activityHooks, type ActivityEvent } from './events'
import { ActivityLog, activityKeys, type Retention } from './log'
import { WebhookOutbox, type OutboxOptions } from './webhooks'
import { UserDirectory } from '../user-directory'
import { rootOf } from '../forum/tree'

export interface ActivityServiceOptions {
  log?: (msg: string, err?: unknown) => void
  outbox?: OutboxOptions
  trimEvery?: number
  /** Called after an activity is queued for webhooks (NodeBB: start a delivery pass soon). */
  onQueued?: () => void
}

/**
 * Activity: NodeBB hook payloads -> entries in the log (Sunbird forums only) -> webhook outbox;
 * and the list, filtered to what the acting user may read.
 */
export class ActivityService {
  readonly log: ActivityLog
  readonly outbox: WebhookOutbox

  private readonly directory: UserDirectory

  constructor (private readonly platform: Platform, private readonly store: Store, private readonly settings: SettingsStore, private readonly options: ActivityServiceOptions = {}) {
    this.directory = new UserDirectory(platform, store)
    this.log = new ActivityLog(platform.db, { now: () => platform.now(), trimEvery: options.trimEvery ?? 100, retention: () => this.retention() })
    this.outbox = new WebhookOutbox(platform.db, async () => {
      const s = parseAcpSettings(await settings.read())
      return { urls: s.webhookUrls, secret: s.webhookSecret, allowPrivate: s.webhookAllowPrivate }
    }, { now: () => platform.now(), ...(options.log === undefined ? {} : { log: options.log }), ...options.outbox })
  }

  async retention (): Promise<Retention> {
    const s = parseAcpSettings(await this.settings.read())
    return { days: s.activityRetentionDays, count: s.activityRetentionCount }
  }

  /** One NodeBB action hook: its activities recorded (Sunbird forums only) and queued for webhooks. */
  async onHook (hook: string, payload: unknown): Promise<Activity[]> {
    const reader = activityHooks[hook]
    if (reader === undefined || payload === null || typeof payload !== 'object') return []
    const recorded: Activity[] = []
    for (const event of reader.read(payload as Record<string, unknown>)) {
      const activity = await this.resolve(event)
      if (activity === null) continue
      await this.log.record(activity)
      if (await this.outbox.enqueue(activity) > 0) this.options.onQueued?.()
      recorded.push(activity)
    }
    return recorded
  }

  /** Fills in what the payload lacked (the topic's title as stored); null when the event is not in a Sunbird forum. */
  async resolve (event: ActivityEvent): Promise<NodebbActivity | null> {
    let { tid, cid, uid } = event
    if (tid === null && event.pid !== null) {
      const [post] = await this.platform.getPosts([event.pid])
      if (post === null || post === undefined) return null
      tid = post.tid
    }
    if (tid === null) return null
    const [stored] = await this.platform.getTopics([tid])
    // a purged topic is gone from the database: its payload says what it was
    const topic = stored ?? (event.gone === undefined || cid === null ? null : { cid, title: event.gone.title, slug: event.gone.slug ?? String(tid) })
    if (topic === null || topic === undefined) return null
    cid ??= topic.cid
    const { title, slug } = topic
    let forum = cid === null ? null : await this.store.getForum(cid)
    if (forum === null && event.fromCid !== undefined && event.fromCid !== null) forum = await this.store.getForum(event.fromCid)
    if (forum === null) return null
    if (uid < 0) uid = 0
    const identifier = uid > 0 ? (await this.directory.sunbirdIdsOf([uid])).get(uid) : undefined
    const site = this.platform.siteUrl()
    const time = this.platform.now()
    const pid = event.pid
    return {
      id: this.log.newId(time),
      verb: event.verb,
      actor: { identifier: identifier ?? null, uid },
      object: {
        type: event.type,
        id: String(event.type === 'post' && pid !== null ? pid : tid),
        topic: String(tid),
        title,
        url: event.type === 'post' && pid !== null ? `${site}/post/${pid}` : `${site}/topic/${slug}`
      },
      forum: { identifier: String(forum.cid), root: String(await rootOf(this.store, forum)), context: forum.context },
      time
    }
  }

  private async descendants (cid: number): Promise<number[]> {
    const all = [cid]
    for (let i = 0; i < all.length && all.length < 10_000; i++) all.push(...await this.store.childrenOf(all[i] as number))
    return all
  }

  /** A page of activity, newest first, limited to forums `uid` may read. */
  async list (request: ActivityListRequest, uid: number): Promise<ActivityListResult> {
    const limit = request.limit ?? activityLimits.defaultLimit
    const offset = request.offset ?? 0
    let keys: string[] | undefined
    const filters: Array<(a: Activity) => boolean> = []
    if (request.forum !== undefined) {
      const cid = Number(request.forum)
      if (await this.store.getForum(cid) === null) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${request.forum}`)
      keys = (request.includeDescendants === true ? await this.descendants(cid) : [cid]).map(activityKeys.forum)
    }
    if (request.context !== undefined) {
      const context = request.context
      if (request.forum === undefined) keys = [activityKeys.context(context)]
      else filters.push((a) => contextOf(a).type === context.type && contextOf(a).identifier === context.identifier)
    }
    if (request.user !== undefined) {
      const actor = await this.directory.requireOne(request.user)
      if (request.forum === undefined && request.context === undefined) keys = [activityKeys.user(actor)]
      else filters.push((a) => a.actor.uid === actor)
    }
    keys ??= [activityKeys.all]
    if (request.verbs !== undefined) {
      const verbs = new Set<string>(request.verbs)
      filters.push((a) => verbs.has(a.verb))
    }
    const readAll = await this.platform.isAdministrator(uid)
    const page = await this.log.page({
      keys,
      since: request.since,
      until: request.until,
      limit,
      offset,
      keep: filters.length === 0 ? undefined : (a) => filters.every((f) => f(a)),
      keepChunk: readAll ? undefined : (activities) => this.readable(activities, uid)
    })
    return { activities: page.activities, count: page.count, countExact: page.countExact, offset: offset + limit < page.count ? offset + limit : null }
  }

  /**
   * What uid may see: the forum the activity happened in is readable, and its topic or post is
   * visible now as NodeBB decides for its own lists. An entry about a deleted topic or post (its
   * title included) is shown only to those who may view deleted posts there; a purged one to nobody
   * but administrators (who skip this filter).
   */
  private async readable (activities: Activity[], uid: number): Promise<Activity[]> {
    const nodebb = activities.filter((a): a is NodebbActivity => !isAppActivity(a))
    const apps = activities.filter(isAppActivity)
    const ids = (type: 'topic' | 'post'): number[] => [...new Set(nodebb.filter((a) => a.object.type === type).map((a) => Number(a.object.id)))]
    // an app's event without a forum is the context's: readable by whoever reads one of its forums
    const contexts = new Map<string, AppActivity['context']>()
    for (const a of apps) if (a.forum === null) contexts.set(contextKey(a.context), a.context)
    const contextCids = new Map<string, number[]>()
    for (const [key, context] of contexts) contextCids.set(key, await this.store.contextForums(context))
    const cids = [...new Set([...activities.flatMap((a) => a.forum === null ? [] : [Number(a.forum.identifier)]), ...[...contextCids.values()].flat()])]
    const [forums, topics, posts] = await Promise.all([
      this.platform.readableCids(cids, uid, 'topics:read'),
      this.platform.visibleTopics(ids('topic'), uid),
      this.platform.visiblePosts(ids('post'), uid)
    ])
    const allowed = new Set(forums)
    const visible = { topic: new Set(topics), post: new Set(posts) }
    return activities.filter((a) => {
      if (!isAppActivity(a)) return allowed.has(Number(a.forum.identifier)) && visible[a.object.type].has(Number(a.object.id))
      if (a.forum !== null) return allowed.has(Number(a.forum.identifier))
      return (contextCids.get(contextKey(a.context)) ?? []).some((cid) => allowed.has(cid))
    })
  }

  /**
   * An app's own event (POST /api/activity/v1/create; administrators only, the adapter lets only
   * services and administrators call): checked before anything is written, then recorded and
   * queued for webhooks as NodeBB's events are.
   */
  async create (request: ActivityCreateRequest, uid: number): Promise<ActivityCreateResult> {
    if (!await this.platform.isAdministrator(uid)) throw new ApiError('FORBIDDEN', 'Only services and administrators put events into the activity stream')
    if (isNodebbVerb(request.verb)) throw new ApiError('INVALID_REQUEST', `request.verb ${request.verb} is NodeBB's own; an app's event needs a verb of its own`)
    const actorUid = await this.directory.requireOne(request.actor)
    const identifier = (await this.directory.sunbirdIdsOf([actorUid])).get(actorUid) ?? request.actor
    let forum: AppActivity['forum'] = null
    if (request.forum !== undefined) {
      const record = await this.store.getForum(Number(request.forum))
      if (record === null) throw new ApiError('FORUM_NOT_FOUND', `No Sunbird forum ${request.forum}`)
      if (contextKey(record.context) !== contextKey(request.context)) throw new ApiError('INVALID_REQUEST', `Forum ${request.forum} belongs to another context`)
      forum = { identifier: String(record.cid), root: String(await rootOf(this.store, record)), context: record.context }
    }
    const time = request.time ?? this.platform.now()
    const activity: AppActivity = {
      id: this.log.newId(time),
      source: 'app',
      verb: request.verb,
      actor: { identifier, uid: actorUid },
      object: { type: request.object.type, id: request.object.identifier, ...(request.object.title === undefined ? {} : { title: request.object.title }) },
      context: request.context,
      forum,
      time
    }
    await this.log.record(activity)
    if (await this.outbox.enqueue(activity) > 0) this.options.onQueued?.()
    return { identifier: activity.id }
  }
}

function contextKey (context: { type: string, identifier: string }): string {
  return `${context.type}\n${context.identifier}`
}
