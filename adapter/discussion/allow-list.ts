/**
 * What the discussion passthrough forwards to NodeBB (README, "Discussions through the adapter"):
 * one row per method and NodeBB path. Anything not here is 404 in the envelope and never reaches
 * NodeBB: admin routes, user administration, tokens, plugin routes, chats, settings, purges.
 * NodeBB's own privileges decide, for the acting user, what each allowed call may see or change.
 *
 * Path segments are literals or `:name` parameters. Parameters named in `numericParams` are ids
 * (digits only); the others are one path segment of text (a slug, a tag, a notification id).
 */
export type PassthroughMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface AllowEntry {
  /** The metric label and log name of calls through this row. */
  name: string
  method: PassthroughMethod
  /** The NodeBB path, from its root. */
  path: string
}

export const numericParams: ReadonlySet<string> = new Set(['cid', 'tid', 'pid', 'index', 'uid'])

export const allowList: readonly AllowEntry[] = [
  // NodeBB's Read API (the JSON of its pages)
  { name: 'categories', method: 'GET', path: '/api/categories' },
  { name: 'category', method: 'GET', path: '/api/category/:cid' },
  { name: 'category.slug', method: 'GET', path: '/api/category/:cid/:slug' },
  { name: 'topic', method: 'GET', path: '/api/topic/:tid' },
  { name: 'topic.slug', method: 'GET', path: '/api/topic/:tid/:slug' },
  { name: 'topic.page', method: 'GET', path: '/api/topic/:tid/:slug/:index' },
  { name: 'post', method: 'GET', path: '/api/post/:pid' },
  { name: 'user.profile', method: 'GET', path: '/api/user/:userslug' },
  { name: 'user.topics', method: 'GET', path: '/api/user/:userslug/topics' },
  { name: 'user.posts', method: 'GET', path: '/api/user/:userslug/posts' },
  { name: 'tags', method: 'GET', path: '/api/tags' },
  { name: 'tag', method: 'GET', path: '/api/tags/:tag' },
  { name: 'unread', method: 'GET', path: '/api/unread' },
  { name: 'recent', method: 'GET', path: '/api/recent' },
  { name: 'popular', method: 'GET', path: '/api/popular' },
  { name: 'top', method: 'GET', path: '/api/top' },
  { name: 'notifications', method: 'GET', path: '/api/notifications' },
  { name: 'search', method: 'GET', path: '/api/search' },
  // NodeBB's Write API v3: reads
  { name: 'v3.category', method: 'GET', path: '/api/v3/categories/:cid' },
  { name: 'v3.category.topics', method: 'GET', path: '/api/v3/categories/:cid/topics' },
  { name: 'v3.topic', method: 'GET', path: '/api/v3/topics/:tid' },
  { name: 'v3.post', method: 'GET', path: '/api/v3/posts/:pid' },
  { name: 'v3.post.raw', method: 'GET', path: '/api/v3/posts/:pid/raw' },
  { name: 'v3.notifications', method: 'GET', path: '/api/v3/notifications' },
  { name: 'v3.notifications.count', method: 'GET', path: '/api/v3/notifications/count' },
  // NodeBB's Write API v3: what a member does (and a moderator, where NodeBB allows it)
  { name: 'topic.create', method: 'POST', path: '/api/v3/topics' },
  { name: 'topic.reply', method: 'POST', path: '/api/v3/topics/:tid' },
  { name: 'post.edit', method: 'PUT', path: '/api/v3/posts/:pid' },
  { name: 'post.delete', method: 'DELETE', path: '/api/v3/posts/:pid/state' },
  { name: 'post.restore', method: 'PUT', path: '/api/v3/posts/:pid/state' },
  { name: 'post.vote', method: 'PUT', path: '/api/v3/posts/:pid/vote' },
  { name: 'post.unvote', method: 'DELETE', path: '/api/v3/posts/:pid/vote' },
  { name: 'post.bookmark', method: 'PUT', path: '/api/v3/posts/:pid/bookmark' },
  { name: 'post.unbookmark', method: 'DELETE', path: '/api/v3/posts/:pid/bookmark' },
  { name: 'topic.follow', method: 'PUT', path: '/api/v3/topics/:tid/follow' },
  { name: 'topic.unfollow', method: 'DELETE', path: '/api/v3/topics/:tid/follow' },
  { name: 'topic.tags.set', method: 'PUT', path: '/api/v3/topics/:tid/tags' },
  { name: 'topic.tags.add', method: 'PATCH', path: '/api/v3/topics/:tid/tags' },
  { name: 'topic.tags.remove', method: 'DELETE', path: '/api/v3/topics/:tid/tags' },
  { name: 'topic.pin', method: 'PUT', path: '/api/v3/topics/:tid/pin' },
  { name: 'topic.unpin', method: 'DELETE', path: '/api/v3/topics/:tid/pin' },
  { name: 'topic.lock', method: 'PUT', path: '/api/v3/topics/:tid/lock' },
  { name: 'topic.unlock', method: 'DELETE', path: '/api/v3/topics/:tid/lock' },
  { name: 'topic.delete', method: 'DELETE', path: '/api/v3/topics/:tid/state' },
  { name: 'topic.restore', method: 'PUT', path: '/api/v3/topics/:tid/state' },
  { name: 'notification.read', method: 'PUT', path: '/api/v3/notifications/:nid/read' },
  // not uploads: NodeBB 4.11 stores an upload before its CSRF check refuses a token call, and never
  // deletes it, so forwarding one would leave a file in NodeBB's folder on every attempt
]
