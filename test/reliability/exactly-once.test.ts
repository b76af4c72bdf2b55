import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { build, testConfig, type EnvelopeBody } from '../helper'
import { startStandIn, type StandIn } from '../adapter/nodebb-stand-in'
import { adminHeaders } from '../tokens'

/**
 * Exactly once across the adapter's timeout (issue 18): a write that outlives the adapter's
 * deadline is answered 503 OUTCOME_UNKNOWN, and its retry with the same msgid gets what the first
 * attempt made, never a second one; duplicates through adapters that share nothing but NodeBB make
 * one forum; an adapter or a NodeBB that dies mid-create leaves one forum, or none and an honest error.
 */
const ctx = { type: 'batch', identifier: 'once' }
const create = (msgid: string) => ({ params: { msgid }, request: { name: 'Once', context: ctx, groups: [{ permissions: ['post'] }], children: [{ name: 'Week 1' }] } })

interface Answer { status: number, body: EnvelopeBody }

async function adapter (t: Test, nodebb: StandIn, overrides: Record<string, string> = {}): Promise<FastifyInstance> {
  return build(t, { config: testConfig({ NODEBB_URL: nodebb.url, NODEBB_TOKEN: nodebb.token, NODEBB_SERVICE_UID: String(nodebb.admin), ...overrides }) })
}

async function send (app: FastifyInstance, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload: unknown): Promise<Answer> {
  const res = await app.inject({ method, url, headers: { ...adminHeaders(), 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
  return { status: res.statusCode, body: res.json() as EnvelopeBody }
}

async function forums (app: FastifyInstance): Promise<Array<{ identifier: string, children: unknown[] }>> {
  return (await send(app, 'POST', '/api/forum/v1/fetch', { request: { context: ctx } })).body.result.forums as Array<{ identifier: string, children: unknown[] }>
}

/** Until `done()` holds: waits for an event (checked every 20 ms), not for a fixed time. */
async function until (done: () => boolean | Promise<boolean>): Promise<void> {
  while (!await done()) await new Promise((resolve) => setTimeout(resolve, 20))
}

/** Retries with the same msgid while the first attempt may still run, as a client told IN_PROGRESS does. */
async function retry (app: FastifyInstance, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload: unknown): Promise<Answer> {
  for (;;) {
    const res = await send(app, method, url, payload)
    if (res.body.params.err !== 'IN_PROGRESS') return res
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('a create past the write deadline is OUTCOME_UNKNOWN; the retry gets the forum the first attempt made', async (t) => {
  const nodebb = await startStandIn()
  t.teardown(() => nodebb.close())
  // the first attempt through an adapter with a short deadline; the retries through one with the
  // default (a retry that timed out as well would only say OUTCOME_UNKNOWN again)
  const hasty = await adapter(t, nodebb, { NODEBB_WRITE_TIMEOUT_MS: '200' })
  const app = await adapter(t, nodebb)
  nodebb.slowMs = 2000
  nodebb.failNext('slow')
  const first = await send(hasty, 'POST', '/api/forum/v1/create', create('late-1'))
  t.same([first.status, first.body.params.err], [503, 'OUTCOME_UNKNOWN'], 'not UPSTREAM_UNAVAILABLE: the write may have been made')
  t.match(first.body.params.errmsg, /retry with the same msgid/)
  const again = await retry(app, 'POST', '/api/forum/v1/create', create('late-1'))
  t.equal(again.status, 200, JSON.stringify(again.body).slice(0, 300))
  const listed = await forums(app)
  t.equal(listed.length, 1, 'one forum in the context, not two')
  t.equal(listed[0]?.identifier, (again.body.result as { identifier: string }).identifier, 'the one the first attempt made')

  // update: applied once
  const id = listed[0]?.identifier as string
  nodebb.failNext('slow')
  const update = { params: { msgid: 'late-2' }, request: { children: [{ name: 'Week 2' }] } }
  t.equal((await send(hasty, 'PATCH', `/api/forum/v1/update/${id}`, update)).body.params.err, 'OUTCOME_UNKNOWN')
  const updated = await retry(app, 'PATCH', `/api/forum/v1/update/${id}`, update)
  t.equal(updated.status, 200)
  t.equal((await forums(app))[0]?.children.length, 2, 'one child added, not two')

  // delete: the retry answers the first's result, not FORUM_NOT_FOUND
  nodebb.failNext('slow')
  const del = { params: { msgid: 'late-3' } }
  t.equal((await send(hasty, 'DELETE', `/api/forum/v1/delete/${id}`, del)).body.params.err, 'OUTCOME_UNKNOWN')
  const deleted = await retry(app, 'DELETE', `/api/forum/v1/delete/${id}`, del)
  t.equal(deleted.status, 200, JSON.stringify(deleted.body).slice(0, 300))
  t.same((deleted.body.result as { deleted: string[] }).deleted.length, 3)
  t.same(await forums(app), [])
})

t.test('a write refused before it reached NodeBB stays UPSTREAM_UNAVAILABLE; reads keep their own timeout', async (t) => {
  const nodebb = await startStandIn()
  const app = await adapter(t, nodebb, { NODEBB_TIMEOUT_MS: '200', NODEBB_WRITE_TIMEOUT_MS: '5000' })
  nodebb.slowMs = 1000
  nodebb.failNext('slow')
  const read = await send(app, 'POST', '/api/forum/v1/fetch', { request: { context: ctx } })
  t.same([read.status, read.body.params.err], [503, 'UPSTREAM_UNAVAILABLE'], 'a read past its timeout: nothing was written')
  nodebb.failNext('slow')
  const slowWrite = await send(app, 'POST', '/api/forum/v1/create', create('slow-ok'))
  t.equal(slowWrite.status, 200, 'a write within its own, longer deadline')
  await nodebb.close()
  // a fresh pool: no connection can be made, so nothing was sent (a pooled socket the server has
  // just closed is another matter: a write on it may have been read, so that is OUTCOME_UNKNOWN)
  const fresh = await adapter(t, nodebb)
  const refused = await send(fresh, 'POST', '/api/forum/v1/create', create('refused'))
  t.same([refused.status, refused.body.params.err], [503, 'UPSTREAM_UNAVAILABLE'], 'no connection: nothing was sent')
})

t.test('20 duplicates at once through two adapters that share nothing but NodeBB make one forum', async (t) => {
  const nodebb = await startStandIn()
  t.teardown(() => nodebb.close())
  const one = await adapter(t, nodebb)
  const two = await adapter(t, nodebb)
  nodebb.slowMs = 300
  nodebb.failNext('slow')
  const answers = await Promise.all(Array.from({ length: 20 }, (_v, i) => send(i % 2 === 0 ? one : two, 'POST', '/api/forum/v1/create', create('dup-20'))))
  const ok = answers.filter((a) => a.status === 200)
  t.ok(ok.length >= 2, `both adapters answered some with the forum (${ok.length} of 20)`)
  t.ok(answers.every((a) => a.status === 200 || a.body.params.err === 'IN_PROGRESS'), answers.map((a) => a.body.params.err ?? a.status).join(','))
  t.equal(new Set(ok.map((a) => (a.body.result as { identifier: string }).identifier)).size, 1, 'all of them name one forum')
  t.equal((await forums(one)).length, 1)
})

t.test('the adapter dies mid-create; a new one retries: the forum the first made', async (t) => {
  const nodebb = await startStandIn()
  t.teardown(() => nodebb.close())
  const first = await adapter(t, nodebb)
  nodebb.slowMs = 800
  nodebb.failNext('slow')
  const inFlight = send(first, 'POST', '/api/forum/v1/create', create('crash-1')).catch(() => null)
  await until(() => nodebb.calls.length > 0)
  // its memory (the msgid records) dies with it; NodeBB finishes the create
  await first.close()
  await inFlight
  const second = await adapter(t, nodebb)
  const retried = await retry(second, 'POST', '/api/forum/v1/create', create('crash-1'))
  t.equal(retried.status, 200, JSON.stringify(retried.body).slice(0, 300))
  t.equal((await forums(second)).length, 1, 'one forum')
})

t.test('NodeBB dies mid-create and restarts on the same database: the retry undoes the half forum and makes one', async (t) => {
  const clock = { offset: 0 }
  const timing = { now: () => Date.now() + clock.offset, staleMs: 30_000 }
  const nodebb = await startStandIn({ idempotency: timing })
  // the hung write never answers: any deadline ends it
  const app = await adapter(t, nodebb, { NODEBB_WRITE_TIMEOUT_MS: '300' })
  nodebb.fake.hangOn('createGroup')
  const cut = await send(app, 'POST', '/api/forum/v1/create', create('restart-1'))
  t.same([cut.status, cut.body.params.err], [503, 'OUTCOME_UNKNOWN'])
  await nodebb.close()
  nodebb.fake.db.now = timing.now
  const restarted = await startStandIn({ fake: nodebb.fake, idempotency: timing })
  t.teardown(() => restarted.close())
  const again = await adapter(t, restarted)
  const early = await send(again, 'POST', '/api/forum/v1/create', create('restart-1'))
  t.same([early.status, early.body.params.err], [409, 'IN_PROGRESS'], 'until the dead run is stale: in progress, an honest answer')
  clock.offset += 31_000
  const retried = await retry(again, 'POST', '/api/forum/v1/create', create('restart-1'))
  t.equal(retried.status, 200, JSON.stringify(retried.body).slice(0, 300))
  const listed = await forums(again)
  t.equal(listed.length, 1, 'one forum, never two')
  t.equal(listed[0]?.children.length, 1, 'and it is whole')
})
