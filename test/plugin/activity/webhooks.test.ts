import t, { type Test } from 'tap'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { harness, pluginPaths } from '../helper'
import { sign, signatureHeader, timestampHeader, webhookKeys } from '../../../plugin/activity/webhooks'
import { guardedLookup, isPrivateAddress } from '../../../plugin/activity/webhook-address'
import { closedPort } from '../../adapter/nodebb-stand-in'

/** A real HTTP receiver on 127.0.0.1 that answers 500 to the first `failFirst` requests. */
async function receiver (t: { teardown: (fn: () => unknown) => void }, failFirst: number): Promise<{ url: string, got: Array<{ headers: IncomingMessage['headers'], body: string, status: number }> }> {
  const got: Array<{ headers: IncomingMessage['headers'], body: string, status: number }> = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const status = got.length < failFirst ? 500 : 204
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status })
      res.writeHead(status).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got }
}

const secret = 'webhook-secret-0123456789'

t.test('sign: sha256=<hex HMAC-SHA256 of "<delivery id>.<timestamp>.<body>">', async (t) => {
  const body = '{"event":"topic.create"}'
  t.equal(sign(secret, 'd1', 1700000000, body), `sha256=${createHmac('sha256', secret).update(`d1.1700000000.${body}`).digest('hex')}`)
  t.not(sign(secret, 'd1', 1700000000, body), sign('another-secret-0123456789', 'd1', 1700000000, body), 'the secret counts')
  t.not(sign(secret, 'd1', 1700000000, body), sign(secret, 'd2', 1700000000, body), 'the delivery id counts: a replay under another id does not verify')
  t.not(sign(secret, 'd1', 1700000000, body), sign(secret, 'd1', 1700000001, body), 'the timestamp counts: an old delivery cannot be re-sent as new')
})

async function setup (t: Test, failFirst: number, outbox: Record<string, unknown> = {}) {
  const clock = { now: 1_700_000_000_000 }
  const r = await receiver(t, failFirst)
  const h = harness({ now: () => clock.now, activity: { outbox: { baseDelayMs: 1000, maxDelayMs: 60_000, random: () => 1, timeoutMs: 2000, ...outbox } } })
  await h.call('put', pluginPaths.settings, h.admin, { body: { webhookUrls: r.url, webhookSecret: secret } })
  const uid = await h.user('u-1', 'user1')
  const forum = await h.call('post', pluginPaths.forums, h.admin, { body: { name: 'F', context: { type: 'batch', identifier: 'b' } } })
  const cid = Number(forum.identifier)
  const post = async (title: string): Promise<void> => {
    const { tid, pid } = h.fake.addTopic(cid, uid, title)
    await h.activity.onHook('action:topic.post', { topic: { tid, cid, uid, title, slug: `${tid}/x` }, post: { pid } })
  }
  return { h, r, clock, post }
}

t.test('the outbox retries through a failing receiver, with backoff, until it takes the delivery', async (t) => {
  const { h, r, clock, post } = await setup(t, 2)
  await post('Hello')
  t.equal(h.fake.db.zsets.get(webhookKeys.outbox)?.size, 1, 'queued durably in the database')

  t.same(await h.activity.outbox.deliverDue(), { sent: 0, failed: 1 }, 'first attempt: 500')
  t.same(await h.activity.outbox.deliverDue(), { sent: 0, failed: 0 }, 'not due again before the backoff')
  let status = await h.call('get', pluginPaths.webhookStatus, h.admin)
  t.match(status, { backlog: 1, subscribers: [{ url: r.url, backlog: 1, delivered: 0, failedAttempts: 1, lastSuccessAt: null, lastError: 'HTTP 500', lastErrorAt: clock.now }] })

  clock.now += 1000
  t.same(await h.activity.outbox.deliverDue(), { sent: 0, failed: 1 }, 'second attempt after 1 s: 500')
  clock.now += 1000
  t.same(await h.activity.outbox.deliverDue(), { sent: 0, failed: 0 }, 'the next wait doubled (2 s)')
  clock.now += 1000
  t.same(await h.activity.outbox.deliverDue(), { sent: 1, failed: 0 }, 'third attempt: taken')

  t.equal(r.got.length, 3)
  const last = r.got[2]
  const body = JSON.parse(last?.body ?? '{}') as { event: string, activity: { verb: string, object: { title: string } } }
  t.same([body.event, body.activity.verb, body.activity.object.title], ['topic.create', 'topic.create', 'Hello'])
  const timestamp = String(last?.headers[timestampHeader])
  t.equal(timestamp, String(Math.floor(clock.now / 1000)), 'the timestamp is the delivery attempt\'s, in Unix seconds')
  const signed = `${String(last?.headers['x-sunbird-delivery'])}.${timestamp}.${last?.body ?? ''}`
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(signed).digest('hex')}`)
  t.ok(timingSafeEqual(Buffer.from(String(last?.headers[signatureHeader])), expected), 'the signature verifies over the delivery id, the timestamp and the exact body')
  t.not(r.got[0]?.headers[signatureHeader], last?.headers[signatureHeader], 'each attempt is signed with its own timestamp')
  t.equal(last?.headers['content-type'], 'application/json')
  t.equal(last?.headers['x-sunbird-event'], 'topic.create')
  t.equal(r.got[0]?.headers['x-sunbird-delivery'], last?.headers['x-sunbird-delivery'], 'one delivery id across retries (receivers dedupe on it)')

  status = await h.call('get', pluginPaths.webhookStatus, h.admin)
  t.match(status, { backlog: 0, subscribers: [{ backlog: 0, delivered: 1, failedAttempts: 2, lastSuccessAt: clock.now, lastError: 'HTTP 500' }] })
  t.notOk([...h.fake.db.hashes.keys()].some((k) => k.startsWith('sunbird:webhooks:delivery:')), 'the delivery record is gone')
})

t.test('a delivery is dropped after the last attempt; an unreachable receiver counts as a failure', async (t) => {
  const { h, clock, post } = await setup(t, 100, { maxAttempts: 2 })
  await post('A')
  t.same(await h.activity.outbox.deliverDue(), { sent: 0, failed: 1 })
  clock.now += 5000
  t.same(await h.activity.outbox.deliverDue(), { sent: 0, failed: 0 }, 'dropped on the second failure')
  const status = await h.call('get', pluginPaths.webhookStatus, h.admin)
  t.match(status, { backlog: 0, subscribers: [{ dropped: 1, failedAttempts: 2 }] })

  // a port nothing listens on
  const dead = `http://127.0.0.1:${await closedPort()}/none`
  await h.call('put', pluginPaths.settings, h.admin, { body: { webhookUrls: dead } })
  await post('B')
  t.same(await h.activity.outbox.deliverDue(), { sent: 0, failed: 1 })
  const after = await h.call('get', pluginPaths.webhookStatus, h.admin)
  t.match(after.subscribers[0], { url: dead, backlog: 1, lastError: /ECONNREFUSED|fetch failed|connect/ })
})

t.test('a subscriber removed in the ACP has its deliveries dropped, not sent', async (t) => {
  const { h, r, post } = await setup(t, 0)
  await post('A')
  await h.call('put', pluginPaths.settings, h.admin, { body: { webhookUrls: '', webhookSecret: '' } })
  t.same(await h.activity.outbox.deliverDue(), { sent: 0, failed: 0 })
  t.equal(r.got.length, 0)
  t.equal(h.fake.db.zsets.get(webhookKeys.outbox)?.size ?? 0, 0)
  await post('B')
  t.equal(h.fake.db.zsets.get(webhookKeys.outbox)?.size ?? 0, 0, 'nothing queued without subscribers')
  t.same(await h.call('get', pluginPaths.webhookStatus, h.admin), { subscribers: [], backlog: 0 })
})

t.test('one worker pass at a time across processes (the database lock)', async (t) => {
  const { h, r, post } = await setup(t, 0)
  await post('A')
  await h.fake.db.incrObjectFieldBy('sunbird:locks', 'webhooks', 1)
  await h.fake.db.setObjectField('sunbird:locks', 'webhooks:at', Date.now())
  t.same(await h.activity.outbox.deliverDue(), { sent: 0, failed: 0 }, 'another process holds the pass')
  await h.fake.db.incrObjectFieldBy('sunbird:locks', 'webhooks', -1)
  t.same(await h.activity.outbox.deliverDue(), { sent: 1, failed: 0 })
  t.equal(r.got.length, 1)
})

t.test('a timeout is a failure', async (t) => {
  const { h, post } = await setup(t, 0, {
    timeoutMs: 50,
    fetch: async (_url: string, init: { signal: AbortSignal }) => new Promise((_resolve, reject) => { init.signal.addEventListener('abort', () => reject(init.signal.reason)) })
  })
  await post('A')
  t.same(await h.activity.outbox.deliverDue(), { sent: 0, failed: 1 })
  t.match((await h.activity.outbox.status()).subscribers[0], { lastError: 'timed out' })
})

t.test('private and link-local addresses: refused at save and at delivery unless an administrator allows them', async (t) => {
  for (const address of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '127.0.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '::ffff:169.254.169.254']) {
    t.ok(isPrivateAddress(address), `${address} is private`)
  }
  for (const address of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:db8::1', 'example.org']) t.notOk(isPrivateAddress(address), `${address} is not`)

  const h = harness()
  for (const url of ['https://169.254.169.254/latest/meta-data', 'https://10.0.0.5/hook', 'https://[fd00::5]/hook', 'https://192.168.0.10/hook']) {
    const refused = await h.fail('put', pluginPaths.settings, h.admin, { body: { webhookUrls: url, webhookSecret: secret } })
    t.match(refused, { code: 'INVALID_REQUEST', message: /private or link-local/ }, `${url} is refused at save`)
  }
  t.same((await h.call('get', pluginPaths.settings, h.admin)).webhookUrls, [], 'nothing was saved')
  const allowed = await h.call('put', pluginPaths.settings, h.admin, { body: { webhookUrls: 'https://10.0.0.5/hook', webhookSecret: secret, webhookAllowPrivate: 'on' } })
  t.same(allowed.webhookUrls, ['https://10.0.0.5/hook'], 'allowed once an administrator turns private addresses on')
  t.equal(allowed.webhookAllowPrivate, true)
  t.match(await h.call('put', pluginPaths.settings, h.admin, { body: { webhookUrls: 'http://127.0.0.1:9/hook' } }), { webhookUrls: ['http://127.0.0.1:9/hook'] }, 'a loopback host named as such stays allowed')

  // a host name that resolves to a private address: refused when the delivery connects
  const resolveTo = (address: string) => (_host: string, _options: object, cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void) => cb(null, address, 4)
  const lookup = (address: string, allow: boolean) => new Promise<{ err: NodeJS.ErrnoException | null, address: unknown }>((resolve) => {
    guardedLookup(() => allow, resolveTo(address) as never)('hooks.example.org', {}, (err, resolved) => resolve({ err, address: resolved }))
  })
  t.match((await lookup('169.254.169.254', false)).err, { code: 'ESUNBIRDPRIVATE', message: /private or link-local/ })
  t.equal((await lookup('169.254.169.254', true)).err, null, 'allowed by the setting')
  t.same(await lookup('93.184.216.34', false), { err: null, address: '93.184.216.34' }, 'a public address connects')
})
