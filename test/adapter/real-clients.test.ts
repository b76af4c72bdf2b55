import t from 'tap'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { appWithStandIn } from './stand-in-app'
import { build, testConfig } from '../helper'
import { callerHeaders, realmId } from '../tokens'

/**
 * What real Sunbird clients send (issue 13): a JSON content type on every call, the full Sunbird
 * request envelope, bodies sent with `Expect: 100-continue`, the bearer scheme in any case.
 */
const ctx = { type: 'batch', identifier: 'rc-1' }
const json = { 'content-type': 'application/json' }
/** The Sunbird request envelope as Sunbird's own services send it. */
const sunbird = (request: unknown, msgid: string | null = 'e9cd2ab0-9a19-11ee-b9d1-0242ac120002') => ({
  id: 'api.discussions.forum.create',
  ver: '1.0',
  ts: '2026-11-30 10:15:42:123+0530',
  ets: '1796015142123',
  params: { msgid, did: null, key: '', sid: 'b1c2', cid: null, uid: null },
  request
})

t.test('a JSON content type with no body: fine where the body is optional (DELETE, GET), a 400 where it is required', async (t) => {
  const w = await appWithStandIn(t)
  const created = await w.send({ method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'A', context: ctx } } })
  const id = created.body.result.identifier as string
  const read = await w.send({ method: 'GET', url: `/api/forum/v1/read/${id}`, headers: json })
  t.equal(read.status, 200, read.raw)
  const fetched = await w.send({ method: 'POST', url: '/api/forum/v1/fetch', headers: json, payload: '' })
  t.same([fetched.status, fetched.body.params.err], [400, 'INVALID_REQUEST'], 'a POST needs its body')
  t.match(fetched.body.params.errmsg, /body/)
  const deleted = await w.send({ method: 'DELETE', url: `/api/forum/v1/delete/${id}`, headers: { 'content-type': 'application/json; charset=utf-8' } })
  t.equal(deleted.status, 200, deleted.raw)
  t.same(deleted.body.result.deleted, [id])
  const again = await w.send({ method: 'DELETE', url: `/api/forum/v1/delete/${id}`, headers: json, payload: '' })
  t.same([again.status, again.body.params.err], [404, 'FORUM_NOT_FOUND'], 'an empty body with a content type, explicitly')
  const withEnvelope = await w.send({ method: 'DELETE', url: '/api/forum/v1/delete/999', headers: json, payload: sunbird({}) })
  t.same([withEnvelope.status, withEnvelope.body.params.msgid], [404, 'e9cd2ab0-9a19-11ee-b9d1-0242ac120002'], 'a DELETE may carry the envelope for its msgid')
})

t.test('the full Sunbird request envelope is accepted on every route; only `request` is strict', async (t) => {
  const w = await appWithStandIn(t)
  const user = await w.send({ method: 'POST', url: '/api/user/v1/create', headers: json, payload: sunbird({ identifier: 'rc-user', username: 'rcuser' }, 'msg-1') })
  t.equal(user.status, 200, user.raw)
  t.equal(user.body.params.msgid, 'msg-1')
  const forum = await w.send({ method: 'POST', url: '/api/forum/v1/create', headers: json, payload: { ...sunbird({ name: 'A', context: ctx, groups: [{ permissions: ['read'], applyToChildren: 'true', members: ['rc-user'] }] }, null), id: null, ver: null, extra: { anything: true } } })
  t.equal(forum.status, 200, forum.raw)
  t.equal(forum.body.params.msgid, null, 'a null msgid is no msgid')
  const fetch = await w.send({ method: 'POST', url: '/api/forum/v1/fetch', headers: json, payload: { ...sunbird({ context: ctx }), params: null } })
  t.equal(fetch.status, 200, fetch.raw)
  const typo = await w.send({ method: 'POST', url: '/api/forum/v1/fetch', headers: json, payload: sunbird({ context: ctx, contxt: ctx }) })
  t.same([typo.status, typo.body.params.err], [400, 'INVALID_REQUEST'])
  t.match(typo.body.params.errmsg, /unknown field "contxt"/)
  const list = await w.send({ method: 'POST', url: '/api/activity/v1/list', headers: json, payload: sunbird({ context: ctx }) })
  t.equal(list.status, 200, list.raw)
  const unicode = await w.send({ method: 'POST', url: '/api/forum/v1/fetch', headers: json, payload: { params: { msgid: 'trace/ünïcödé 🚀 <x> & "y"' }, request: { context: ctx } } })
  t.equal(unicode.body.params.msgid, 'trace/ünïcödé 🚀 <x> & "y"', 'any text is a msgid, echoed as sent')
  const emptyMsgid = await w.send({ method: 'POST', url: '/api/forum/v1/fetch', headers: json, payload: { params: { msgid: '' }, request: { context: ctx } } })
  t.equal(emptyMsgid.body.params.msgid, null, 'an empty msgid is none')
})

t.test('the plugin is told the msgid (any text, percent-encoded in its header), the API consumer and the acting user', async (t) => {
  const w = await appWithStandIn(t)
  w.reset()
  const msgid = 'ünïcödé: <tag> & 100%'
  const res = await w.send({ method: 'POST', url: '/api/user/v1/create', headers: json, payload: { params: { msgid }, request: { identifier: 'rc-2', username: 'rctwo' } } })
  t.equal(res.status, 200, res.raw)
  t.equal(decodeURIComponent(w.nodebb.calls.at(-1)?.msgid ?? ''), msgid)
  t.same(w.nodebb.calls.at(-1)?.caller, { msgid, consumer: 'test-consumer', user: `f:${realmId}:test-admin`, ttlSeconds: 86400 }, 'an admin-role user acting through the test consumer; a write carries the idempotency TTL')
  await w.app.inject({ method: 'POST', url: '/api/forum/v1/fetch', headers: { ...json, ...callerHeaders() }, payload: { params: { msgid: 'line\nbreak' }, request: { context: ctx } } })
  t.same(w.nodebb.calls.at(-1)?.caller, { msgid: 'linebreak', consumer: 'test-consumer', user: null, ttlSeconds: null }, 'a service acting on its own; control characters dropped')
})

t.test('the bearer scheme in any case', async (t) => {
  const w = await appWithStandIn(t)
  for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
    const headers = { ...callerHeaders(), authorization: String(callerHeaders().authorization).replace('Bearer', scheme) }
    t.equal((await w.send({ method: 'POST', url: '/api/forum/v1/fetch', headers, payload: { request: { context: ctx } } })).status, 200, scheme)
  }
})

/** One request over real HTTP, with `Expect: 100-continue`: whether the server said Continue, and its answer. */
async function expectContinue (port: number, body: string, declaredLength = Buffer.byteLength(body)): Promise<{ continued: boolean, status: number, body: string }> {
  return new Promise((resolve, reject) => {
    let continued = false
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/forum/v1/fetch',
      headers: { ...callerHeaders(), 'content-type': 'application/json', 'content-length': declaredLength, expect: '100-continue' }
    })
    req.on('continue', () => { continued = true; req.end(body) })
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ continued, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }); req.destroy() })
    })
    req.on('error', reject)
    req.flushHeaders()
  })
}

t.test('Expect: 100-continue: a body over the limit is refused from its Content-Length, before it is sent', async (t) => {
  const app = await build(t, { config: testConfig({ BODY_LIMIT: '2048' }) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  const over = await expectContinue(port, '', 1_000_000)
  t.equal(over.continued, false, 'no 100 Continue: the client never sends the body')
  t.equal(over.status, 413)
  t.match(JSON.parse(over.body), { params: { err: 'PAYLOAD_TOO_LARGE', status: 'failed' }, responseCode: 'CLIENT_ERROR' })
  const fits = await expectContinue(port, JSON.stringify({ request: { context: ctx } }))
  t.equal(fits.continued, true, 'a body within the limit is invited')
  t.not(fits.status, 413, `then answered as usual (${fits.status})`)
})

t.test('a board\'s hierarchy as Sunbird\'s services send it (string booleans, nested children, the full envelope) is created in one call', async (t) => {
  const w = await appWithStandIn(t)
  for (const id of ['teacher-1', 'student-1', 'student-2']) {
    t.equal((await w.send({ method: 'POST', url: '/api/user/v1/create', headers: json, payload: sunbird({ identifier: id, username: id.replace('-', '') }, `u-${id}`) })).status, 200)
  }
  const board = {
    name: 'CBSE',
    context: { type: 'board', identifier: 'ncert_k-12' },
    groups: [{ permissions: ['read'], applyToChildren: 'true', members: ['student-1', 'student-2'] }],
    privileges: [{ permissions: ['moderate'], users: ['teacher-1'], applyToChildren: 'true' }],
    children: [{
      name: 'Class 10',
      groups: [{ permissions: ['post'], applyToChildren: 'true', members: ['student-1'] }],
      children: [
        { name: 'Mathematics', privileges: [{ permissions: ['topic'], users: ['student-2'], applyToChildren: 'false' }] },
        { name: 'Science', children: [{ name: 'Physics' }, { name: 'Chemistry' }] }
      ]
    }]
  }
  const res = await w.send({ method: 'POST', url: '/api/forum/v1/create', headers: json, payload: sunbird(board, 'f-cbse') })
  t.equal(res.status, 200, res.raw.slice(0, 300))
  const forum = res.body.result.forum as { children: Array<{ children: Array<{ name: string, groups: unknown[], users: Array<{ identifier: string, permissions: string[] }>, children: unknown[] }> }> }
  const maths = forum.children[0]?.children[0]
  t.equal(maths?.name, 'Mathematics')
  t.equal(maths?.groups.length, 2, 'the board\'s and the class\'s groups reach the subject')
  t.same(maths?.users.map((u) => [u.identifier, u.permissions.length]).sort(), [['student-2', 4], ['teacher-1', 5]])
  t.equal(forum.children[0]?.children[1]?.children.length, 2)
})
