import t from 'tap'
import { withLock } from '../../plugin/lock'
import { FakeDb } from './fake-db'

t.test('work on one name is serialised; other names run alongside', async (t) => {
  const db = new FakeDb()
  const log: string[] = []
  const job = (name: string, id: string) => withLock(db, name, {}, async () => {
    log.push(`start ${id}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
    log.push(`end ${id}`)
  })
  await Promise.all([job('forum:1', 'a'), job('forum:1', 'b'), job('forum:1', 'c')])
  for (let i = 0; i < log.length; i += 2) {
    t.match(log[i], /^start /)
    t.equal(log[i + 1], log[i]?.replace('start', 'end'), 'no interleaving')
  }
  const both: string[] = []
  await Promise.all([
    withLock(db, 'forum:2', {}, async () => { both.push('x'); await new Promise((resolve) => setTimeout(resolve, 10)); both.push('x') }),
    withLock(db, 'forum:3', {}, async () => { both.push('y') })
  ])
  t.same(both, ['x', 'y', 'x'])
  t.equal(await db.getObjectField('sunbird:locks', 'forum:1'), '0', 'released')
})

t.test('a failing job releases the lock', async (t) => {
  const db = new FakeDb()
  await t.rejects(withLock(db, 'n', {}, async () => { throw new Error('boom') }), /boom/)
  t.equal(await withLock(db, 'n', {}, async () => 42), 42)
})

t.test('waiting too long is a CONFLICT; a stale lock is broken', async (t) => {
  const db = new FakeDb()
  let clock = 1000
  const now = () => clock
  const sleep = async (ms: number) => { clock += ms }
  await db.incrObjectFieldBy('sunbird:locks', 'held', 1)
  await db.setObjectField('sunbird:locks', 'held:at', 1000)
  await t.rejects(withLock(db, 'held', { now, sleep, waitMs: 100, staleMs: 60000 }, async () => 1), { code: 'CONFLICT' })
  clock = 1000 + 60001
  t.equal(await withLock(db, 'held', { now, sleep, waitMs: 100, staleMs: 60000 }, async () => 'ran'), 'ran')
})

t.test('a failed release is reported, not thrown', async (t) => {
  const db = new FakeDb()
  const errors: unknown[] = []
  const original = db.deleteObjectField.bind(db)
  db.deleteObjectField = async () => { throw new Error('db down') }
  t.equal(await withLock(db, 'n', { onReleaseError: (err) => errors.push(err) }, async () => 'done'), 'done')
  t.equal(errors.length, 1)
  db.deleteObjectField = original
})

t.test('a lock whose holder died before writing its time is broken as stale, not held forever', async (t) => {
  const db = new FakeDb()
  let clock = 5000
  const now = () => clock
  const sleep = async (ms: number) => { clock += ms }
  await db.incrObjectFieldBy('sunbird:locks', 'orphan', 1)
  await t.rejects(withLock(db, 'orphan', { now, sleep, waitMs: 100, staleMs: 1000 }, async () => 1), { code: 'CONFLICT' })
  t.equal(await db.getObjectField('sunbird:locks', 'orphan:at'), '5000', 'the waiter started the clock')
  clock += 1001
  t.equal(await withLock(db, 'orphan', { now, sleep, waitMs: 100, staleMs: 1000 }, async () => 'ran'), 'ran')
})

t.test('the holder refreshes its lock while it works: a long job keeps it, a dead holder\'s goes stale', async (t) => {
  const db = new FakeDb()
  let release = (): void => {}
  const long = withLock(db, 'slow', { staleMs: 300 }, async () => new Promise<void>((resolve) => { release = resolve }))
  // wait for more than two stale periods of real time: a waiter must not break the live lock
  const waiter = withLock(db, 'slow', { staleMs: 300, waitMs: 700 }, async () => 'broke in')
  await t.rejects(waiter, { code: 'CONFLICT' }, 'the refreshed lock is never stale')
  release()
  await long
  t.equal(await withLock(db, 'slow', {}, async () => 'after'), 'after')
})
