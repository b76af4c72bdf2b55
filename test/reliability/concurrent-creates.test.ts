import t, { type Test } from 'tap'
import { appWithStandIn, type AppWithStandIn } from '../adapter/stand-in-app'
import { testRedis } from '../adapter/redis-test-db'

/**
 * Issue 8, concurrency through the adapter (HTTP stand-in for NodeBB): 50 forum creates for one
 * context at once. With distinct msgids all 50 run; with one shared msgid and the same body exactly
 * one runs, and every other caller gets its replay or 409 CONFLICT while it is in flight. Forums are
 * counted by fetching the context, and in the stand-in's own records.
 */
const N = 50
const ctx = { type: 'batch', identifier: 'conc-2' }
const body = (msgid: string) => ({ params: { msgid }, request: { name: 'Concurrent', context: ctx, groups: [{ permissions: ['post'] }], children: [{ name: 'child' }] } })
// every request of the run must be allowed by the per-consumer rate limit
const overrides = { RATE_LIMIT_MAX: '100000' }

async function countForums (w: AppWithStandIn): Promise<number> {
  const res = await w.send({ method: 'POST', url: '/api/forum/v1/fetch', payload: { request: { context: ctx } } })
  if (res.status !== 200) throw new Error(res.raw)
  return (res.body.result as { count: number }).count
}

function suite (name: string, setup: (t: Test) => Promise<AppWithStandIn>): void {
  t.test(`${name}: ${N} concurrent creates with distinct msgids make ${N} forums`, async (t) => {
    const w = await setup(t)
    const answers = await Promise.all(Array.from({ length: N }, (_x, i) => w.send({ method: 'POST', url: '/api/forum/v1/create', payload: body(`distinct-${i}`) })))
    t.same(answers.map((a) => a.status), answers.map(() => 200), 'all 200')
    const ids = new Set(answers.map((a) => (a.body.result as { identifier: string }).identifier))
    t.equal(ids.size, N, 'distinct forums')
    t.equal(await countForums(w), N, `fetch lists ${N}`)
    t.equal(w.nodebb.fake.db.zsets.get('sunbird:forums')?.size, N * 2, 'the plugin recorded each forum and its child')
  })

  t.test(`${name}: ${N} concurrent creates with one msgid make exactly one forum`, async (t) => {
    const w = await setup(t)
    // the first one holds its claim long enough for all the others to arrive while it runs
    w.nodebb.slowMs = 300
    w.nodebb.failNext('slow')
    w.reset()
    const answers = await Promise.all(Array.from({ length: N }, () => w.send({ method: 'POST', url: '/api/forum/v1/create', payload: body('shared-1') })))
    const ok = answers.filter((a) => a.status === 200)
    const conflicts = answers.filter((a) => a.status === 409)
    t.equal(ok.length + conflicts.length, N, `every answer is 200 or 409 (${answers.map((a) => a.status).join(',')})`)
    t.ok(ok.length >= 1, 'one ran')
    t.ok(conflicts.every((a) => a.body.params.err === 'CONFLICT' && /still running/.test(a.body.params.errmsg ?? '')), 'the others: CONFLICT, still running')
    t.equal(new Set(ok.map((a) => a.raw)).size, 1, 'every 200 is the same answer (the first, or its replay)')
    t.equal(w.reached(), 1, 'NodeBB saw one create')
    t.equal(await countForums(w), 1, 'fetch lists one forum')
    const replay = await w.send({ method: 'POST', url: '/api/forum/v1/create', payload: body('shared-1') })
    t.equal(replay.raw, ok[0]?.raw, 'afterwards the msgid replays the first answer')
    t.equal(replay.headers['idempotent-replayed'], 'true')
    t.equal(await countForums(w), 1, 'still one forum')
  })

  t.test(`${name}: ${N} concurrent creates with one msgid, no delay: still exactly one forum`, async (t) => {
    const w = await setup(t)
    w.reset()
    const answers = await Promise.all(Array.from({ length: N }, () => w.send({ method: 'POST', url: '/api/forum/v1/create', payload: body('shared-2') })))
    t.ok(answers.every((a) => a.status === 200 || (a.status === 409 && a.body.params.err === 'CONFLICT')), 'every answer is the replay or CONFLICT')
    t.equal(new Set(answers.filter((a) => a.status === 200).map((a) => a.raw)).size, 1, 'one answer')
    t.equal(w.reached(), 1, 'NodeBB saw one create')
    t.equal(await countForums(w), 1)
  })
}

suite('memory store', (t) => appWithStandIn(t, overrides))
suite('redis store', async (t) => {
  const redis = await testRedis(t)
  return appWithStandIn(t, { ...overrides, REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix })
})
