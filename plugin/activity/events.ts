import type { ActivityVerb } from '../../shared/schemas/activity'

/**
 * NodeBB's action hooks (v4.11) and the activity each one means. Pure: a hook's payload in, the
 * facts it carries out; what is missing (a vote carries only the pid) is looked up when recorded.
 */
export interface ActivityEvent {
  verb: ActivityVerb
  /** The acting uid (0 when NodeBB names no local user, e.g. a remote ActivityPub actor). */
  uid: number
  type: 'topic' | 'post'
  tid: number | null
  pid: number | null
  cid: number | null
  /** A move: the category it left (recorded in the destination when that is a Sunbird forum, else here). */
  fromCid?: number | null
  /** The payload's topic title and slug: used only when the topic is gone from the database (a purge). */
  gone?: { title: string, slug?: string }
}

type Payload = Record<string, unknown>

/** A positive integer id from NodeBB's strings or numbers; null for anything else (remote ids are URIs). */
export function intId (value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^[0-9]{1,15}$/.test(value) ? Number(value) : NaN
  return Number.isSafeInteger(n) && n > 0 ? n : null
}

function obj (value: unknown): Payload {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Payload : {}
}

/**
 * The title as written, from a payload's topic: NodeBB 4.11 hands hooks `title` HTML-escaped with
 * `titleRaw` beside it (only `[[`/`]]` escaped, for its translator); 4.14 gives `title` as written.
 */
function payloadTitle (topic: Payload): { title: string, slug?: string } | undefined {
  const raw = topic.titleRaw ?? topic.title
  if (typeof raw !== 'string') return undefined
  const title = raw.replace(/&#91;/g, '[').replace(/&#93;/g, ']')
  return typeof topic.slug === 'string' ? { title, slug: topic.slug } : { title }
}

// The topic's title and slug are read from the database when the activity is recorded (NodeBB 4.11
// HTML-escapes them in hook payloads); the payload's are kept for a purge, when the topic is gone.
function fromTopic (verb: ActivityVerb, topic: Payload, uid: unknown, pid: unknown = null): ActivityEvent {
  const event: ActivityEvent = { verb, uid: intId(uid) ?? 0, type: 'topic', tid: intId(topic.tid), pid: intId(pid), cid: intId(topic.cid) }
  const gone = payloadTitle(topic)
  if (gone !== undefined) event.gone = gone
  return event
}

function fromPost (verb: ActivityVerb, post: Payload, uid: unknown): ActivityEvent {
  const topic = obj(post.topic)
  return { verb, uid: intId(uid) ?? 0, type: 'post', tid: intId(post.tid ?? topic.tid), pid: intId(post.pid), cid: intId(post.cid ?? topic.cid) }
}

/**
 * Hook name -> the plugin.json method that receives it and how its payload reads. Topics are
 * recorded from `action:topic.post` and replies from `action:topic.reply` rather than from
 * `action:post.save`: those fire once the post is complete and carry the topic (title, slug).
 */
export const activityHooks: Record<string, { method: string, read: (payload: Payload) => ActivityEvent[] }> = {
  'action:topic.post': { method: 'onTopicPost', read: (p) => [fromTopic('topic.create', obj(p.topic), obj(p.topic).uid, obj(p.post).pid)] },
  'action:topic.reply': { method: 'onTopicReply', read: (p) => [fromPost('post.reply', obj(p.post), obj(p.post).uid)] },
  'action:post.edit': { method: 'onPostEdit', read: (p) => [fromPost('post.edit', obj(p.post), p.uid)] },
  'action:post.delete': { method: 'onPostDelete', read: (p) => [fromPost('post.delete', obj(p.post), p.uid)] },
  'action:post.restore': { method: 'onPostRestore', read: (p) => [fromPost('post.restore', obj(p.post), p.uid)] },
  'action:posts.purge': { method: 'onPostsPurge', read: (p) => (Array.isArray(p.posts) ? p.posts : []).map((post) => fromPost('post.purge', obj(post), p.uid)) },
  'action:post.upvote': { method: 'onPostUpvote', read: (p) => [fromPost('post.upvote', { pid: p.pid }, p.uid)] },
  'action:post.downvote': { method: 'onPostDownvote', read: (p) => [fromPost('post.downvote', { pid: p.pid }, p.uid)] },
  'action:post.unvote': { method: 'onPostUnvote', read: (p) => [fromPost('post.unvote', { pid: p.pid }, p.uid)] },
  'action:topic.lock': { method: 'onTopicLock', read: (p) => [fromTopic(truthy(obj(p.topic).locked) ? 'topic.lock' : 'topic.unlock', obj(p.topic), p.uid)] },
  'action:topic.pin': { method: 'onTopicPin', read: (p) => [fromTopic(truthy(obj(p.topic).pinned) ? 'topic.pin' : 'topic.unpin', obj(p.topic), p.uid)] },
  'action:topic.move': {
    method: 'onTopicMove',
    read: (p) => [{ verb: 'topic.move', uid: intId(p.uid) ?? 0, type: 'topic', tid: intId(p.tid), pid: null, cid: intId(p.toCid), fromCid: intId(p.fromCid) }]
  },
  'action:topic.delete': { method: 'onTopicDelete', read: (p) => [fromTopic('topic.delete', obj(p.topic), p.uid)] },
  'action:topic.restore': { method: 'onTopicRestore', read: (p) => [fromTopic('topic.restore', obj(p.topic), p.uid)] },
  'action:topics.purge': { method: 'onTopicsPurge', read: (p) => (Array.isArray(p.topics) ? p.topics : []).map((topic) => fromTopic('topic.purge', obj(topic), p.uid)) }
}

function truthy (value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true'
}
