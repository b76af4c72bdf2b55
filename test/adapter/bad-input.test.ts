import t from 'tap'
import type { InjectOptions } from 'fastify'
import { appWithStandIn } from './stand-in-app'

/**
 * Bad input on every route: refused at the edge with the envelope, the right code and status,
 * and nothing sent to NodeBB.
 */

const ctx = { type: 'batch', identifier: 'b-1' }
const big = 'x'.repeat(10 * 1024)
const json = { 'content-type': 'application/json' }

interface Case {
  name: string
  inject: InjectOptions
  status?: number
  err?: string
}

const post = (url: string, payload: unknown): InjectOptions => ({ method: 'POST', url, headers: json, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) })
const patch = (url: string, payload: unknown): InjectOptions => ({ method: 'PATCH', url, headers: json, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) })

const userCreate = '/api/user/v1/create'
const forumCreate = '/api/forum/v1/create'
const forumFetch = '/api/forum/v1/fetch'
const update = '/api/forum/v1/update/1'

/** A child with `levels` levels of children below it. */
function nest (levels: number): Record<string, unknown> {
  let node: Record<string, unknown> = { name: 'leaf' }
  for (let i = 0; i < levels; i++) node = { name: 'n', children: [node] }
  return node
}

const cases: Case[] = [
  // user create
  { name: 'user create: no body', inject: { method: 'POST', url: userCreate } },
  { name: 'user create: missing request', inject: post(userCreate, { params: { msgid: 'm-1' } }) },
  { name: 'user create: request is a string', inject: post(userCreate, { request: 'u-1' }) },
  { name: 'user create: identifier is a number', inject: post(userCreate, { request: { identifier: 1, username: 'abc' } }) },
  { name: 'user create: missing username', inject: post(userCreate, { request: { identifier: 'u-1' } }) },
  { name: 'user create: empty identifier', inject: post(userCreate, { request: { identifier: '', username: 'abc' } }) },
  { name: 'user create: empty username', inject: post(userCreate, { request: { identifier: 'u-1', username: '' } }) },
  { name: 'user create: 10 kB username', inject: post(userCreate, { request: { identifier: 'u-1', username: big } }) },
  { name: 'user create: identifier with a space', inject: post(userCreate, { request: { identifier: 'a b', username: 'abc' } }) },
  { name: 'user create: identifier that is only a colon', inject: post(userCreate, { request: { identifier: ':', username: 'abc' } }) },
  { name: 'user create: control character in username', inject: post(userCreate, { request: { identifier: 'u-1', username: 'ab\u0000c' } }) },
  { name: 'user create: unknown field', inject: post(userCreate, { request: { identifier: 'u-1', username: 'abc', admin: true } }) },
  { name: 'user create: request is null', inject: post(userCreate, { params: { msgid: null }, request: null }) },
  { name: 'user create: __proto__ key', inject: post(userCreate, '{"request":{"identifier":"u-1","username":"abc","__proto__":{"isAdmin":true}}}') },
  { name: 'user create: constructor.prototype key', inject: post(userCreate, '{"request":{"identifier":"u-1","username":"abc","constructor":{"prototype":{"isAdmin":true}}}}') },
  { name: 'user create: malformed JSON', inject: post(userCreate, '{"request":') },
  { name: 'user create: text/plain', inject: { method: 'POST', url: userCreate, headers: { 'content-type': 'text/plain' }, payload: 'hello' }, status: 415, err: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'user create: GET', inject: { method: 'GET', url: userCreate }, status: 405, err: 'METHOD_NOT_ALLOWED' },
  // user read
  { name: 'user read: identifier with a space', inject: { method: 'GET', url: '/api/user/v1/read/a%20b' } },
  { name: 'user read: script in identifier', inject: { method: 'GET', url: '/api/user/v1/read/%3Cscript%3E' } },
  { name: 'user read: 150 characters', inject: { method: 'GET', url: `/api/user/v1/read/${'a'.repeat(150)}` } },
  { name: 'user read: 10 kB identifier', inject: { method: 'GET', url: `/api/user/v1/read/${big}` } },
  { name: 'user read: bad percent-encoding', inject: { method: 'GET', url: '/api/user/v1/read/%E0%A4%A' } },
  // forum create
  { name: 'forum create: missing request', inject: post(forumCreate, {}) },
  { name: 'forum create: missing context', inject: post(forumCreate, { request: { name: 'A' } }) },
  { name: 'forum create: empty name', inject: post(forumCreate, { request: { name: '', context: ctx } }) },
  { name: 'forum create: blank name', inject: post(forumCreate, { request: { name: '   ', context: ctx } }) },
  { name: 'forum create: 10 kB name', inject: post(forumCreate, { request: { name: big, context: ctx } }) },
  { name: 'forum create: name with a newline', inject: post(forumCreate, { request: { name: 'a\nb', context: ctx } }) },
  { name: 'forum create: name is a number', inject: post(forumCreate, { request: { name: 5, context: ctx } }) },
  { name: 'forum create: parent is a number', inject: post(forumCreate, { request: { name: 'A', context: ctx, parent: 1 } }) },
  { name: 'forum create: parent is not an id', inject: post(forumCreate, { request: { name: 'A', context: ctx, parent: '01' } }) },
  { name: 'forum create: public as a string', inject: post(forumCreate, { request: { name: 'A', context: ctx, public: 'yes' } }) },
  { name: 'forum create: context type with a colon', inject: post(forumCreate, { request: { name: 'A', context: { type: 'a:b', identifier: 'x' } } }) },
  { name: 'forum create: permissions empty', inject: post(forumCreate, { request: { name: 'A', context: ctx, groups: [{ permissions: [] }] } }) },
  { name: 'forum create: permissions a string', inject: post(forumCreate, { request: { name: 'A', context: ctx, groups: [{ permissions: 'read' }] } }) },
  { name: 'forum create: applyToChildren "yes"', inject: post(forumCreate, { request: { name: 'A', context: ctx, groups: [{ permissions: ['read'], applyToChildren: 'yes' }] } }) },
  { name: 'forum create: duplicate members', inject: post(forumCreate, { request: { name: 'A', context: ctx, groups: [{ permissions: ['read'], members: ['u-1', 'u-1'] }] } }) },
  { name: 'forum create: group name with a slash', inject: post(forumCreate, { request: { name: 'A', context: ctx, privileges: [{ permissions: ['read'], groups: ['a/b'] }] } }) },
  { name: 'forum create: unknown field in a child', inject: post(forumCreate, { request: { name: 'A', context: ctx, children: [{ name: 'c', owner: 'me' }] } }) },
  { name: 'forum create: __proto__ in context', inject: post(forumCreate, '{"request":{"name":"A","context":{"type":"batch","identifier":"b","__proto__":{"x":1}}}}') },
  { name: 'forum create: msgid over 128 characters', inject: post(forumCreate, { params: { msgid: 'm'.repeat(129) }, request: { name: 'A', context: ctx } }) },
  { name: 'forum create: msgid a number', inject: post(forumCreate, { params: { msgid: 42 }, request: { name: 'A', context: ctx } }) },
  { name: 'forum create: params a string', inject: post(forumCreate, { params: 'm-1', request: { name: 'A', context: ctx } }) },
  { name: 'forum create: children 6 levels deep', inject: post(forumCreate, { request: { name: 'A', context: ctx, children: [nest(5)] } }) },
  { name: 'forum create: children 1,000 levels deep (a 400, never a crash)', inject: post(forumCreate, { request: { name: 'A', context: ctx, children: [nest(1000)] } }) },
  { name: 'forum create: 201 forums', inject: post(forumCreate, { request: { name: 'A', context: ctx, children: Array.from({ length: 4 }, () => ({ name: 'c', children: Array.from({ length: 50 }, () => ({ name: 'g' })) })) } }) },
  { name: 'forum create: over the grant limit once applyToChildren is expanded', inject: post(forumCreate, { request: { name: 'A', context: ctx, privileges: [{ permissions: ['moderate'], users: Array.from({ length: 1000 }, (_v, i) => `u-${i}`), applyToChildren: true }], children: Array.from({ length: 10 }, () => ({ name: 'c' })) } }) },
  { name: 'forum update: over the grant limit in new children', inject: patch(update, { request: { privileges: [{ permissions: ['read'], users: Array.from({ length: 1000 }, (_v, i) => `u-${i}`), applyToChildren: 'true' }], children: Array.from({ length: 10 }, () => ({ name: 'c' })) } }) },
  // forum update
  { name: 'forum update: empty request', inject: patch(update, { request: {} }) },
  { name: 'forum update: missing request', inject: patch(update, { params: {} }) },
  { name: 'forum update: forumId not a number', inject: patch('/api/forum/v1/update/abc', { request: { name: 'B' } }) },
  { name: 'forum update: forumId 0', inject: patch('/api/forum/v1/update/0', { request: { name: 'B' } }) },
  { name: 'forum update: forumId too long', inject: patch(`/api/forum/v1/update/${'9'.repeat(20)}`, { request: { name: 'B' } }) },
  { name: 'forum update: empty name', inject: patch(update, { request: { name: '' } }) },
  { name: 'forum update: unknown field', inject: patch(update, { request: { name: 'B', context: ctx } }) },
  { name: 'forum update: group identifier empty', inject: patch(update, { request: { groups: [{ identifier: '', permissions: ['read'] }] } }) },
  { name: 'forum update: POST', inject: post(update, { request: { name: 'B' } }), status: 405, err: 'METHOD_NOT_ALLOWED' },
  // forum fetch
  { name: 'forum fetch: missing request', inject: post(forumFetch, { id: 'x' }) },
  { name: 'forum fetch: missing context', inject: post(forumFetch, { request: {} }) },
  { name: 'forum fetch: context identifier empty', inject: post(forumFetch, { request: { context: { type: 'batch', identifier: '' } } }) },
  { name: 'forum fetch: context identifier 10 kB', inject: post(forumFetch, { request: { context: { type: 'batch', identifier: big } } }) },
  { name: 'forum fetch: context with unknown field', inject: post(forumFetch, { request: { context: { ...ctx, org: 'o' } } }) },
  // forum read
  { name: 'forum read: forumId negative', inject: { method: 'GET', url: '/api/forum/v1/read/-1' } },
  { name: 'forum read: forumId with a query-looking suffix', inject: { method: 'GET', url: '/api/forum/v1/read/1%3F_uid%3D2' } },
  { name: 'forum read: forumId path traversal', inject: { method: 'GET', url: '/api/forum/v1/read/..%2F..%2Fusers' } },
  // forum delete
  { name: 'forum delete: forumId not a number', inject: { method: 'DELETE', url: '/api/forum/v1/delete/x' } },
  { name: 'forum delete: a request with fields', inject: { method: 'DELETE', url: '/api/forum/v1/delete/1', headers: json, payload: JSON.stringify({ request: { cascade: false } }) } },
  { name: 'forum delete: a body that is an array', inject: { method: 'DELETE', url: '/api/forum/v1/delete/1', headers: json, payload: '[]' } }
]

t.test('bad input is refused with the envelope and never reaches NodeBB', async (t) => {
  const { send, reached } = await appWithStandIn(t)
  for (const c of cases) {
    const res = await send(c.inject)
    const status = c.status ?? 400
    const err = c.err ?? 'INVALID_REQUEST'
    t.equal(res.status, status, `${c.name}: status`)
    t.equal(res.body.params?.err, err, `${c.name}: ${res.body.params?.errmsg ?? res.raw.slice(0, 200)}`)
    t.equal(res.body.params?.status, 'failed', `${c.name}: failed envelope`)
    t.equal(res.body.responseCode, 'CLIENT_ERROR', `${c.name}: responseCode`)
    t.ok(typeof res.body.params?.errmsg === 'string' && res.body.params.errmsg.length <= 300, `${c.name}: a short errmsg`)
    t.notMatch(res.raw, big, `${c.name}: the input is not echoed at length`)
  }
  t.equal(reached(), 0, 'no request reached NodeBB')
  t.equal(({} as Record<string, unknown>).isAdmin, undefined, 'no prototype was polluted')
})

t.test('a route-specific id is used even for refused requests', async (t) => {
  const { send } = await appWithStandIn(t)
  t.equal((await send(post(forumCreate, {}))).body.id, 'api.discussions.forum.create')
  t.equal((await send({ method: 'GET', url: '/api/forum/v1/read/x' })).body.id, 'api.discussions.forum.read')
  t.equal((await send(post(userCreate, { params: { msgid: 'keep-me' } }))).body.params.msgid, 'keep-me', 'the msgid is echoed on a refusal')
})
