import t, { type Test } from 'tap'
import type { InjectOptions } from 'fastify'
import { appWithStandIn, type AppWithStandIn } from './stand-in-app'
import { adminRole, callerHeaders } from '../tokens'
import { closedPort } from './nodebb-stand-in'
import { testRedis } from './redis-test-db'

const ctx = { type: 'batch', identifier: 'b-1' }
const createUser = (msgid: string | null, request: Record<string, unknown>): InjectOptions => ({
  method: 'POST', url: '/api/user/v1/create', payload: msgid === null ? { request } : { params: { msgid }, request }
})

/** Resolves once `done()` holds (checked every 10 ms): wait for an event, not for a fixed time. */
async function until (done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 10))
}

/** The same behaviour from both stores: memory (REDIS_URL empty) and Redis. */
function suite (name: string, setup: (t: Test, overrides?: Record<string, string>) => Promise<AppWithStandIn>): void {
  t.test(`${name}: same msgid and request: the first answer, byte for byte, and no NodeBB call`, async (t) => {
    const { send, reached } = await setup(t)
    const first = await send(createUser('m-1', { identifier: 'u-1', username: 'learner1' }))
    t.equal(first.status, 200, first.raw)
    t.equal(first.headers['idempotent-replayed'], undefined)
    const again = await send({ method: 'POST', url: '/api/user/v1/create', payload: { id: 'retry', ets: 99, params: { msgid: 'm-1' }, request: { username: 'learner1', identifier: 'u-1' } } })
    t.equal(again.status, 200)
    t.equal(again.raw, first.raw, 'identical body: same resmsgid and ets')
    t.equal(again.headers['idempotent-replayed'], 'true')
    const slash = await send({ method: 'POST', url: '/api/user/v1/create/', payload: { params: { msgid: 'm-1' }, request: { identifier: 'u-1', username: 'learner1' } } })
    t.equal(slash.raw, first.raw, 'a trailing slash is the same route')
    t.equal(reached(), 1, 'NodeBB saw the first only')
  })

  t.test(`${name}: same msgid, another request: 409 CONFLICT, no NodeBB call`, async (t) => {
    const { send, reached } = await setup(t)
    await send(createUser('m-2', { identifier: 'u-2', username: 'learner2' }))
    const other = await send(createUser('m-2', { identifier: 'u-3', username: 'learner3' }))
    t.equal(other.status, 409)
    t.equal(other.body.params.err, 'CONFLICT')
    t.match(other.body.params.errmsg, /already used for a different request/)
    t.equal(other.body.params.msgid, 'm-2')
    t.equal(reached(), 1)
  })

  t.test(`${name}: one msgid passed along a chain of calls is a new request on each route and for each user`, async (t) => {
    const { send, reached } = await setup(t)
    const made = await send(createUser('trace-1', { identifier: 'u-20', username: 'learner20' }))
    t.equal(made.status, 200, made.raw)
    const forum = await send({ method: 'POST', url: '/api/forum/v1/create', payload: { params: { msgid: 'trace-1' }, request: { name: 'A', context: ctx } } })
    t.equal(forum.status, 200, `another route: ${forum.raw}`)
    const fetched = await send({ method: 'POST', url: '/api/forum/v1/fetch', payload: { params: { msgid: 'trace-1' }, request: { context: ctx } } })
    t.equal(fetched.status, 200)
    t.equal(reached(), 3, 'each ran')
    // the same msgid and body on the same route by another acting user: theirs, not a replay of the first
    const byOther = await send({ ...createUser('trace-1', { identifier: 'u-20', username: 'learner20' }), headers: callerHeaders('other-admin', { roles: [adminRole] }) })
    t.equal(byOther.headers['idempotent-replayed'], undefined, 'not a replay')
    t.equal(byOther.body.params.err, 'USER_EXISTS', 'it ran (and found the user the first call made)')
    t.equal(reached(), 4)
  })

  t.test(`${name}: a duplicate while the first is in flight waits for it; past the wait, 409 IN_PROGRESS`, async (t) => {
    const { send, reached, nodebb } = await setup(t)
    nodebb.slowMs = 400
    nodebb.failNext('slow')
    const first = send(createUser('m-3', { identifier: 'u-4', username: 'learner4' }))
    await until(() => reached() === 1)
    const second = await send(createUser('m-3', { identifier: 'u-4', username: 'learner4' }))
    const a = await first
    t.equal(a.status, 200, a.raw)
    t.equal(second.raw, a.raw, 'the duplicate waited and got the first answer')
    t.equal(second.headers['idempotent-replayed'], 'true')
    t.equal(reached(), 1, 'NodeBB saw one')

    nodebb.slowMs = 4500
    nodebb.failNext('slow')
    const long = send(createUser('m-3b', { identifier: 'u-4b', username: 'learner4b' }))
    await until(() => reached() === 2)
    const early = await send(createUser('m-3b', { identifier: 'u-4b', username: 'learner4b' }))
    t.same([early.status, early.body.params.err], [409, 'IN_PROGRESS'], early.raw)
    t.equal(early.headers['retry-after'], '1', 'a retry hint')
    t.same(early.body.result, { retryAfterMs: 1000 })
    t.equal((await long).status, 200)
    const after = await send(createUser('m-3b', { identifier: 'u-4b', username: 'learner4b' }))
    t.equal(after.headers['idempotent-replayed'], 'true', 'once finished, the duplicate gets the first answer')
    t.equal(reached(), 2)
  })

  t.test(`${name}: client errors are stored, server errors are not`, async (t) => {
    const { send, reached, reset, nodebb } = await setup(t)
    await send(createUser(null, { identifier: 'u-5', username: 'learner5' }))
    const exists = await send(createUser('m-4', { identifier: 'u-5', username: 'other' }))
    t.equal(exists.body.params.err, 'USER_EXISTS')
    reset()
    const replay = await send(createUser('m-4', { identifier: 'u-5', username: 'other' }))
    t.equal(replay.raw, exists.raw, 'a 409 USER_EXISTS is replayed')
    t.equal(replay.status, 409)
    t.equal(reached(), 0)

    nodebb.failNext('nodebb-500')
    const failed = await send(createUser('m-5', { identifier: 'u-6', username: 'learner6' }))
    t.equal(failed.status, 503)
    const retry = await send(createUser('m-5', { identifier: 'u-6', username: 'learner6' }))
    t.equal(retry.status, 200, 'after a 503 the same msgid runs again')
    t.equal(reached(), 2)
  })

  t.test(`${name}: update and delete replay; reads and writes without msgid are not stored`, async (t) => {
    const { send, reached, reset } = await setup(t)
    const forum = await send({ method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'A', context: ctx } } })
    const id = forum.body.result.identifier as string
    const rename = { method: 'PATCH' as const, url: `/api/forum/v1/update/${id}`, payload: { params: { msgid: 'm-6' }, request: { name: 'B' } } }
    const renamed = await send(rename)
    t.equal(renamed.status, 200)
    const del = { method: 'DELETE' as const, url: `/api/forum/v1/delete/${id}`, payload: { params: { msgid: 'm-7' } } }
    const deleted = await send(del)
    t.equal(deleted.status, 200, deleted.raw)
    reset()
    t.equal((await send(rename)).raw, renamed.raw)
    t.equal((await send(del)).raw, deleted.raw, 'a repeated delete replays its success rather than FORUM_NOT_FOUND')
    t.equal(reached(), 0)

    const fetch = { method: 'POST' as const, url: '/api/forum/v1/fetch', payload: { params: { msgid: 'm-8' }, request: { context: ctx } } }
    await send(fetch)
    await send(fetch)
    t.equal(reached(), 2, 'fetch is a read: not stored')
    await send(createUser(null, { identifier: 'u-7', username: 'learner7' }))
    const second = await send(createUser(null, { identifier: 'u-7', username: 'learner7' }))
    t.equal(second.body.params.err, 'USER_EXISTS', 'without a msgid a write runs again')
    t.equal(reached(), 4)
  })

  t.test(`${name}: a refused body claims nothing; records expire after the TTL`, async (t) => {
    const { send, reached } = await setup(t, { IDEMPOTENCY_TTL_SECONDS: '1' })
    const bad = await send(createUser('m-9', { identifier: 'u-8' }))
    t.equal(bad.status, 400)
    const good = await send(createUser('m-9', { identifier: 'u-8', username: 'learner8' }))
    t.equal(good.status, 200, 'the msgid was not taken by the refused body')
    await new Promise((resolve) => setTimeout(resolve, 1200))
    const late = await send(createUser('m-9', { identifier: 'u-8', username: 'learner8' }))
    t.equal(late.body.params.err, 'USER_EXISTS', 'after the TTL the request runs again')
    t.equal(reached(), 2)
  })
}

suite('memory', (t, overrides = {}) => appWithStandIn(t, overrides))

suite('redis', async (t, overrides = {}) => {
  const redis = await testRedis(t)
  const s = await appWithStandIn(t, { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix, ...overrides })
  t.equal(s.app.idempotency.kind, 'redis')
  return s
})

t.test('redis: records live under the prefix with the TTL', async (t) => {
  const redis = await testRedis(t)
  const { send } = await appWithStandIn(t, { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix, IDEMPOTENCY_TTL_SECONDS: '600' })
  await send(createUser('m-10', { identifier: 'u-10', username: 'learner10' }))
  // one record (keyed by a hash of consumer, route, acting user and msgid) under the prefix
  const keys: string[] = []
  for await (const batch of redis.client.scanIterator({ MATCH: `${redis.prefix}idempotency:*`, COUNT: 100 })) keys.push(...batch)
  t.equal(keys.length, 1)
  const key = keys[0] as string
  const ttl = await redis.client.pTTL(key)
  t.ok(ttl > 590000 && ttl <= 600000, `PTTL ${ttl}`)
  t.match(JSON.parse(String(await redis.client.get(key))), { state: 'done', response: { status: 200 } })
})

t.test('redis down: writes with a msgid are 503 (never run unguarded); the rest goes on', async (t) => {
  const port = await closedPort()
  const { send, reached, app } = await appWithStandIn(t, { REDIS_URL: `redis://127.0.0.1:${port}/11` })
  const guarded = await send(createUser('m-11', { identifier: 'u-11', username: 'learner11' }))
  t.equal(guarded.status, 503)
  t.equal(guarded.body.params.err, 'UPSTREAM_UNAVAILABLE')
  t.equal(reached(), 0, 'nothing reached NodeBB')
  t.equal((await send(createUser(null, { identifier: 'u-11', username: 'learner11' }))).status, 200, 'a write without msgid goes on')
  t.equal((await send({ method: 'GET', url: '/api/user/v1/read/u-11' })).status, 200, 'a read goes on')
  const ready = await send({ method: 'GET', url: '/ready' })
  t.equal(ready.status, 503)
  t.same(ready.body.result, { ready: false, checks: { nodebb: 'ok', redis: 'fail' } }, 'why is logged, not answered')
  t.match(await app.metrics.render(), /sunbird_adapter_idempotency_total\{outcome="unavailable"\} 1/)
})
