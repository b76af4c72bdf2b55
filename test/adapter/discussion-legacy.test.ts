import t, { type Test } from 'tap'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { appWithStandIn, type AppWithStandIn } from './stand-in-app'
import type { ForumAnswer } from './nodebb-stand-in'
import { apiRsaToken, callerHeaders, userToken } from '../tokens'
import { closedLegacyRoutes, legacyRoutes } from '../../adapter/discussion/legacy-routes'
import { resolvePassthrough } from '../../adapter/discussion/resolve'
import { deletedPostKey } from '../../adapter/discussion/legacy-answers'

/**
 * Sunbird's existing UI through the passthrough's legacy table, against the NodeBB stand-in: what
 * each old path becomes at NodeBB, as whom, and what the UI gets back; the old plugins' routes
 * served by the adapter and the plugin; and everything that must never reach NodeBB.
 */
interface World extends AppWithStandIn {
  learnerUid: number
  call: (options: InjectOptions) => Promise<{ status: number, body: any, raw: string }>
}

/** A client consumer (the portal) with the learner's token, JSON content type on every call as the UI's HTTP client sends it. */
const learner = (id = 'learner-1'): Record<string, string> => ({
  authorization: `Bearer ${apiRsaToken()}`,
  'x-authenticated-user-token': userToken(id),
  'content-type': 'application/json'
})

async function inject (app: FastifyInstance, options: InjectOptions): Promise<{ status: number, body: any, raw: string }> {
  const res = await app.inject(options)
  let body: any = null
  try { body = res.json() } catch {}
  return { status: res.statusCode, body, raw: res.body }
}

async function world (t: Test): Promise<World> {
  const w = await appWithStandIn(t)
  const created = await w.send({ method: 'POST', url: '/api/user/v1/create', headers: callerHeaders(), payload: { request: { identifier: 'learner-1', username: 'learner1' } } })
  t.equal(created.status, 200, created.raw)
  w.reset()
  return { ...w, learnerUid: created.body.result.uid as number, call: async (options) => await inject(w.app, { ...options, headers: { ...learner(), ...options.headers } }) }
}

const json = (status: number, body: unknown): ForumAnswer => ({ status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) })
const sample = (path: string): string => path.replace(/:(cid|tid|pid|uid)/g, '12').replace(/:\w+/g, 'some-slug')

t.test('every legacy row resolves to its NodeBB target; a trailing slash is tolerated on them only', async (t) => {
  for (const route of legacyRoutes) {
    const resolved = resolvePassthrough(route.method, sample(route.path) + '?page=2')
    t.equal(resolved?.legacy, route, `${route.method} ${route.path}`)
    t.equal(resolved?.query, 'page=2')
    if (route.kind === 'read') t.equal(resolved?.path, sample(route.target))
    if (route.kind === 'write') t.equal(resolved?.path, sample(route.target.path))
    t.equal(resolvePassthrough(route.method, sample(route.path) + '/?page=2')?.legacy, route, 'trailing slash')
  }
  t.equal(resolvePassthrough('GET', '/topic/12/?page=1&sort=voted')?.path, '/api/topic/12', 'the UI\'s sorted topic read')
  t.equal(resolvePassthrough('GET', '/api/categories/'), null, 'the allow-list\'s NodeBB paths stay exact')
  t.equal(resolvePassthrough('GET', '/topic/12//'), null, 'one trailing slash, not two')
  t.equal(resolvePassthrough('GET', '/topic/1x'), null, 'ids are digits')
  t.equal(resolvePassthrough('GET', '/user/uid/abc'), null)
  t.equal(resolvePassthrough('GET', '/user/%2e%2e/posts'), null, 'no dot segments')
  t.equal(resolvePassthrough('GET', '/tags/a%2Fb'), null, 'no encoded slash')
  t.equal(resolvePassthrough('POST', '/categories'), null, 'methods matter')
  t.equal(resolvePassthrough('GET', '/tags/%3Cb%3E%26%20%C3%A9')?.path, '/api/tags/%3Cb%3E%26%20%C3%A9', 'a tag is one segment, re-encoded')
  for (const closed of closedLegacyRoutes) {
    t.equal(resolvePassthrough(closed.method, sample(closed.path))?.legacy ?? null, null, `${closed.method} ${closed.path} is closed`)
  }
})

t.test('reads go to NodeBB 4\'s read API as the learner, the answer as NodeBB sent it', async (t) => {
  const w = await world(t)
  const res = await w.call({ method: 'GET', url: '/discussion/user/learner1/bookmarks?page=1' })
  t.equal(res.status, 200)
  const call = w.nodebb.calls.at(-1)
  t.equal(call?.path, '/api/user/learner1/bookmarks')
  t.equal(call?.query, `_uid=${w.learnerUid}&page=1`, 'the learner\'s uid first')
  t.equal(call?.headers.authorization, `Bearer ${w.nodebb.token}`)
  t.equal(res.body.echo.uid, String(w.learnerUid))
  for (const url of ['/discussion/categories', '/discussion/category/5?page=1', '/discussion/topic/12/voted?page=1', '/discussion/topic/12/?page=1&sort=voted', '/discussion/unread/total', '/discussion/user/uid/7', '/discussion/topic/teaser/3', '/discussion/topic/pagination/3', '/discussion/popular']) {
    t.equal((await w.call({ method: 'GET', url })).status, 200, url)
  }
  t.same(w.nodebb.calls.slice(-9).map((c) => c.path), ['/api/categories', '/api/category/5', '/api/topic/12/voted', '/api/topic/12', '/api/unread/total', '/api/user/uid/7', '/api/topic/teaser/3', '/api/topic/pagination/3', '/api/popular'])
})

t.test('the _uid rule and the tokens hold on the legacy rows too', async (t) => {
  const w = await world(t)
  for (const query of ['_uid=1', '%5B_uid%5D=1', 'a[_uid]=1', '_u%69d=1']) {
    const res = await w.call({ method: 'GET', url: `/discussion/categories?${query}` })
    t.equal(res.status, 400, query)
    t.equal(res.body.params.err, 'INVALID_REQUEST')
    const write = await w.call({ method: 'POST', url: `/discussion/v2/topics/12?${query}`, payload: { content: 'x' } })
    t.equal(write.status, 400, `write ${query}`)
  }
  t.equal(w.reached(), 0, 'nothing reached NodeBB')
  const anonymous = await inject(w.app, { method: 'GET', url: '/discussion/categories', headers: { authorization: `Bearer ${apiRsaToken()}` } })
  t.equal(anonymous.status, 401, 'a client consumer needs the user\'s token')
  const body = await w.call({ method: 'POST', url: '/discussion/v2/topics/12', payload: { content: 'x', _uid: 1 } })
  t.equal(body.status, 200)
  t.equal(w.nodebb.calls.at(-1)?.uid, String(w.learnerUid), 'a body _uid is overwritten')
})

t.test('topic and topic-list pages leave out the deleted posts and topics the user may not see, and keep what they may', async (t) => {
  const w = await world(t)
  const page = { tid: 12, title: 'Q & "A" <b>', posts: [{ pid: 1, content: 'main', deleted: 0 }, { pid: 2, content: deletedPostKey, deleted: 1 }, { pid: 3, content: 'own, deleted', deleted: 1, selfPost: true }] }
  w.nodebb.forum = () => json(200, page)
  const res = await w.call({ method: 'GET', url: '/discussion/topic/12/slug?page=1' })
  t.equal(res.status, 200)
  t.same(res.body.posts.map((p: { pid: number }) => p.pid), [1, 3])
  t.equal(res.body.title, 'Q & "A" <b>')
  w.nodebb.forum = () => json(200, { cid: 5, topics: [{ tid: 1, deleted: 0, title: 'open' }, { tid: 2, deleted: 1, title: '[[topic:topic-is-deleted]]' }] })
  for (const url of ['/discussion/category/5?page=1', '/discussion/recent', '/discussion/popular', '/discussion/tags/maths']) {
    const list = await w.call({ method: 'GET', url })
    t.same(list.body.topics.map((x: { tid: number }) => x.tid), [1], `${url}: a deleted topic NodeBB hid is left out`)
  }
  w.nodebb.forum = () => json(404, { status: { code: 'not-found', message: '[[error:no-topic]]' }, response: {} })
  const missing = await w.call({ method: 'GET', url: '/discussion/topic/99' })
  t.equal(missing.status, 404, 'NodeBB\'s refusal as it came')
})

t.test('write API v2 -> v3: NodeBB 4\'s method and path, the same body, the v2 answer', async (t) => {
  const w = await world(t)
  const cases: Array<[string, string, unknown, string, string]> = [
    ['POST', '/discussion/v2/topics', { cid: 5, title: 'Q & A', content: 'é <b>', tags: ['t1'] }, 'POST', '/api/v3/topics'],
    ['POST', '/discussion/v2/topics/12', { content: 'reply', toPid: 3 }, 'POST', '/api/v3/topics/12'],
    ['POST', '/discussion/v2/posts/7', { content: 'edited', title: '', tags: [], uid: 99 }, 'PUT', '/api/v3/posts/7'],
    ['POST', '/discussion/v2/posts/7/vote', { delta: 1 }, 'PUT', '/api/v3/posts/7/vote'],
    ['DELETE', '/discussion/v2/posts/7/vote', undefined, 'DELETE', '/api/v3/posts/7/vote'],
    ['POST', '/discussion/v2/posts/7/bookmark', undefined, 'PUT', '/api/v3/posts/7/bookmark'],
    ['DELETE', '/discussion/v2/posts/7/bookmark', undefined, 'DELETE', '/api/v3/posts/7/bookmark'],
    ['PUT', '/discussion/v2/topics/12/follow', undefined, 'PUT', '/api/v3/topics/12/follow']
  ]
  w.nodebb.forum = (call) => json(200, { status: { code: 'ok', message: 'OK' }, response: { got: call.body } })
  for (const [method, url, payload, nodebbMethod, nodebbPath] of cases) {
    const res = await w.call({ method: method as 'GET', url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })
    t.equal(res.status, 200, url)
    const call = w.nodebb.calls.at(-1)
    t.equal(call?.method, nodebbMethod, url)
    t.equal(call?.path, nodebbPath)
    t.same(call?.body, { ...(payload as object ?? {}), _uid: w.learnerUid }, 'the same body, the learner\'s uid')
    t.equal(call?.query, `_uid=${w.learnerUid}`)
    t.same(res.body, { code: 'ok', payload: { got: { ...(payload as object ?? {}), _uid: w.learnerUid } } })
  }
  w.nodebb.forum = () => json(400, { status: { code: 'bad-request', message: 'Title too short' }, response: {} })
  const refused = await w.call({ method: 'POST', url: '/discussion/v2/topics', payload: { cid: 5, title: '', content: 'x' } })
  t.equal(refused.status, 400)
  t.equal(refused.body.code, 'bad-request')
  t.equal(refused.body.message.split('|')[1].trim(), 'Title too short', 'the UI shows what follows `|`')
  w.nodebb.failNext('html')
  const broken = await w.call({ method: 'POST', url: '/discussion/v2/topics/12', payload: { content: 'x' } })
  t.equal(broken.status, 502)
  t.equal(broken.body.code, 'internal-server-error')
  const notObject = await w.call({ method: 'POST', url: '/discussion/v2/topics', payload: '[1]' })
  t.equal(notObject.status, 400)
  t.equal(notObject.body.params.err, 'INVALID_REQUEST')
})

t.test('v2 deletes: a moderator\'s purge, or the owner\'s soft delete when NodeBB refuses the purge', async (t) => {
  const w = await world(t)
  w.nodebb.forum = (call) => call.path.endsWith('/state')
    ? json(200, { status: { code: 'ok', message: 'OK' }, response: {} })
    : json(403, { status: { code: 'forbidden', message: '[[error:no-privileges]]' }, response: {} })
  const res = await w.call({ method: 'DELETE', url: '/discussion/v2/posts/7?uid=3' })
  t.equal(res.status, 200)
  t.same(res.body, { code: 'ok', payload: {} })
  t.same(w.nodebb.calls.slice(-2).map((c) => `${c.method} ${c.path}`), ['DELETE /api/v3/posts/7', 'DELETE /api/v3/posts/7/state'])
  t.equal(w.nodebb.calls.at(-1)?.uid, String(w.learnerUid), 'as the learner, whatever ?uid= says')
  w.nodebb.forum = () => json(200, { status: { code: 'ok', message: 'OK' }, response: {} })
  await w.call({ method: 'DELETE', url: '/discussion/v2/topics/12' })
  t.same(w.nodebb.calls.at(-1)?.path, '/api/v3/topics/12', 'a moderator purges, as v2 did')
  w.nodebb.forum = () => json(403, { status: { code: 'forbidden', message: '[[error:no-privileges]]' }, response: {} })
  const neither = await w.call({ method: 'DELETE', url: '/discussion/v2/topics/12' })
  t.equal(neither.status, 403)
  t.equal(neither.body.code, 'forbidden')
})

t.test('closed middleware routes are 404 in the envelope and never reach NodeBB', async (t) => {
  const w = await world(t)
  for (const closed of closedLegacyRoutes) {
    const res = await w.call({ method: closed.method, url: `/discussion${sample(closed.path)}`, ...(closed.method === 'GET' ? {} : { payload: {} }) })
    t.equal(res.status, 404, `${closed.method} ${closed.path}`)
    t.equal(res.body.params.err, 'NOT_FOUND')
  }
  t.equal(w.reached(), 0)
})

t.test('user/v1/create: the token\'s own user, created or found, answered as the old plugin did', async (t) => {
  const w = await world(t)
  w.nodebb.forum = (call) => json(200, { uid: Number(call.path.split('/').at(-1)), userslug: 'newcomer' })
  const body = { request: { username: 'newcomer', identifier: 'newcomer-1' } }
  const first = await w.call({ method: 'POST', url: '/discussion/user/v1/create', payload: body, headers: learner('newcomer-1') })
  t.equal(first.status, 200, first.raw)
  t.equal(first.body.responseCode, 'OK')
  t.type(first.body.result.userId.uid, 'number')
  t.equal(first.body.result.userSlug, 'newcomer')
  t.equal(first.body.result.userName, 'newcomer')
  const again = await w.call({ method: 'POST', url: '/discussion/user/v1/create', payload: body, headers: learner('newcomer-1') })
  t.equal(again.status, 200, 'an existing user is a success')
  t.equal(again.body.result.userId.uid, first.body.result.userId.uid)
  const existing = await w.call({ method: 'POST', url: '/discussion/user/v1/create', payload: { request: { username: 'learner1', identifier: 'learner-1' } } })
  t.equal(existing.body.result.userId.uid, w.learnerUid, 'a user created before')
  w.reset()
  const other = await w.call({ method: 'POST', url: '/discussion/user/v1/create', payload: { request: { username: 'x', identifier: 'someone-else' } } })
  t.equal(other.status, 403)
  t.equal(other.body.params.err, 'FORBIDDEN')
  t.equal(w.reached(), 0, 'nothing reached NodeBB')
})

t.test('the old plugins\' routes refuse bad bodies before anything reaches NodeBB', async (t) => {
  const w = await world(t)
  const writes = w.nodebb.fake.writes
  const long = 'x'.repeat(300)
  const cases: Array<[string, unknown]> = [
    ['/discussion/user/v1/create', {}],
    ['/discussion/user/v1/create', { request: { username: 'a' } }],
    ['/discussion/user/v1/create', { request: { username: 5, identifier: 'learner-1' } }],
    ['/discussion/user/v1/create', { request: { username: 'a', identifier: 'learner-1', extra: 1 } }],
    ['/discussion/user/v1/create', { request: { username: 'a\u0000', identifier: 'learner-1' } }],
    ['/discussion/forum/v2/read', { request: { type: 'group' } }],
    ['/discussion/forum/v2/read', { request: { type: 'group', identifier: ['<script>'] } }],
    ['/discussion/forum/v2/read', { request: { type: 'group', identifier: Array.from({ length: 101 }, (_v, i) => `g${i}`) } }],
    ['/discussion/forum/v2/read', { request: { type: 'group', identifier: long } }],
    ['/discussion/forum/v3/create', { category: { name: 'G', context: [{ type: 'group', identifier: 'g1' }] } }],
    ['/discussion/forum/v3/create', { category: { name: 'G', pid: 'six', context: [{ type: 'group', identifier: 'g1' }] } }],
    ['/discussion/forum/v3/create', { category: { name: 'G', pid: 6, context: [] } }],
    ['/discussion/forum/v3/create', { category: { name: ' ', pid: 6, context: [{ type: 'group', identifier: 'g1' }] } }],
    ['/discussion/forum/v3/create', { category: { name: 'G', pid: 6, context: [{ type: 'group', identifier: 'g1' }, { type: 'group', identifier: 'g2' }] } }],
    ['/discussion/forum/v2/remove', { request: { sbType: 'group', sbIdentifier: 'g1' } }],
    ['/discussion/forum/v2/remove', { request: { sbType: 'group', sbIdentifier: 'g1', cid: [] } }],
    ['/discussion/forum/v2/remove', { request: { sbType: 'group', sbIdentifier: 'g1', cid: [-1] } }],
    ['/discussion/category/list', { request: { cids: 'all' } }],
    ['/discussion/category/list', { request: { cids: [1.5] } }],
    ['/discussion/category/list', { request: { cids: Array.from({ length: 101 }, (_v, i) => i + 1) } }],
    ['/discussion/forum/tags', { request: {} }],
    ['/discussion/tags/list', { request: { cid: [1] } }],
    ['/discussion/tags/list', { request: { cid: [1], tag: 'a/b' } }],
    ['/discussion/tags/list', { request: { cid: [1], tag: long } }]
  ]
  for (const [url, payload] of cases) {
    const res = await w.call({ method: 'POST', url, payload: payload as Record<string, unknown> })
    t.equal(res.status, 400, `${url} ${JSON.stringify(payload).slice(0, 80)}`)
    t.equal(res.body.params.err, 'INVALID_REQUEST')
    t.equal(res.body.params.status, 'failed')
  }
  t.equal(w.reached(), 0, 'nothing reached NodeBB')
  t.equal(w.nodebb.fake.writes, writes, 'nothing was written')
})

t.test('the aggregates: one request, composed from NodeBB 4\'s reads as the learner', async (t) => {
  const w = await world(t)
  const categories: Record<string, unknown> = {
    '/api/category/5': { cid: 5, name: 'G & "5"', topics: [{ tid: 1, cid: 5, tags: [{ value: 'maths', color: '#fff' }, { value: 'é' }] }, { tid: 2, cid: 5, tags: [{ value: 'maths' }] }] },
    '/api/category/6': { cid: 6, name: 'Six', topics: [{ tid: 3, cid: 6, tags: [] }] },
    '/api/tags/maths': { topics: [{ tid: 1, cid: 5 }, { tid: 9, cid: 9 }, { tid: 3, cid: 6 }] }
  }
  w.nodebb.forum = (call) => call.path in categories ? json(200, categories[call.path]) : json(403, { status: { code: 'forbidden', message: '[[error:no-privileges]]' }, response: {} })
  const list = await w.call({ method: 'POST', url: '/discussion/category/list', payload: { id: 'x', params: { msgid: 'm-1', did: null }, request: { cids: [6, '5', 7] } } })
  t.equal(list.status, 200, list.raw)
  t.same(list.body.result.map((c: { cid: number }) => c.cid), [6, 5], 'asked order; a category NodeBB refuses is left out')
  t.equal(list.body.result[1].name, 'G & "5"')
  t.equal(list.body.params.msgid, 'm-1')
  t.ok(w.nodebb.calls.slice(-3).every((c) => c.uid === String(w.learnerUid)), 'every read as the learner')
  const tags = await w.call({ method: 'POST', url: '/discussion/forum/tags', payload: { request: { cids: [5, 6] } } })
  t.same(tags.body.result, [{ value: 'maths', color: '#fff', score: 2 }, { value: 'é', score: 1 }])
  const topics = await w.call({ method: 'POST', url: '/discussion/tags/list', payload: { request: { cid: [5, 6], tag: 'maths' } } })
  t.same(topics.body.result.map((x: { tid: number }) => x.tid), [1, 3])
  t.equal(w.nodebb.calls.at(-1)?.path, '/api/tags/maths')
})

t.test('forum/v3/create under an ACP-allowed parent, forum/v2/read, forum/v2/remove', async (t) => {
  const w = await world(t)
  const parent = await w.nodebb.fake.createCategory({ name: 'Groups', description: '', parentCid: 0, isPrivate: false })
  const body = { category: { name: 'Group <b>&</b> "é"', pid: String(parent), description: '', id: '1', context: [{ type: 'group', identifier: 'g-1' }] } }
  const before = w.nodebb.fake.writes
  const refused = await w.call({ method: 'POST', url: '/discussion/forum/v3/create', payload: body })
  t.equal(refused.status, 403, 'the ACP allows no parent yet')
  t.equal(w.nodebb.fake.writes, before, 'nothing written')
  w.nodebb.fake.settings.legacyParentCids = [parent]
  const created = await w.call({ method: 'POST', url: '/discussion/forum/v3/create', payload: body })
  t.equal(created.status, 200, created.raw)
  const forum = created.body.result.forums[0]
  t.match(forum, { sbType: 'group', sbIdentifier: 'g-1' })
  t.same(forum.cids, [forum.newCid])
  t.equal(await w.nodebb.fake.db.getObjectField(`category:${forum.newCid}`, 'parentCid'), String(parent), 'under the parent named')
  t.ok(await w.nodebb.fake.db.isSortedSetMember(`group:cid:${forum.newCid}:privileges:groups:topics:create:members`, 'registered-users'), 'registered users may post, the old default')
  t.ok(await w.nodebb.fake.db.isSortedSetMember(`group:cid:${forum.newCid}:privileges:moderate:members`, String(w.learnerUid)), 'the creator moderates it')

  const read = await w.call({ method: 'POST', url: '/discussion/forum/v2/read', payload: { request: { identifier: ['g-1', 'g-none'], type: 'group' } } })
  t.equal(read.status, 200, read.raw)
  t.same(read.body.result, [{ sbType: 'group', sbIdentifier: 'g-1', cid: forum.newCid }])

  const otherContext = await w.call({ method: 'POST', url: '/discussion/forum/v2/remove', payload: { request: { sbType: 'group', sbIdentifier: 'g-2', cid: [forum.newCid] } } })
  t.equal(otherContext.status, 404, 'a forum of another context')
  const stranger = await w.call({ method: 'POST', url: '/discussion/forum/v2/remove', payload: { request: { sbType: 'group', sbIdentifier: 'g-1', cid: [forum.newCid] } }, headers: learner('stranger-1') })
  t.equal(stranger.status, 403, 'only its moderators')
  const removed = await w.call({ method: 'POST', url: '/discussion/forum/v2/remove', payload: { request: { sbType: 'group', sbIdentifier: 'g-1', cid: [forum.newCid] } } })
  t.equal(removed.status, 200, removed.raw)
  t.same(removed.body.result, { removed: [forum.newCid], deleted: [] })
  t.ok(await w.nodebb.fake.db.exists(`category:${forum.newCid}`), 'the forum and its discussions stay (the ACP\'s setting is off)')
  const gone = await w.call({ method: 'POST', url: '/discussion/forum/v2/read', payload: { request: { identifier: 'g-1', type: 'group' } } })
  t.same(gone.body.result, [])

  w.nodebb.fake.settings.legacyRemoveDeletes = true
  w.nodebb.fake.settings.legacyForumsPrivate = true
  const second = await w.call({ method: 'POST', url: '/discussion/forum/v3/create', payload: body })
  const cid = second.body.result.forums[0].newCid as number
  t.notOk(await w.nodebb.fake.db.isSortedSetMember(`group:cid:${cid}:privileges:groups:read:members`, 'registered-users'), 'private when the ACP says so')
  const deleted = await w.call({ method: 'POST', url: '/discussion/forum/v2/remove', payload: { request: { sbType: 'group', sbIdentifier: 'g-1', cid: [cid] } } })
  t.same(deleted.body.result, { removed: [cid], deleted: [cid] })
  t.notOk(await w.nodebb.fake.db.exists(`category:${cid}`), 'deleted with its discussions')
})
