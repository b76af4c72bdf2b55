import type { PassthroughMethod } from './allow-list'

/**
 * Sunbird's existing discussions UI and portal (docs/legacy-ui.md): the paths they call under
 * `DISCUSSION_PREFIX`, as the old discussions middleware served them, and what serves each now.
 * Matched by the same resolver as the allow-list, with the same tokens, `_uid` rule and metrics.
 *
 * - `read`: forwarded to NodeBB 4's read API as the user, NodeBB's answer as it is (a page that
 *   lists posts or topics without the deleted ones the user may not see);
 * - `write`: a write API v2 call made as its NodeBB 4 (v3) equivalent with the same body, answered
 *   in the v2 shape (`{ code, payload }`); `purgeOr`: v2 purged, so a moderator's call purges and,
 *   when NodeBB refuses that, the owner's soft delete is tried;
 * - `composed`: the old plugins' routes, served by the adapter (legacy-handlers.ts).
 *
 * Parameters named in allow-list.ts's `numericParams` are ids (digits only).
 */
export type LegacyComposed = 'user.create' | 'forum.read' | 'forum.create' | 'forum.remove' | 'category.list' | 'forum.tags' | 'tags.list'

interface LegacyBase {
  /** The metric label and log name (`discussion:legacy.<name>`). */
  name: string
  method: PassthroughMethod
  /** The path the UI sends, after the prefix. */
  path: string
}

export interface LegacyRead extends LegacyBase {
  kind: 'read'
  /** NodeBB 4's path, with the same `:name` parameters. */
  target: string
  /** A page listing posts or topics: the deleted ones the user may not see are left out (legacy-answers.ts). */
  hideDeleted?: true
}

export interface LegacyWrite extends LegacyBase {
  kind: 'write'
  target: { method: PassthroughMethod, path: string }
  /** Tried when NodeBB refuses the target with 403: the owner's soft delete where v2 purged. */
  orElse?: { method: PassthroughMethod, path: string }
}

export interface LegacyComposedRoute extends LegacyBase {
  kind: 'composed'
  handler: LegacyComposed
}

export type LegacyRoute = LegacyRead | LegacyWrite | LegacyComposedRoute

const read = (name: string, path: string, target: string, extra: Partial<LegacyRead> = {}): LegacyRead => ({ name, method: 'GET', path, kind: 'read', target, ...extra })
const write = (name: string, method: PassthroughMethod, path: string, target: LegacyWrite['target'], orElse?: LegacyWrite['target']): LegacyWrite =>
  orElse === undefined ? { name, method, path, kind: 'write', target } : { name, method, path, kind: 'write', target, orElse }
const composed = (name: string, path: string, handler: LegacyComposed): LegacyComposedRoute => ({ name, method: 'POST', path, kind: 'composed', handler })

export const legacyRoutes: readonly LegacyRoute[] = [
  // NodeBB's read API, as NodeBB 1.x served it at /api/X
  read('categories', '/categories', '/api/categories'),
  read('category', '/category/:cid', '/api/category/:cid', { hideDeleted: true }),
  read('category.slug', '/category/:cid/:slug', '/api/category/:cid/:slug', { hideDeleted: true }),
  read('category.moderators', '/categories/:cid/moderators', '/api/categories/:cid/moderators'),
  read('topic', '/topic/:tid', '/api/topic/:tid', { hideDeleted: true }),
  read('topic.slug', '/topic/:tid/:slug', '/api/topic/:tid/:slug', { hideDeleted: true }),
  read('topic.teaser', '/topic/teaser/:tid', '/api/topic/teaser/:tid'),
  read('topic.pagination', '/topic/pagination/:tid', '/api/topic/pagination/:tid'),
  read('recent', '/recent', '/api/recent', { hideDeleted: true }),
  read('recent.posts', '/recent/posts/:term', '/api/recent/posts/:term'),
  read('popular', '/popular', '/api/popular', { hideDeleted: true }),
  read('top', '/top', '/api/top', { hideDeleted: true }),
  read('unread', '/unread', '/api/unread', { hideDeleted: true }),
  read('unread.total', '/unread/total', '/api/unread/total'),
  read('tags', '/tags', '/api/tags'),
  read('tag', '/tags/:tag', '/api/tags/:tag', { hideDeleted: true }),
  read('notifications', '/notifications', '/api/notifications'),
  read('user.uid', '/user/uid/:uid', '/api/user/uid/:uid'),
  read('user', '/user/:userslug', '/api/user/:userslug'),
  read('user.posts', '/user/:userslug/posts', '/api/user/:userslug/posts'),
  read('user.bookmarks', '/user/:userslug/bookmarks', '/api/user/:userslug/bookmarks'),
  read('user.upvoted', '/user/:userslug/upvoted', '/api/user/:userslug/upvoted'),
  read('user.downvoted', '/user/:userslug/downvoted', '/api/user/:userslug/downvoted'),
  read('user.best', '/user/:userslug/best', '/api/user/:userslug/best'),
  read('post', '/v3/posts/:pid', '/api/v3/posts/:pid'),

  // nodebb-plugin-write-api v2 -> NodeBB 4's Write API v3
  write('v2.topic.create', 'POST', '/v2/topics', { method: 'POST', path: '/api/v3/topics' }),
  write('v2.topic.reply', 'POST', '/v2/topics/:tid', { method: 'POST', path: '/api/v3/topics/:tid' }),
  write('v2.topic.delete', 'DELETE', '/v2/topics/:tid', { method: 'DELETE', path: '/api/v3/topics/:tid' }, { method: 'DELETE', path: '/api/v3/topics/:tid/state' }),
  write('v2.topic.restore', 'PUT', '/v2/topics/:tid/state', { method: 'PUT', path: '/api/v3/topics/:tid/state' }),
  write('v2.topic.follow', 'PUT', '/v2/topics/:tid/follow', { method: 'PUT', path: '/api/v3/topics/:tid/follow' }),
  write('v2.topic.unfollow', 'DELETE', '/v2/topics/:tid/follow', { method: 'DELETE', path: '/api/v3/topics/:tid/follow' }),
  write('v2.topic.tags', 'PUT', '/v2/topics/:tid/tags', { method: 'PUT', path: '/api/v3/topics/:tid/tags' }),
  write('v2.topic.untag', 'DELETE', '/v2/topics/:tid/tags', { method: 'DELETE', path: '/api/v3/topics/:tid/tags' }),
  write('v2.topic.pin', 'PUT', '/v2/topics/:tid/pin', { method: 'PUT', path: '/api/v3/topics/:tid/pin' }),
  write('v2.topic.unpin', 'DELETE', '/v2/topics/:tid/pin', { method: 'DELETE', path: '/api/v3/topics/:tid/pin' }),
  write('v2.post.edit', 'POST', '/v2/posts/:pid', { method: 'PUT', path: '/api/v3/posts/:pid' }),
  write('v2.post.delete', 'DELETE', '/v2/posts/:pid', { method: 'DELETE', path: '/api/v3/posts/:pid' }, { method: 'DELETE', path: '/api/v3/posts/:pid/state' }),
  write('v2.post.restore', 'PUT', '/v2/posts/:pid/state', { method: 'PUT', path: '/api/v3/posts/:pid/state' }),
  write('v2.post.softdelete', 'DELETE', '/v2/posts/:pid/state', { method: 'DELETE', path: '/api/v3/posts/:pid/state' }),
  write('v2.post.vote', 'POST', '/v2/posts/:pid/vote', { method: 'PUT', path: '/api/v3/posts/:pid/vote' }),
  write('v2.post.unvote', 'DELETE', '/v2/posts/:pid/vote', { method: 'DELETE', path: '/api/v3/posts/:pid/vote' }),
  write('v2.post.bookmark', 'POST', '/v2/posts/:pid/bookmark', { method: 'PUT', path: '/api/v3/posts/:pid/bookmark' }),
  write('v2.post.unbookmark', 'DELETE', '/v2/posts/:pid/bookmark', { method: 'DELETE', path: '/api/v3/posts/:pid/bookmark' }),

  // nodebb-plugin-sunbird-oidc and nodebb-plugin-sunbird-api
  composed('user.create', '/user/v1/create', 'user.create'),
  composed('forum.read', '/forum/v2/read', 'forum.read'),
  composed('forum.create', '/forum/v3/create', 'forum.create'),
  composed('forum.remove', '/forum/v2/remove', 'forum.remove'),
  composed('category.list', '/category/list', 'category.list'),
  composed('forum.tags', '/forum/tags', 'forum.tags'),
  composed('tags.list', '/tags/list', 'tags.list')
]

/**
 * The middleware's other routes: administration (categories, groups, users, tokens, maintenance,
 * privileges, moderation queues) and lookups the UI never made. They stay 404 and never reach
 * NodeBB; listed so that docs/legacy-ui.md and its test account for every route the middleware had.
 */
export const closedLegacyRoutes: ReadonlyArray<{ method: PassthroughMethod, path: string }> = [
  ...['/forum/v2/create', '/privileges/v2/copy', '/forum/v3/user/profile', '/forum/v2/users/details', '/forum/v3/group/membership',
    '/forum/v3/groups/users', '/forum/v3/category/:cid/privileges', '/moderation/producer'].map((path) => ({ method: 'POST' as const, path })),
  // (`/user/admin/posts`, `.../bookmarks`, `.../upvoted`, `.../downvoted` were the pages of the user
  // named admin: the user rows above serve them, NodeBB's privileges deciding)
  ...['/groups', '/groups/:slug', '/groups/:slug/members', '/user/admin/watched', '/user/admin/info', '/user/admin/groups', '/post/pid/:pid',
    '/user/username/:username', '/moderation/consumer', '/v2/users/:uid/tokens'].map((path) => ({ method: 'GET' as const, path })),
  { method: 'POST', path: '/v2/topics/update/:tid' },
  { method: 'POST', path: '/v2/categories' },
  { method: 'PUT', path: '/v2/categories/:cid' },
  { method: 'DELETE', path: '/v2/categories/:cid' },
  { method: 'PUT', path: '/v2/categories/:cid/state' },
  { method: 'DELETE', path: '/v2/categories/:cid/state' },
  { method: 'PUT', path: '/v2/categories/:cid/privileges' },
  { method: 'DELETE', path: '/v2/categories/:cid/privileges' },
  { method: 'POST', path: '/v2/groups' },
  { method: 'DELETE', path: '/v2/groups/:slug' },
  { method: 'PUT', path: '/v2/groups/:slug/membership' },
  { method: 'PUT', path: '/v2/groups/:slug/membership/:uid' },
  { method: 'DELETE', path: '/v2/groups/:slug/membership' },
  { method: 'DELETE', path: '/v2/groups/:slug/membership/:uid' },
  { method: 'POST', path: '/v2/util/upload' },
  { method: 'POST', path: '/v2/util/maintenance' },
  { method: 'DELETE', path: '/v2/util/maintenance' },
  { method: 'POST', path: '/v2/users' },
  { method: 'PUT', path: '/v2/users/:uid' },
  { method: 'DELETE', path: '/v2/users/:uid' },
  { method: 'PUT', path: '/v2/users/:uid/password' },
  { method: 'PUT', path: '/v2/users/:uid/follow' },
  { method: 'DELETE', path: '/v2/users/:uid/follow' },
  { method: 'POST', path: '/v2/users/:uid/chats' },
  { method: 'PUT', path: '/v2/users/:uid/ban' },
  { method: 'DELETE', path: '/v2/users/:uid/ban' },
  { method: 'POST', path: '/v2/users/:uid/tokens' },
  { method: 'DELETE', path: '/v2/users/:uid/tokens/:token' }
]
