import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { createClient } from 'redis'
import { build, testConfig, type EnvelopeBody } from '../helper'
import { apiRsaToken, apiToken, realmId, userToken } from '../tokens'
import { callNodebb, e2eSetting, nodebbTarget, skipReason, unavailable, type NodebbTarget } from './nodebb'

/**
 * Issues 12 and 13 on a real NodeBB, through the adapter (in-process, its real undici client): the
 * trust model as a client consumer and a learner would meet it, and what real Sunbird clients send
 * (a JSON content type on every call, the full Sunbird envelope, names with & < > " ' and
 * non-ASCII text, users who arrived by SSO, hierarchies built a level at a time).
 */
const target = nodebbTarget()

if (target === null) {
  unavailable(t, skipReason)
} else {
  t.test('real clients and the trust model on a real NodeBB', async (t) => run(t, target))
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'
interface Answer { status: number, body: EnvelopeBody, raw: string }

const json = { 'content-type': 'application/json' }
const service = (): Record<string, string> => ({ ...json, authorization: `Bearer ${apiToken()}` })
/** A client consumer (not in SERVICE_CONSUMERS): the portal, with the user's token when one is named. */
const client = (sunbirdId?: string, roles: string[] = []): Record<string, string> => ({
  ...json,
  authorization: `Bearer ${apiRsaToken()}`,
  ...(sunbirdId === undefined ? {} : { 'x-authenticated-user-token': userToken(sunbirdId, { roles }) })
})
/** The Sunbird request envelope as Sunbird's services send it. */
const envelope = (request: unknown, msgid: string | null = randomBytes(16).toString('hex')) => ({
  id: 'api.discussions', ver: '1.0', ts: new Date().toISOString(), ets: Date.now(), params: { msgid, did: null, key: '', sid: null, cid: 'portal', uid: null }, request
})

async function run (t: Test, nb: NodebbTarget): Promise<void> {
  const app: FastifyInstance = await build(t, { config: testConfig({ NODEBB_URL: nb.url, NODEBB_TOKEN: nb.token, NODEBB_SERVICE_UID: String(nb.adminUid) }) })
  const tag = randomBytes(3).toString('hex')
  const ctx = { type: 'batch', identifier: `clients-${tag}` }
  const id = (who: string): string => `${who}-${tag}`
  const send = async (method: Method, url: string, headers: Record<string, string>, payload?: unknown): Promise<Answer> => {
    const res = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) })
    return { status: res.statusCode, body: res.json() as EnvelopeBody, raw: res.body }
  }
  const result = <T>(a: Answer): T => a.body.result as T

  for (const who of ['mentor', 'learner', 'other', 'outsider']) {
    const made = await send('POST', '/api/user/v1/create', service(), envelope({ identifier: id(who), username: `${who}${tag}` }))
    t.equal(made.status, 200, made.raw)
  }
  const hostile = `Tom & Jerry <b>x</b> "q" it's — ज्ञान 数学 ${tag}`
  const created = await send('POST', '/api/forum/v1/create', service(), envelope({
    name: hostile,
    context: ctx,
    privileges: [{ permissions: ['moderate'], users: [id('mentor')] }, { permissions: ['topic'], users: [id('learner')] }],
    children: [{ name: `Q&A <${tag}>` }]
  }))
  t.equal(created.status, 200, created.raw)
  const forumId = result<{ identifier: string }>(created).identifier
  const other = await send('POST', '/api/forum/v1/create', service(), envelope({ name: `Other ${tag}`, context: ctx, privileges: [{ permissions: ['topic'], users: [id('other')] }] }))
  const otherId = result<{ identifier: string }>(other).identifier

  await t.test('issue 12: a client consumer without a user token is 401 on every /api route', async (t) => {
    const calls: Array<[Method, string, unknown]> = [
      ['POST', '/api/user/v1/create', { request: { identifier: id('x'), username: `x${tag}` } }],
      ['GET', `/api/user/v1/read/${id('learner')}`, undefined],
      ['POST', '/api/forum/v1/create', { request: { name: 'x', context: ctx } }],
      ['PATCH', `/api/forum/v1/update/${forumId}`, { request: { name: 'x' } }],
      ['POST', '/api/forum/v1/fetch', { request: { context: ctx } }],
      ['GET', `/api/forum/v1/read/${forumId}`, undefined],
      ['DELETE', `/api/forum/v1/delete/${forumId}`, undefined],
      ['POST', '/api/activity/v1/list', { request: { context: ctx } }],
      ['POST', '/api/notification/v1/send', { request: { users: [id('learner')], title: 't', body: 'b' } }],
      ['POST', '/api/notification/v1/list', { request: { user: id('learner') } }],
      ['POST', '/api/notification/v1/mark-read', { request: { user: id('learner'), all: true } }]
    ]
    for (const [method, url, payload] of calls) {
      const res = await send(method, url, client(), payload)
      t.same([res.status, res.body.params.err], [401, 'UNAUTHORIZED'], `${method} ${url}`)
    }
  })

  await t.test('issue 12: a learner\'s token: only their own notifications, only forums they read', async (t) => {
    const sent = await send('POST', '/api/notification/v1/send', service(), envelope({ users: [id('learner'), id('other')], title: `Hello ${tag}`, body: 'b' }))
    t.equal(sent.status, 200, sent.raw)
    t.equal(result<{ delivered: number }>(sent).delivered, 2, 'delivered once NodeBB\'s background push has landed')
    const own = await send('POST', '/api/notification/v1/list', client(id('learner')), { request: { user: id('learner'), unread: true } })
    t.equal(own.status, 200, own.raw)
    t.ok(result<{ notifications: Array<{ title: string }> }>(own).notifications.some((n) => n.title === `Hello ${tag}`), 'there the moment send answered')
    for (const url of ['/api/notification/v1/list', '/api/notification/v1/mark-read']) {
      const res = await send('POST', url, client(id('learner')), { request: url.endsWith('list') ? { user: id('other') } : { user: id('other'), all: true } })
      t.same([res.status, res.body.params.err], [403, 'FORBIDDEN'], `${url}: another user's`)
    }
    const cannot = await send('GET', `/api/forum/v1/read/${otherId}`, client(id('learner')))
    t.same([cannot.status, cannot.body.params.err], [403, 'FORBIDDEN'], 'a forum the learner cannot read')
    const fetched = await send('POST', '/api/forum/v1/fetch', client(id('learner')), { request: { context: ctx } })
    t.same(result<{ forums: Array<{ identifier: string }> }>(fetched).forums.map((f) => f.identifier), [forumId], 'fetch: only what the learner reads')
    const outsider = await send('POST', '/api/forum/v1/fetch', client(id('outsider')), { request: { context: ctx } })
    t.same(result(outsider), { forums: [], count: 0 })
    // activity: a topic in each forum, by their own members, through NodeBB's Write API
    const uidOf = async (who: string): Promise<number> => result<{ user: { uid: number } }>(await send('GET', `/api/user/v1/read/${id(who)}`, service())).user.uid
    const topicA = await callNodebb(nb, 'POST', '/api/v3/topics', await uidOf('learner'), { cid: Number(forumId), title: `Topic A ${tag}`, content: 'Hello from A, long enough.' })
    const topicB = await callNodebb(nb, 'POST', '/api/v3/topics', await uidOf('other'), { cid: Number(otherId), title: `Topic B ${tag}`, content: 'Hello from B, long enough.' })
    t.equal(topicA.status, 200, JSON.stringify(topicA.body).slice(0, 200))
    t.equal(topicB.status, 200, JSON.stringify(topicB.body).slice(0, 200))
    const listed = await until(async () => {
      const all = await send('POST', '/api/activity/v1/list', service(), { request: { context: ctx } })
      return result<{ count: number }>(all).count >= 2 ? all : undefined
    })
    t.ok(listed !== undefined, 'both topics recorded')
    const learnerView = await send('POST', '/api/activity/v1/list', client(id('learner')), { request: { context: ctx } })
    t.same(result<{ activities: Array<{ object: { title: string } }> }>(learnerView).activities.map((a) => a.object.title), [`Topic A ${tag}`], 'only the readable forum\'s')
  })

  await t.test('issue 13: names come back exactly as sent, on read, fetch, user read and activity', async (t) => {
    const read = await send('GET', `/api/forum/v1/read/${forumId}`, service())
    t.equal(read.status, 200, read.raw)
    const [forum] = result<{ forums: Array<{ name: string, children: Array<{ name: string }> }> }>(read).forums
    t.equal(forum?.name, hostile, 'read')
    t.equal(forum?.children[0]?.name, `Q&A <${tag}>`, 'a child too')
    const fetched = await send('POST', '/api/forum/v1/fetch', service(), { request: { context: ctx } })
    t.ok(result<{ forums: Array<{ name: string }> }>(fetched).forums.some((f) => f.name === hostile), 'fetch')
    const user = await send('GET', `/api/user/v1/read/${id('learner')}`, service())
    t.ok(result<{ forums: Array<{ name: string }> }>(user).forums.some((f) => f.name === hostile), 'user read')
    // a client that sends back what it read does not double-escape
    const again = await send('PATCH', `/api/forum/v1/update/${forumId}`, service(), envelope({ name: forum?.name }))
    t.equal(result<{ forum: { name: string } }>(again).forum.name, hostile)
    const reread = await send('GET', `/api/forum/v1/read/${forumId}`, service())
    t.equal(result<{ forums: Array<{ name: string }> }>(reread).forums[0]?.name, hostile, 'still exactly the same')
    const title = `Quiz & "answers" <${tag}> — ಪರೀಕ್ಷೆ`
    const learnerUid = result<{ user: { uid: number } }>(user).user.uid
    const topic = await callNodebb(nb, 'POST', '/api/v3/topics', learnerUid, { cid: Number(forumId), title, content: 'A topic title with markup-looking text.' })
    t.equal(topic.status, 200, JSON.stringify(topic.body).slice(0, 200))
    const activity = await until(async () => {
      const res = await send('POST', '/api/activity/v1/list', service(), { request: { forum: forumId, verbs: ['topic.create'] } })
      return result<{ activities: Array<{ object: { title: string } }> }>(res).activities.find((a) => a.object.title === title)
    })
    t.ok(activity !== undefined, `the activity title is the title as written (${JSON.stringify(activity?.object.title)})`)
  })

  await t.test('issue 13: DELETE and GET with a JSON content type and no body; the full envelope; msgid per route; read shape', async (t) => {
    const made = await send('POST', '/api/forum/v1/create', service(), envelope({ name: `To delete ${tag}`, context: ctx }, `trace-${tag}`))
    t.equal(made.status, 200, made.raw)
    const again = await send('POST', '/api/forum/v1/fetch', service(), envelope({ context: ctx }, `trace-${tag}`))
    t.equal(again.status, 200, 'the same msgid on another route is another request')
    const doomed = result<{ identifier: string }>(made).identifier
    const read = await send('GET', `/api/forum/v1/read/${doomed}`, service())
    t.same(Object.keys(result(read)).sort(), ['forums', 'identifier'])
    t.equal(result<{ forums: unknown[] }>(read).forums.length, 1, 'forums: an array of one, as seed 001 shows')
    const deleted = await send('DELETE', `/api/forum/v1/delete/${doomed}`, service())
    t.equal(deleted.status, 200, `DELETE, content-type json, no body: ${deleted.raw}`)
  })

  await t.test('issue 13: a user who arrived by Sunbird SSO is found, named and acts', async (t) => {
    const redisUrl = e2eSetting('NODEBB_REDIS_URL')
    if (redisUrl === undefined) {
      unavailable(t, 'NODEBB_REDIS_URL is not set: this case writes nodebb-plugin-sunbird-oidc\'s map into NodeBB\'s Redis as that plugin does')
      return
    }
    // a user NodeBB made (as the SSO plugin's login does), then that plugin's map entry and user field
    const username = `sso${tag}`
    const made = await callNodebb(nb, 'POST', '/api/v3/users', nb.adminUid, { username, email: `${username}@sso.invalid` })
    t.equal(made.status, 200, JSON.stringify(made.body).slice(0, 200))
    const uid = Number((made.body.response as { uid: number }).uid)
    const subject = `f:${realmId}:${id('sso')}`
    const redis = createClient({ url: redisUrl })
    await redis.connect()
    t.teardown(() => redis.close())
    await redis.hSet('sunbird-oidcId:uid', subject, String(uid))
    await redis.hSet(`user:${uid}`, 'sunbird-oidcId', subject)
    // NodeBB caches user objects; a profile write through its API drops the cached one (the SSO
    // plugin itself writes through NodeBB's db module, which does the same)
    const touched = await callNodebb(nb, 'PUT', `/api/v3/users/${uid}`, nb.adminUid, { fullname: `SSO ${tag}` })
    t.equal(touched.status, 200, JSON.stringify(touched.body).slice(0, 200))
    const create = await send('POST', '/api/user/v1/create', service(), envelope({ identifier: subject, username }))
    t.same([create.status, create.body.params.err], [409, 'USER_EXISTS'], 'not USERNAME_TAKEN')
    t.match(create.body.result, { identifier: subject, uid })
    const named = await send('PATCH', `/api/forum/v1/update/${forumId}`, service(), envelope({ privileges: [{ permissions: ['post'], users: [subject] }] }))
    t.equal(named.status, 200, `named in privileges: ${named.raw.slice(0, 300)}`)
    t.ok(result<{ forum: { users: Array<{ identifier: string }> } }>(named).forum.users.some((u) => u.identifier === subject))
    // acting with their own token: sub is the full subject; they are mapped under it
    const acting = await send('GET', `/api/forum/v1/read/${forumId}`, client(id('sso')))
    t.equal(acting.status, 200, `their own token: ${acting.raw.slice(0, 200)}`)
  })

  await t.test('issue 13: applyToChildren reaches forums created later; a hierarchy built a level at a time ends as one built in one call', async (t) => {
    const mentor = id('mentor')
    const learner = id('learner')
    const tree = { name: `CBSE ${tag}`, privileges: [{ permissions: ['moderate'], users: [mentor], applyToChildren: true }, { permissions: ['read'], users: [learner], applyToChildren: 'true' }] }
    const classTen = { name: 'Class 10', privileges: [{ permissions: ['post'], users: [learner], applyToChildren: true }] }
    const subjects = [{ name: 'Mathematics' }, { name: 'Science', privileges: [{ permissions: ['topic'], users: [learner] }] }]
    const cbse = { type: 'board', identifier: `cbse-${tag}` }
    const oneCall = await send('POST', '/api/forum/v1/create', service(), envelope({ ...tree, context: cbse, children: [{ ...classTen, children: subjects }] }))
    t.equal(oneCall.status, 200, oneCall.raw.slice(0, 300))
    const cbse2 = { type: 'board', identifier: `cbse2-${tag}` }
    const root = await send('POST', '/api/forum/v1/create', service(), envelope({ ...tree, context: cbse2 }))
    const rootId = result<{ identifier: string }>(root).identifier
    // the class by its moderator, under the root
    const cls = await send('POST', '/api/forum/v1/create', client(mentor), envelope({ ...classTen, context: cbse2, parent: rootId }))
    t.equal(cls.status, 200, cls.raw.slice(0, 300))
    const clsId = result<{ identifier: string }>(cls).identifier
    // the subjects by an update's children
    const subs = await send('PATCH', `/api/forum/v1/update/${clsId}`, client(mentor), envelope({ children: subjects }))
    t.equal(subs.status, 200, subs.raw.slice(0, 300))
    const access = (forum: { name: string, users: Array<{ identifier: string, permissions: string[] }>, children: unknown[] }): unknown => ({
      name: forum.name.replace(/ [0-9a-f]{6}$/, ''),
      users: forum.users.map((u) => [u.identifier, u.permissions]),
      children: (forum.children as Array<typeof forum>).map(access)
    })
    const built = await send('GET', `/api/forum/v1/read/${rootId}`, service())
    const one = await send('GET', `/api/forum/v1/read/${result<{ identifier: string }>(oneCall).identifier}`, service())
    t.same(access(result<{ forums: [never] }>(built).forums[0]), access(result<{ forums: [never] }>(one).forums[0]), 'the same access at every level')
    const maths = (result<{ forums: Array<{ children: Array<{ children: Array<{ users: unknown }> }> }> }>(built).forums[0]?.children[0]?.children[0])
    t.same(maths?.users, [
      { identifier: learner, permissions: ['read', 'vote', 'post'], applyToChildren: false },
      { identifier: mentor, permissions: ['read', 'vote', 'post', 'topic', 'moderate'], applyToChildren: false }
    ].sort((a, b) => a.identifier.localeCompare(b.identifier)), 'a subject added later holds what the board and the class gave with applyToChildren')
  })

  await t.test('issue 13: lower-case bearer; Expect: 100-continue over the limit is a 413 before the body', async (t) => {
    const lower = await send('POST', '/api/forum/v1/fetch', { ...service(), authorization: `bearer ${apiToken()}` }, { request: { context: ctx } })
    t.equal(lower.status, 200)
    const listening = await build(t, { config: testConfig({ NODEBB_URL: nb.url, NODEBB_TOKEN: nb.token, NODEBB_SERVICE_UID: String(nb.adminUid), BODY_LIMIT: '4096' }) })
    await listening.listen({ host: '127.0.0.1', port: 0 })
    const port = (listening.server.address() as AddressInfo).port
    const answer = await new Promise<{ status: number, continued: boolean, body: string }>((resolve, reject) => {
      let continued = false
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/forum/v1/create', headers: { ...service(), 'content-length': 50_000, expect: '100-continue' } })
      req.on('continue', () => { continued = true; req.end('x'.repeat(50_000)) })
      req.on('response', (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, continued, body: Buffer.concat(chunks).toString() }); req.destroy() })
      })
      req.on('error', reject)
      req.flushHeaders()
    })
    t.same([answer.status, answer.continued], [413, false])
    t.match(JSON.parse(answer.body), { params: { err: 'PAYLOAD_TOO_LARGE' } })
  })
}

async function until<T> (what: () => Promise<T | undefined>, ms = 15000): Promise<T | undefined> {
  const end = Date.now() + ms
  for (;;) {
    const value = await what()
    if (value !== undefined || Date.now() > end) return value
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
