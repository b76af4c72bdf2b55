import t, { type Test } from 'tap'
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { build, testConfig, type EnvelopeBody } from '../helper'
import { callerHeaders } from '../tokens'
import { callNodebb, nodebbTarget, skipReason, unavailable, type NodebbTarget } from './nodebb'

/**
 * Activity, notifications and webhooks on a real NodeBB: a user replies in a forum (NodeBB's own
 * Write API, so NodeBB's hooks fire), the activity shows under its context through the adapter,
 * a notification sent through the adapter reaches the user's NodeBB notifications, and the
 * activity arrives at a local webhook receiver with a valid signature.
 */
const target = nodebbTarget()

if (target === null) {
  unavailable(t, skipReason)
} else {
  t.test('activity, notifications and webhooks on a real NodeBB', async (t) => run(t, target))
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T> (what: () => Promise<T | undefined>, ms = 15000): Promise<T | undefined> {
  const end = Date.now() + ms
  for (;;) {
    const value = await what()
    if (value !== undefined || Date.now() > end) return value
    await sleep(250)
  }
}

async function run (t: Test, nb: NodebbTarget): Promise<void> {
  const app: FastifyInstance = await build(t, { config: testConfig({ NODEBB_URL: nb.url, NODEBB_TOKEN: nb.token, NODEBB_SERVICE_UID: String(nb.adminUid) }) })
  const tag = randomBytes(3).toString('hex')
  const ctx = { type: 'batch', identifier: `activity-${tag}` }
  const as = (sunbirdId: string | null): Record<string, string> => callerHeaders(sunbirdId)
  const send = async (url: string, headers: Record<string, string>, payload: unknown): Promise<{ status: number, body: EnvelopeBody }> => {
    const res = await app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
    return { status: res.statusCode, body: res.json() as EnvelopeBody }
  }
  const id = (who: string): string => `${who}-${tag}`

  // a webhook receiver on 127.0.0.1
  const secret = `e2e-secret-${tag}-0123456789`
  const received: Array<{ headers: IncomingHttpHeaders, body: string }> = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => { received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }); res.writeHead(200).end('ok') })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sunbird-hook`

  const settingsBefore = await callNodebb(nb, 'GET', '/api/v3/plugins/sunbird/settings', nb.adminUid)
  const previousUrls = (settingsBefore.body.response?.webhookUrls as string[] | undefined) ?? []
  const put = await callNodebb(nb, 'PUT', '/api/v3/plugins/sunbird/settings', nb.adminUid, { webhookUrls: hookUrl, webhookSecret: secret })
  t.equal(put.status, 200, `webhook settings saved: ${JSON.stringify(put.body).slice(0, 200)}`)
  // leave the subscriber list as it was (the secret cannot be read back, so it stays ours)
  t.teardown(async () => { await callNodebb(nb, 'PUT', '/api/v3/plugins/sunbird/settings', nb.adminUid, { webhookUrls: previousUrls.join('\n') }) })

  const uids: Record<string, number> = {}
  for (const who of ['learner', 'mentor']) {
    const res = await send('/api/user/v1/create', as(null), { request: { identifier: id(who), username: `${who}${tag}` } })
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 200))
    uids[who] = res.body.result.uid as number
  }
  const forum = await send('/api/forum/v1/create', as(null), {
    request: { name: `Activity ${tag}`, context: ctx, privileges: [{ permissions: ['topic'], users: [id('learner')] }, { permissions: ['moderate'], users: [id('mentor')] }] }
  })
  t.equal(forum.status, 200, JSON.stringify(forum.body).slice(0, 200))
  const cid = Number(forum.body.result.identifier)
  t.teardown(async () => { await send('/api/forum/v1/delete/' + String(cid), as(null), {}).catch(() => {}) })

  // the mentor opens a topic and the learner replies, through NodeBB's own Write API
  const topic = await callNodebb(nb, 'POST', '/api/v3/topics', uids.mentor as number, { cid, title: `Welcome ${tag}`, content: 'Introduce yourselves here please.' })
  t.equal(topic.status, 200, JSON.stringify(topic.body).slice(0, 300))
  const tid = Number(topic.body.response?.tid)
  const reply = await callNodebb(nb, 'POST', `/api/v3/topics/${tid}`, uids.learner as number, { content: 'Hello, I am the learner.' })
  t.equal(reply.status, 200, JSON.stringify(reply.body).slice(0, 300))
  const pid = Number(reply.body.response?.pid)

  await t.test('the reply appears under its context through the adapter', async (t) => {
    const found = await until(async () => {
      const res = await send('/api/activity/v1/list', as(null), { request: { context: ctx } })
      const activities = (res.body.result.activities ?? []) as Array<{ verb: string, object: { id: string } }>
      return activities.some((a) => a.verb === 'post.reply') ? res : undefined
    })
    t.ok(found, 'recorded')
    const result = found?.body.result as { activities: Array<Record<string, any>>, count: number }
    t.same(result.activities.map((a) => a.verb), ['post.reply', 'topic.create'])
    t.match(result.activities[0], {
      verb: 'post.reply',
      actor: { identifier: id('learner'), uid: uids.learner },
      object: { type: 'post', id: String(pid), topic: String(tid), title: `Welcome ${tag}`, url: new RegExp(`/post/${pid}$`) },
      forum: { identifier: String(cid), root: String(cid), context: ctx }
    })
    const mine = await send('/api/activity/v1/list', as(id('learner')), { request: { user: id('learner') } })
    t.same((mine.body.result.activities as Array<{ verb: string }>).map((a) => a.verb), ['post.reply'], 'by user, with the learner\'s own token')
    const stranger = await send('/api/user/v1/create', as(null), { request: { identifier: id('stranger'), username: `stranger${tag}` } })
    t.equal(stranger.status, 200)
    const hidden = await send('/api/activity/v1/list', as(id('stranger')), { request: { context: ctx } })
    t.same([hidden.status, hidden.body.result.count], [200, 0], 'a user who cannot read the forum sees none of it')
  })

  await t.test('a notification sent through the adapter shows in the user\'s NodeBB notifications', async (t) => {
    const sent = await send('/api/notification/v1/send', as(null), { request: { users: [id('learner')], title: `Exam moved ${tag}`, body: 'Now on Friday', url: `/category/${cid}`, from: id('mentor') } })
    t.equal(sent.status, 200, JSON.stringify(sent.body).slice(0, 200))
    t.equal(sent.body.result.delivered, 1)
    const nid = String(sent.body.result.identifier)
    // NodeBB pushes half a second later, in the background
    const inNodebb = await until(async () => {
      const res = await callNodebb(nb, 'GET', '/api/notifications', uids.learner as number)
      const list = (res.body.notifications ?? []) as Array<{ nid: string, bodyShort: string, read: boolean }>
      return list.find((n) => n.nid === nid)
    })
    t.match(inNodebb, { nid, bodyShort: `Exam moved ${tag}`, read: false }, 'NodeBB\'s own /api/notifications, as the user')
    const listed = await send('/api/notification/v1/list', as(id('learner')), { request: { user: id('learner'), unread: true } })
    t.equal(listed.status, 200)
    t.match((listed.body.result.notifications as unknown[])[0], { id: nid, title: `Exam moved ${tag}`, from: id('mentor'), read: false })
    const marked = await send('/api/notification/v1/mark-read', as(id('learner')), { request: { user: id('learner'), ids: [nid] } })
    t.match(marked.body.result, { marked: 1 })
    const after = await send('/api/notification/v1/list', as(id('learner')), { request: { user: id('learner') } })
    t.match((after.body.result.notifications as Array<{ id: string, read: boolean }>).find((n) => n.id === nid), { read: true })
  })

  await t.test('the reply arrives at the webhook receiver, signed', async (t) => {
    const delivery = await until(async () => received.find((r) => r.body.includes('"post.reply"') && r.body.includes(`"${String(pid)}"`)), 20000)
    t.ok(delivery, 'delivered')
    if (delivery === undefined) return
    // signed: "<delivery id>.<timestamp>.<body>", so a receiver can refuse replays
    const timestamp = Number(delivery.headers['x-sunbird-timestamp'])
    t.ok(Math.abs(timestamp - Date.now() / 1000) < 300, 'a recent timestamp, in Unix seconds')
    const expected = `sha256=${createHmac('sha256', secret).update(`${String(delivery.headers['x-sunbird-delivery'])}.${timestamp}.${delivery.body}`).digest('hex')}`
    t.ok(timingSafeEqual(Buffer.from(String(delivery.headers['x-sunbird-signature'])), Buffer.from(expected)), 'the signature verifies')
    t.equal(delivery.headers['x-sunbird-event'], 'post.reply')
    t.match(JSON.parse(delivery.body), { event: 'post.reply', activity: { forum: { context: ctx } } })
    const status = await callNodebb(nb, 'GET', '/api/v3/plugins/sunbird/webhooks/status', nb.adminUid)
    t.match(status.body.response, { subscribers: [{ url: hookUrl, delivered: Number }] })
    t.comment(`webhook status: ${JSON.stringify(status.body.response)}`)
  })

  await t.test('a deleted topic leaves the learner\'s activity list, not the moderator\'s; restored, it is back', async (t) => {
    const verbsFor = async (who: string): Promise<string[]> => {
      const res = await send('/api/activity/v1/list', as(id(who)), { request: { context: ctx, verbs: ['topic.create', 'post.reply'] } })
      t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 200))
      return (res.body.result.activities as Array<{ verb: string }>).map((a) => a.verb)
    }
    t.same(await verbsFor('learner'), ['post.reply', 'topic.create'], 'before: the learner sees the topic and the reply')
    // the mentor (moderate) deletes the topic with NodeBB's own Write API
    const deleted = await callNodebb(nb, 'DELETE', `/api/v3/topics/${tid}/state`, uids.mentor as number)
    t.equal(deleted.status, 200, JSON.stringify(deleted.body).slice(0, 300))
    t.same(await verbsFor('learner'), [], 'NodeBB hides a deleted topic and its posts from the learner, and so does the list')
    t.same(await verbsFor('mentor'), ['post.reply', 'topic.create'], 'the mentor may view deleted posts and still sees them')
    const restored = await callNodebb(nb, 'PUT', `/api/v3/topics/${tid}/state`, uids.mentor as number)
    t.equal(restored.status, 200, JSON.stringify(restored.body).slice(0, 300))
    t.same(await verbsFor('learner'), ['post.reply', 'topic.create'], 'restored: visible again')
  })
}
