import t, { type Test } from 'tap'
import { appWithStandIn, type AppWithStandIn } from '../adapter/stand-in-app'
import { closedPort } from '../adapter/nodebb-stand-in'
import { redisServerAvailable, startRedisServer, switchablePort, type SwitchablePort } from './switchable-port'

/**
 * Issue 8, faults: NodeBB and Redis go down under a running adapter and come back. While down the
 * adapter keeps answering (liveness, 503 envelopes, /ready false with its checks); once they are
 * back it is ready again and calls succeed, with no restart and no config change.
 */
const ctx = { type: 'batch', identifier: 'faults-1' }
type Sent = Awaited<ReturnType<AppWithStandIn['send']>>

/** A write that was sent and got no answer: the outcome is unknown, and the client is told to retry with its msgid. */
function outcomeUnknown (t: Test, res: Sent, what: string): void {
  t.equal(res.status, 503, `${what}: 503 (${res.raw.slice(0, 200)})`)
  t.equal(res.body.params.err, 'OUTCOME_UNKNOWN', `${what}: OUTCOME_UNKNOWN`)
  t.match(res.body.params.errmsg, /retry with the same msgid/, `${what}: says to retry with the same msgid`)
}

function unavailable (t: Test, res: Sent, what: string): void {
  t.equal(res.status, 503, `${what}: 503 (${res.raw.slice(0, 200)})`)
  t.equal(res.body.params.err, 'UPSTREAM_UNAVAILABLE', `${what}: UPSTREAM_UNAVAILABLE`)
  t.equal(res.body.responseCode, 'SERVER_ERROR', `${what}: SERVER_ERROR`)
  t.equal(res.body.params.status, 'failed', `${what}: failed`)
}

/** Polls /ready until it answers `status` (the Redis client reconnects with a backoff). */
async function readyBecomes (w: AppWithStandIn, status: number, withinMs: number): Promise<Sent> {
  const until = Date.now() + withinMs
  for (;;) {
    const res = await w.send({ method: 'GET', url: '/ready' })
    if (res.status === status || Date.now() > until) return res
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function nodebbBehindSwitch (t: Test): Promise<AppWithStandIn & { nodebbPort: SwitchablePort }> {
  const nodebbPort = await switchablePort()
  t.teardown(() => nodebbPort.close())
  const w = await appWithStandIn(t, { NODEBB_URL: nodebbPort.url, RATE_LIMIT_MAX: '100000' })
  nodebbPort.target = Number(new URL(w.nodebb.url).port)
  return { ...w, nodebbPort }
}

t.test('NodeBB goes down and comes back: 503s and /ready false while down, no crash, recovery after', async (t) => {
  const w = await nodebbBehindSwitch(t)
  const ready = await w.send({ method: 'GET', url: '/ready' })
  t.equal(ready.status, 200, ready.raw)
  t.match(ready.body.result, { ready: true, checks: { nodebb: 'ok', redis: 'disabled' } })
  t.equal((await w.send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'u-1', username: 'learner1' } } })).status, 200)
  const created = await w.send({ method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'Before', context: ctx, privileges: [{ permissions: ['post'], users: ['u-1'] }] } } })
  t.equal(created.status, 200, created.raw)
  const forumId = (created.body.result as { identifier: string }).identifier

  await w.nodebbPort.down()
  w.reset()
  const down = await w.send({ method: 'GET', url: '/ready' })
  t.equal(down.status, 503, '/ready: 503')
  t.equal(down.body.params.err, 'UPSTREAM_UNAVAILABLE')
  t.match(down.body.result, { ready: false, checks: { nodebb: /\S/, redis: 'disabled' } })
  t.not(down.body.result.checks, undefined)
  t.not((down.body.result.checks as { nodebb: string }).nodebb, 'ok', `checks.nodebb says why: ${(down.body.result.checks as { nodebb: string }).nodebb}`)
  unavailable(t, await w.send({ method: 'GET', url: `/api/forum/v1/read/${forumId}` }), 'read')
  unavailable(t, await w.send({ method: 'POST', url: '/api/forum/v1/fetch', payload: { request: { context: ctx } } }), 'fetch')
  unavailable(t, await w.send({ method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'During', context: ctx } } }), 'create')
  unavailable(t, await w.send({ method: 'PATCH', url: `/api/forum/v1/update/${forumId}`, payload: { request: { name: 'During' } } }), 'update')
  unavailable(t, await w.send({ method: 'DELETE', url: `/api/forum/v1/delete/${forumId}` }), 'delete')
  unavailable(t, await w.send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'u-2', username: 'learner2' } } }), 'user create')
  unavailable(t, await w.send({ method: 'GET', url: '/api/user/v1/read/u-1' }), 'user read')
  t.equal((await w.send({ method: 'GET', url: '/health' })).status, 200, 'liveness still answers')
  t.equal(w.reached(), 0, 'nothing reached NodeBB while it was down')

  await w.nodebbPort.up()
  const back = await readyBecomes(w, 200, 30000)
  t.equal(back.status, 200, `/ready true again: ${back.raw}`)
  t.match(back.body.result, { ready: true, checks: { nodebb: 'ok' } })
  const read = await w.send({ method: 'GET', url: `/api/forum/v1/read/${forumId}` })
  t.equal(read.status, 200, 'the forum made before the outage is still there')
  t.match(read.body.result, { identifier: forumId, forums: [{ name: 'Before' }] })
  const fetched = await w.send({ method: 'POST', url: '/api/forum/v1/fetch', payload: { request: { context: ctx } } })
  t.equal((fetched.body.result as { count: number }).count, 1, 'nothing was made by the refused create')
  t.equal((await w.send({ method: 'PATCH', url: `/api/forum/v1/update/${forumId}`, payload: { request: { name: 'After' } } })).status, 200, 'writes succeed again')
  t.equal((await w.send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'u-2', username: 'learner2' } } })).status, 200)
})

t.test('NodeBB dies in the middle of a request: that request is 503, the next ones recover', async (t) => {
  const w = await nodebbBehindSwitch(t)
  // the stand-in holds the create far longer than the cut takes, so the cut lands while it is held
  w.nodebb.slowMs = 5000
  w.nodebb.failNext('slow')
  w.reset()
  const pending = w.send({ method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'Cut', context: ctx } } })
  // the create has reached NodeBB (an event, not a guess at how long that takes)
  while (w.reached() === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  await w.nodebbPort.down()
  outcomeUnknown(t, await pending, 'the create whose connection was cut after it was sent')
  await w.nodebbPort.up()
  t.equal((await readyBecomes(w, 200, 30000)).status, 200, 'ready again')
  // the stand-in finished the cut create (NodeBB would too): the adapter answered 503, a retry may find it
  const again = await w.send({ method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'After', context: ctx } } })
  t.equal(again.status, 200, again.raw)
})

t.test('NodeBB answers 503 (maintenance) or a proxy page for a while, then recovers', async (t) => {
  const w = await nodebbBehindSwitch(t)
  // /ready probes once (no retries); a GET gets 2 retries, so 3 bad answers in a row are needed
  w.nodebb.failNext('nodebb-503', 1)
  t.equal((await w.send({ method: 'GET', url: '/ready' })).status, 503, '/ready during maintenance')
  w.nodebb.failNext('nodebb-503', 3)
  unavailable(t, await w.send({ method: 'POST', url: '/api/forum/v1/fetch', payload: { request: { context: ctx } } }), 'fetch during maintenance')
  w.nodebb.failNext('html', 1)
  outcomeUnknown(t, await w.send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'u-9', username: 'learner9' } } }), 'a write answered by a proxy\'s 502 page')
  t.equal((await w.send({ method: 'GET', url: '/ready' })).status, 200, 'ready again')
  t.equal((await w.send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'u-9', username: 'learner9' } } })).status, 200, 'the write succeeds now')
})

t.test('Redis goes down and comes back: writes with msgid 503 while down, recover after', { skip: redisServerAvailable() ? false : 'redis-server is not on PATH: this test starts and stops its own Redis' }, async (t) => {
  const port = await closedPort()
  let redis = await startRedisServer(port)
  t.teardown(() => redis.stop())
  const w = await appWithStandIn(t, { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: 'faults:', RATE_LIMIT_MAX: '100000' })
  t.equal(w.app.idempotency.kind, 'redis')
  const user = (id: string, msgid?: string) => w.send({ method: 'POST', url: '/api/user/v1/create', payload: { ...(msgid === undefined ? {} : { params: { msgid } }), request: { identifier: id, username: id.replace('-', '') } } })
  t.equal((await readyBecomes(w, 200, 30000)).status, 200, 'ready with Redis up')
  t.equal((await user('r-1', 'msg-1')).status, 200, 'a write with msgid')
  t.equal((await user('r-1', 'msg-1')).headers['idempotent-replayed'], 'true', 'replayed from Redis')

  await redis.stop()
  const down = await readyBecomes(w, 503, 30000)
  t.equal(down.status, 503, '/ready: 503')
  t.same(down.body.result, { ready: false, checks: { nodebb: 'ok', redis: 'fail' } })
  w.reset()
  unavailable(t, await user('r-2', 'msg-2'), 'a write with msgid while Redis is down')
  unavailable(t, await w.send({ method: 'DELETE', url: '/api/forum/v1/delete/1', payload: { params: { msgid: 'msg-3' } } }), 'a delete with msgid')
  t.equal(w.reached(), 0, 'never run unguarded: nothing reached NodeBB')
  t.equal((await user('r-3')).status, 200, 'a write without msgid goes on')
  t.equal((await w.send({ method: 'GET', url: '/api/user/v1/read/r-3' })).status, 200, 'reads go on')
  t.equal((await w.send({ method: 'GET', url: '/health' })).status, 200, 'liveness')

  redis = await startRedisServer(port)
  // the client reconnects with a backoff of up to 5 s
  const back = await readyBecomes(w, 200, 60000)
  t.equal(back.status, 200, `/ready true again: ${back.raw}`)
  const after = await user('r-2', 'msg-2')
  t.equal(after.status, 200, `the refused write with msgid now runs: ${after.raw}`)
  t.equal((await user('r-2', 'msg-2')).headers['idempotent-replayed'], 'true', 'and is guarded again')
})
