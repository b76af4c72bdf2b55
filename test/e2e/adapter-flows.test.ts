import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { build, testConfig, type EnvelopeBody } from '../helper'
import { adminHeaders, apiToken, callerHeaders, userToken } from '../tokens'
import { callNodebb, nodebbTarget, skipReason, unavailable, type NodebbTarget } from './nodebb'

/**
 * The seed flows through the adapter (in-process, its real undici client) against a real NodeBB
 * with the plugin: the envelope in, the Write API out, tokens checked on the way.
 */
const target = nodebbTarget()

if (target === null) {
  unavailable(t, skipReason)
} else {
  t.test('seed flows through the adapter on a real NodeBB', async (t) => run(t, target))
}

async function run (t: Test, nb: NodebbTarget): Promise<void> {
  const app: FastifyInstance = await build(t, { config: testConfig({ NODEBB_URL: nb.url, NODEBB_TOKEN: nb.token, NODEBB_SERVICE_UID: String(nb.adminUid) }) })
  const tag = randomBytes(3).toString('hex')
  const ctx = { type: 'batch', identifier: `adapter-${tag}` }
  const as = (sunbirdId: string | null): Record<string, string> => callerHeaders(sunbirdId)
  const send = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown): Promise<{ status: number, body: EnvelopeBody }> => {
    const res = await app.inject({ method, url, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) })
    return { status: res.statusCode, body: res.json() as EnvelopeBody }
  }
  const id = (who: string): string => `${who}-${tag}`

  await t.test('user create, and again: USER_EXISTS', async (t) => {
    for (const who of ['mentor', 'poster', 'member']) {
      const res = await send('POST', '/api/user/v1/create', as(null), { params: { msgid: `u-${who}-${tag}` }, request: { identifier: id(who), username: `${who}${tag}` } })
      t.equal(res.status, 200, JSON.stringify(res.body))
      t.equal(res.body.id, 'api.discussions.user.create')
      t.equal(res.body.params.msgid, `u-${who}-${tag}`)
    }
    const again = await send('POST', '/api/user/v1/create', as(null), { request: { identifier: id('mentor'), username: `other${tag}` } })
    t.equal(again.status, 409)
    t.equal(again.body.params.err, 'USER_EXISTS')
    t.equal(again.body.responseCode, 'CLIENT_ERROR')
  })

  let forumId = ''
  const createRequest = {
    name: `Adapter ${tag}`,
    context: ctx,
    groups: [{ permissions: ['read'], members: [id('member')], applyToChildren: 'true' }],
    privileges: [{ permissions: ['moderate'], users: [id('mentor')] }, { permissions: ['post'], users: [id('poster')], applyToChildren: true }],
    children: [{ name: 'Week 1' }]
  }
  await t.test('forum create with groups, privileges and children', async (t) => {
    const res = await send('POST', '/api/forum/v1/create', as(null), { params: { msgid: `f-${tag}` }, request: createRequest })
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300))
    const forum = (res.body.result as { forum: any }).forum
    forumId = forum.identifier
    t.equal(forum.public, false)
    t.equal(forum.children.length, 1)
    t.same(forum.children[0].users, [{ identifier: id('poster'), permissions: ['read', 'vote', 'post'], applyToChildren: false }])
    // the same msgid and body: the first answer, nothing written twice
    const replay = await send('POST', '/api/forum/v1/create', as(null), { params: { msgid: `f-${tag}` }, request: createRequest })
    t.equal((replay.body.result as { identifier: string }).identifier, forumId, 'a replay returns the first forum')
  })

  await t.test('update: a poster is refused, the moderator removes the poster (null)', async (t) => {
    const denied = await send('PATCH', `/api/forum/v1/update/${forumId}`, as(id('poster')), { request: { name: 'hijack' } })
    t.equal(denied.status, 403)
    t.equal(denied.body.params.err, 'FORBIDDEN')
    const ok = await send('PATCH', `/api/forum/v1/update/${forumId}`, as(id('mentor')), { request: { name: `Adapter ${tag} renamed`, privileges: [{ permissions: null, users: [id('poster')], applyToChildren: true }] } })
    t.equal(ok.status, 200, JSON.stringify(ok.body).slice(0, 300))
    const forum = (ok.body.result as { forum: any }).forum
    t.equal(forum.name, `Adapter ${tag} renamed`)
    t.notOk(forum.users.some((u: { identifier: string }) => u.identifier === id('poster')))
    t.same(forum.children[0].users, [], 'removed from the child too')
    // and the poster reaches no forum any more
    const poster = await send('GET', `/api/user/v1/read/${id('poster')}`, as(null))
    t.same((poster.body.result as { forums: unknown[] }).forums, [])
  })

  await t.test('fetch by context and read', async (t) => {
    const fetched = await send('POST', '/api/forum/v1/fetch', as(null), { request: { context: ctx } })
    t.equal(fetched.status, 200)
    const result = fetched.body.result as { forums: Array<{ identifier: string, children: unknown[] }>, count: number }
    t.equal(result.count, 1)
    t.equal(result.forums[0]?.identifier, forumId)
    t.equal(result.forums[0]?.children.length, 1)
    const read = await send('GET', `/api/forum/v1/read/${forumId}`, as(null))
    t.equal(read.status, 200)
    t.equal(read.body.id, 'api.discussions.forum.read')
    const member = await send('GET', `/api/user/v1/read/${id('member')}`, as(null))
    t.same((member.body.result as { forums: Array<{ permissions: string[] }> }).forums.map((f) => f.permissions), [['read'], ['read']])
  })

  await t.test('tokens: no API token 401; forged user token 401', async (t) => {
    t.equal((await send('GET', `/api/forum/v1/read/${forumId}`, {})).status, 401)
    const forged = await send('PATCH', `/api/forum/v1/update/${forumId}`, { authorization: `Bearer ${apiToken()}`, 'x-authenticated-user-token': userToken(id('mentor'), { kid: 'nope' }) }, { request: { name: 'x' } })
    t.equal(forged.status, 401)
  })

  await t.test('delete: the forum, its child and its group are gone', async (t) => {
    const denied = await send('DELETE', `/api/forum/v1/delete/${forumId}`, as(id('member')))
    t.equal(denied.status, 403)
    const res = await send('DELETE', `/api/forum/v1/delete/${forumId}`, adminHeaders())
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300))
    const result = res.body.result as { deleted: string[], groupsRemoved: string[] }
    t.equal(result.deleted.length, 2)
    t.equal(result.groupsRemoved.length, 1)
    const read = await send('GET', `/api/forum/v1/read/${forumId}`, as(null))
    t.equal(read.status, 404)
    t.equal(read.body.params.err, 'FORUM_NOT_FOUND')
    const fetched = await send('POST', '/api/forum/v1/fetch', as(null), { request: { context: ctx } })
    t.same(fetched.body.result, { forums: [], count: 0 })
    const group = await callNodebb(nb, 'GET', `/api/v3/groups/${encodeURIComponent((result.groupsRemoved[0] as string).toLowerCase())}`, nb.adminUid)
    t.not(group.status, 200, 'the auto group is gone from NodeBB')
  })
}
