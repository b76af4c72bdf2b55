import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { build, testConfig } from '../helper'
import { apiRsaToken, callerHeaders, userToken } from '../tokens'
import { callNodebb, nodebbTarget, skipReason, unavailable, type NodebbTarget } from './nodebb'

/**
 * The discussion passthrough and apps' events (issue 14) on a real NodeBB: the adapter in-process
 * with real tokens, NodeBB behind a recording proxy, so "never reaches NodeBB" is seen, not assumed.
 */
const target = nodebbTarget()

if (target === null) {
  unavailable(t, skipReason)
} else {
  t.test('the discussion passthrough on a real NodeBB', async (t) => run(t, target))
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T> (what: () => T | undefined, ms = 20000): Promise<T | undefined> {
  const end = Date.now() + ms
  for (;;) {
    const value = what()
    if (value !== undefined || Date.now() > end) return value
    await sleep(250)
  }
}

/** A proxy in front of NodeBB that records every request it passes on. */
async function recordingProxy (t: Test, upstream: string): Promise<{ url: string, seen: Array<{ method: string, url: string }> }> {
  const origin = new URL(upstream)
  const seen: Array<{ method: string, url: string }> = []
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '' })
    const out = httpRequest({ host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers: { ...req.headers, host: origin.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    out.on('error', () => { res.writeHead(502).end() })
    req.pipe(out)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
}

async function run (t: Test, nb: NodebbTarget): Promise<void> {
  const proxy = await recordingProxy(t, nb.url)
  const config = { NODEBB_URL: proxy.url, NODEBB_TOKEN: nb.token, NODEBB_SERVICE_UID: String(nb.adminUid), NODEBB_TIMEOUT_MS: '20000' }
  const app: FastifyInstance = await build(t, { config: testConfig(config) })
  const strict: FastifyInstance = await build(t, { config: testConfig({ ...config, AUTO_CREATE_USERS: 'false' }) })
  const tag = randomBytes(3).toString('hex')
  const id = (who: string): string => `${who}-${tag}`
  const ctx = { type: 'batch', identifier: `passthrough-${tag}` }
  /** The portal (a client consumer) with a user's token. */
  const as = (who: string, claims: Record<string, unknown> = {}): Record<string, string> => ({ authorization: `Bearer ${apiRsaToken()}`, 'x-authenticated-user-token': userToken(id(who), { claims }) })
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown, on = app) => {
    const res = await on.inject({ method, url, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) })
    let body: any = null
    try { body = res.json() } catch {}
    return { status: res.statusCode, body, raw: res.body, headers: res.headers }
  }
  const service = callerHeaders(null)

  // a webhook receiver on 127.0.0.1, as test/e2e/activity does
  const received: Array<{ headers: IncomingHttpHeaders, body: string }> = []
  const hooks = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => { received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }); res.writeHead(200).end('ok') })
  })
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { hooks.closeAllConnections(); hooks.close(() => resolve()) }))
  const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/sunbird-hook`
  const settingsBefore = await callNodebb(nb, 'GET', '/api/v3/plugins/sunbird/settings', nb.adminUid)
  const previousUrls = (settingsBefore.body.response?.webhookUrls as string[] | undefined) ?? []
  // added beside any subscriber another suite running now has set, with the secret it set (test/e2e/activity
  // checks signatures); one is set only when none is stored yet
  const hasSecret = settingsBefore.body.response?.webhookSecretSet === true || settingsBefore.body.response?.hasWebhookSecret === true
  const put = await callNodebb(nb, 'PUT', '/api/v3/plugins/sunbird/settings', nb.adminUid, { webhookUrls: [...previousUrls, hookUrl].join('\n'), ...(hasSecret ? {} : { webhookSecret: `e2e-secret-${tag}-0123456789` }) })
  t.equal(put.status, 200, `webhook settings saved: ${JSON.stringify(put.body).slice(0, 200)}`)
  t.teardown(async () => { await callNodebb(nb, 'PUT', '/api/v3/plugins/sunbird/settings', nb.adminUid, { webhookUrls: previousUrls.join('\n') }) })

  const uids: Record<string, number> = {}
  for (const who of ['learner', 'mentor', 'outsider']) {
    const res = await call('POST', '/api/user/v1/create', service, { request: { identifier: id(who), username: `${who}${tag}` } })
    t.equal(res.status, 200, res.raw.slice(0, 200))
    uids[who] = res.body.result.uid as number
  }
  const forum = await call('POST', '/api/forum/v1/create', service, { request: { name: `Passthrough ${tag}`, context: ctx, privileges: [{ permissions: ['post'], users: [id('learner')] }, { permissions: ['moderate'], users: [id('mentor')] }] } })
  t.equal(forum.status, 200, forum.raw.slice(0, 200))
  const cid = Number(forum.body.result.identifier)
  // no public forum: it would reach every user of this NodeBB, other suites' users included, while they run
  t.teardown(async () => { await callNodebb(nb, 'DELETE', `/api/v3/plugins/sunbird/forums/${cid}`, nb.adminUid) })

  // the mentor opens a topic through the passthrough
  const opened = await call('POST', '/discussion/api/v3/topics', as('mentor'), { cid, title: `Welcome ${tag}`, content: 'Introduce yourselves here.' })
  t.equal(opened.status, 200, `the mentor (moderate) creates a topic: ${opened.raw.slice(0, 300)}`)
  const tid = Number(opened.body?.response?.tid)
  const ownerOf = async (pid: number): Promise<number> => Number((await callNodebb(nb, 'GET', `/api/v3/posts/${pid}`, nb.adminUid)).body.response?.uid)

  await t.test('a learner with post reads the forum\'s topics and replies; the reply is theirs in NodeBB', async (t) => {
    const topics = await call('GET', `/discussion/api/v3/categories/${cid}/topics`, as('learner'))
    t.equal(topics.status, 200, topics.raw.slice(0, 200))
    t.ok((topics.body.response.topics as Array<{ tid: number }>).some((x) => Number(x.tid) === tid), 'the mentor\'s topic is listed')
    const page = await call('GET', `/discussion/api/category/${cid}`, as('learner'))
    t.equal(page.status, 200, 'the Read API page too')
    t.equal(page.headers['set-cookie'], undefined, 'no NodeBB session cookie comes back')
    const topic = await call('GET', `/discussion/api/v3/topics/${tid}`, as('learner'))
    t.equal(topic.status, 200)
    const reply = await call('POST', `/discussion/api/v3/topics/${tid}`, as('learner'), { content: `A reply from the learner ${tag}` })
    t.equal(reply.status, 200, reply.raw.slice(0, 300))
    t.same(Object.keys(reply.body).sort(), ['response', 'status'], 'NodeBB\'s own answer, not an envelope')
    t.equal(await ownerOf(Number(reply.body.response.pid)), uids.learner, 'the reply is the learner\'s')
  })

  await t.test('the same learner creating a topic gets NodeBB\'s 403', async (t) => {
    const res = await call('POST', '/discussion/api/v3/topics', as('learner'), { cid, title: `Mine ${tag}`, content: 'A topic of my own' })
    t.equal(res.status, 403, res.raw.slice(0, 300))
    t.equal(res.body.status?.code, 'forbidden', 'NodeBB\'s shape, as NodeBB sent it')
  })

  await t.test('a user without access gets NodeBB\'s refusal for that category', async (t) => {
    const res = await call('GET', `/discussion/api/v3/categories/${cid}/topics`, as('outsider'))
    t.equal(res.status, 403, res.raw.slice(0, 300))
    t.equal(res.body.params, undefined, 'not the envelope: NodeBB\'s own')
    const reply = await call('POST', `/discussion/api/v3/topics/${tid}`, as('outsider'), { content: 'let me in' })
    t.equal(reply.status, 403, reply.raw.slice(0, 300))
  })

  await t.test('a query _uid is refused before NodeBB; a body _uid naming an administrator changes nothing', async (t) => {
    const before = proxy.seen.length
    const spoofed = await call('POST', `/discussion/api/v3/topics/${tid}?_uid=${nb.adminUid}&_uid[]=${nb.adminUid}`, as('learner'), { content: `Spoofed ${tag}` })
    t.equal(spoofed.status, 400, spoofed.raw.slice(0, 300))
    t.equal(spoofed.body.params.err, 'INVALID_REQUEST')
    t.equal(proxy.seen.length, before, 'never reached NodeBB')
    const reply = await call('POST', `/discussion/api/v3/topics/${tid}`, as('learner'), { content: `Spoofed ${tag}`, _uid: nb.adminUid })
    t.equal(reply.status, 200, reply.raw.slice(0, 300))
    t.equal(await ownerOf(Number(reply.body.response.pid)), uids.learner, 'still the learner\'s')
    const topic = await call('POST', '/discussion/api/v3/topics', as('learner'), { cid, title: `Spoof ${tag}`, content: 'x'.repeat(20), _uid: nb.adminUid })
    t.equal(topic.status, 403, 'no administrator\'s privileges either')
  })

  await t.test('admin routes and tokens are 404 and never reach NodeBB', async (t) => {
    const before = proxy.seen.length
    const attempts: Array<['GET' | 'POST' | 'PUT' | 'DELETE', string]> = [
      ['GET', '/discussion/api/admin/config'],
      ['GET', '/discussion/api/admin/manage/users'],
      ['POST', '/discussion/api/v3/users/1/tokens'],
      ['GET', '/discussion/api/v3/users/1/tokens'],
      ['PUT', '/discussion/api/v3/users/1'],
      ['DELETE', `/discussion/api/v3/topics/${tid}`],
      ['GET', `/discussion/api/v3/topics/${tid}/../../users/1/tokens`],
      ['GET', '/discussion/api/v3/topics/%2e%2e/%2e%2e/admin/config'],
      ['GET', '/discussion/api/v3/plugins/sunbird/settings']
    ]
    for (const [method, url] of attempts) {
      const res = await call(method, url, as('learner'), method === 'GET' ? undefined : {})
      t.equal(res.status, 404, `${method} ${url}`)
      t.equal(res.body?.params?.err, 'NOT_FOUND')
    }
    t.equal(proxy.seen.length, before, 'the proxy saw nothing')
  })

  await t.test('a never-created user is created on first use (AUTO_CREATE_USERS on) and posts as themselves; with it off: USER_NOT_FOUND', async (t) => {
    const newcomer = as('newcomer', { preferred_username: `New comer ${tag}` })
    const first = await call('POST', `/discussion/api/v3/topics/${tid}`, newcomer, { content: `Hello from a newcomer ${tag}` })
    t.equal(first.status, 403, 'the first call creates the user; NodeBB then refuses a reply in a forum they have no access to yet')
    const read = await call('GET', `/api/user/v1/read/${id('newcomer')}`, service)
    t.equal(read.status, 200, 'the user exists now, mapped under their Sunbird id')
    t.comment(`created as ${String(read.body.result.user.username)}`)
    const granted = await call('PATCH', `/api/forum/v1/update/${cid}`, service, { request: { privileges: [{ permissions: ['post'], users: [id('newcomer')] }] } })
    t.equal(granted.status, 200, granted.raw.slice(0, 200))
    const reply = await call('POST', `/discussion/api/v3/topics/${tid}`, newcomer, { content: `Hello from a newcomer ${tag}` })
    t.equal(reply.status, 200, reply.raw.slice(0, 300))
    t.equal(await ownerOf(Number(reply.body.response.pid)), read.body.result.user.uid, 'the post is theirs')
    const before = proxy.seen.filter((s) => !s.url.startsWith('/api/v3/plugins/')).length
    const off = await call('GET', `/discussion/api/v3/topics/${tid}`, as('stranger'), undefined, strict)
    t.equal(off.status, 404)
    t.equal(off.body.params.err, 'USER_NOT_FOUND')
    t.equal(proxy.seen.filter((s) => !s.url.startsWith('/api/v3/plugins/')).length, before, 'nothing forwarded for them')
    t.equal((await call('GET', `/api/user/v1/read/${id('stranger')}`, service)).status, 404, 'and not created')
  })

  await t.test('an app event created through the adapter shows in the context\'s activity and reaches the webhook', async (t) => {
    const created = await call('POST', '/api/activity/v1/create', service, { params: { msgid: `ev-${tag}` }, request: { actor: id('learner'), verb: 'completed', object: { type: 'course', identifier: `do_${tag}`, title: 'Algebra 1' }, context: ctx, forum: String(cid) } })
    t.equal(created.status, 200, created.raw.slice(0, 300))
    const identifier = created.body.result.identifier as string
    const refused = await call('POST', '/api/activity/v1/create', as('learner'), { request: { actor: id('learner'), verb: 'completed', object: { type: 'course', identifier: 'x' }, context: ctx } })
    t.equal(refused.status, 403, 'a client consumer acting as a learner')
    const listed = await call('POST', '/api/activity/v1/list', as('learner'), { request: { context: ctx, verbs: ['completed'] } })
    t.equal(listed.status, 200, listed.raw.slice(0, 300))
    t.same((listed.body.result.activities as Array<{ id: string }>).map((a) => a.id), [identifier], 'in the context\'s activity, by verb')
    const all = await call('POST', '/api/activity/v1/list', as('learner'), { request: { context: ctx } })
    t.ok((all.body.result.activities as Array<{ verb: string }>).some((a) => a.verb === 'post.reply'), 'beside NodeBB\'s own events')
    const delivery = await until(() => received.find((r) => r.body.includes(identifier)))
    t.ok(delivery, 'delivered to the webhook receiver')
    if (delivery !== undefined) {
      t.equal(delivery.headers['x-sunbird-event'], 'completed')
      t.match(JSON.parse(delivery.body), { event: 'completed', activity: { id: identifier, source: 'app', context: ctx } })
    }
  })
}
