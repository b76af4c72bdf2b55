import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { activityHooks } from '../../../plugin/activity/events'
import type { ActivityService } from '../../../plugin/activity/service'
import { ActivityWorker } from '../../../plugin/activity/worker'

/** The activity's background work inside NodeBB (hook recording, webhook passes, retention trim) on a stub service. */

interface Stub {
  service: ActivityService
  hooks: Array<[string, unknown]>
  passes: number
  trims: unknown[]
  fail: { hook: boolean, deliver: boolean, trim: boolean }
}

function stub (): Stub {
  const s: Stub = { hooks: [], passes: 0, trims: [], fail: { hook: false, deliver: false, trim: false }, service: null as unknown as ActivityService }
  const boom = async (): Promise<never> => { throw new Error('boom') }
  s.service = {
    onHook: async (hook: string, payload: unknown) => { s.hooks.push([hook, payload]); return s.fail.hook ? await boom() : [] },
    outbox: { deliverDue: async () => { s.passes++; return s.fail.deliver ? await boom() : { sent: 0, failed: 0 } } },
    retention: async () => ({ days: 1, count: 2 }),
    log: { trim: async (r: unknown) => { s.trims.push(r); if (s.fail.trim) await boom() } }
  } as unknown as ActivityService
  return s
}

function logged (): { log: (msg: string, err?: unknown) => void, lines: string[] } {
  const lines: string[] = []
  return { lines, log: (msg, err) => { lines.push(`${msg}: ${err instanceof Error ? err.message : String(err)}`) } }
}

t.test('one handler per action hook, by its method name; a failure to record is logged, never thrown', async (t) => {
  const s = stub()
  const l = logged()
  const handlers = new ActivityWorker(() => s.service, { log: l.log }).hookHandlers()
  t.same(Object.keys(handlers).sort(), Object.values(activityHooks).map((h) => h.method).sort())
  await handlers.onTopicPost?.({ topic: 1 })
  t.same(s.hooks, [['action:topic.post', { topic: 1 }]])
  s.fail.hook = true
  await t.resolves(handlers.onPostEdit?.({}) ?? Promise.reject(new Error('no onPostEdit')))
  await sleep(5)
  t.same(l.lines, ['[sunbird] could not record action:post.edit: boom'])
})

t.test('deliverSoon: one pass however many activities were queued meanwhile; a failed pass is logged', async (t) => {
  const s = stub()
  const l = logged()
  const worker = new ActivityWorker(() => s.service, { log: l.log, deliverSoonMs: 5 })
  t.teardown(() => worker.stop())
  worker.deliverSoon()
  worker.deliverSoon()
  await sleep(30)
  t.equal(s.passes, 1)
  s.fail.deliver = true
  worker.deliverSoon()
  await sleep(30)
  t.equal(s.passes, 2)
  t.same(l.lines, ['[sunbird] webhook delivery pass failed: boom'])
})

t.test('start runs both timers; stop clears them and a pending pass', async (t) => {
  const s = stub()
  const l = logged()
  const worker = new ActivityWorker(() => s.service, { log: l.log, deliverEveryMs: 5, trimEveryMs: 5, deliverSoonMs: 5 })
  t.teardown(() => worker.stop())
  worker.start()
  worker.start()
  await sleep(40)
  worker.stop()
  t.ok(s.passes > 0, 'delivery passes ran')
  t.ok(s.trims.length > 0, 'trims ran')
  t.same(s.trims[0], { days: 1, count: 2 }, 'trimmed to the retention settings')
  worker.deliverSoon()
  worker.stop()
  const [passes, trims] = [s.passes, s.trims.length]
  await sleep(30)
  t.same([s.passes, s.trims.length], [passes, trims], 'nothing runs after stop')
  s.fail.trim = true
  worker.trim()
  await sleep(5)
  t.same(l.lines, ['[sunbird] activity trim failed: boom'])
})
