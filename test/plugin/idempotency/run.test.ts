import t from 'tap'
import { harness, pluginPaths, type PluginHarness } from '../helper'
import type { CallerContext } from '../../../plugin/caller'
import { idemKeys } from '../../../plugin/idempotency/records'

/**
 * Exactly once inside NodeBB (issue 18): the plugin's own records, keyed by consumer, route,
 * acting user and msgid, decide whether a write runs, whatever the adapter in front knows.
 */
const P = pluginPaths
const ctx = { type: 'batch', identifier: 'once-1' }
const caller = (msgid: string, extra: Partial<CallerContext> = {}): CallerContext => ({ msgid, consumer: 'svc', user: null, ttlSeconds: 600, ...extra })
const createBody = { name: 'Once', context: ctx, groups: [{ permissions: ['post'], members: ['learner-1'] }], children: [{ name: 'Week 1', groups: [{ permissions: ['read'] }] }] }

async function world (options: Parameters<typeof harness>[0] = {}): Promise<PluginHarness> {
  const h = harness(options)
  // the database's clock (what expires when) is the records' clock
  const now = options.idempotency?.now
  if (now !== undefined) h.fake.db.now = now
  await h.user('learner-1')
  return h
}

const forumsIn = async (h: PluginHarness): Promise<number> => (await h.call('get', P.contextForums, h.admin, { params: ctx })).count as number
const records = (h: PluginHarness): string[] => [...h.fake.db.hashes.keys()].filter((k) => k.startsWith('sunbird:idem:') && !k.endsWith(':journal'))

t.test('a repeat of a finished write returns its result and writes nothing; another request under the msgid is CONFLICT', async (t) => {
  const h = await world()
  const first = await h.call('post', P.forums, h.admin, { body: createBody, caller: caller('m-1') })
  const writes = h.fake.writes
  const before = h.fake.dump()
  const again = await h.call('post', P.forums, h.admin, { body: { ...createBody }, caller: caller('m-1') })
  t.same(again, first, 'the stored result')
  t.equal(h.fake.writes, writes, 'not one write')
  t.equal(h.fake.dump(), before)
  const other = await h.fail('post', P.forums, h.admin, { body: { ...createBody, name: 'Other' }, caller: caller('m-1') })
  t.equal(other.code, 'CONFLICT')
  t.equal(await forumsIn(h), 1)
  // the same msgid on another route, by another user or another consumer, is another request
  t.equal((await h.call('post', P.users, h.admin, { body: { identifier: 'u-2', username: 'usertwo' }, caller: caller('m-1') })).identifier, 'u-2')
  t.not((await h.call('post', P.forums, h.admin, { body: createBody, caller: caller('m-1', { user: 'f:realm:someone' }) })).identifier, first.identifier)
  t.not((await h.call('post', P.forums, h.admin, { body: createBody, caller: caller('m-1', { consumer: 'other-app' }) })).identifier, first.identifier)
  t.equal(await forumsIn(h), 3)
  // without a msgid a write is not exactly-once
  await h.call('post', P.forums, h.admin, { body: createBody })
  t.equal(await forumsIn(h), 4)
})

t.test('update and delete: applied once; a repeated delete answers the first\'s result, not FORUM_NOT_FOUND', async (t) => {
  const h = await world()
  const forum = await h.call('post', P.forums, h.admin, { body: createBody })
  const rename = { params: { forumId: forum.identifier }, body: { name: 'Renamed', children: [{ name: 'Week 2' }] }, caller: caller('u-1') }
  const updated = await h.call('patch', P.forum, h.admin, rename)
  t.same(await h.call('patch', P.forum, h.admin, rename), updated)
  t.equal(updated.forum.children.length, 2, 'one child added, once')
  const del = { params: { forumId: forum.identifier }, caller: caller('d-1') }
  const deleted = await h.call('delete', P.forum, h.admin, del)
  t.same(await h.call('delete', P.forum, h.admin, del), deleted)
  t.equal((await h.fail('delete', P.forum, h.admin, { params: { forumId: forum.identifier } })).code, 'FORUM_NOT_FOUND', 'without the msgid it is a new request')
})

t.test('20 duplicates at once make one forum; the others get its result or IN_PROGRESS', async (t) => {
  const h = await world({ idempotency: { waitMs: 5000 } })
  const answers = await Promise.allSettled(Array.from({ length: 20 }, () => h.call('post', P.forums, h.admin, { body: createBody, caller: caller('m-20') })))
  const ok = answers.filter((a) => a.status === 'fulfilled')
  const refused = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected')
  t.ok(ok.length >= 1)
  t.equal(new Set(ok.map((a) => a.value.identifier)).size, 1, 'every success names the same forum')
  t.ok(refused.every((a) => (a.reason as { code: string }).code === 'IN_PROGRESS'), refused.map((a) => (a.reason as { code: string }).code).join(','))
  t.equal(await forumsIn(h), 1)
})

t.test('a failed write frees its msgid (it was undone); the record expires after the TTL', async (t) => {
  const clock = { offset: 0, get now () { return Date.now() + this.offset } }
  const h = await world({ now: () => clock.now, idempotency: { now: () => clock.now } })
  h.fake.failAfterWrites(8)
  t.equal((await h.fail('post', P.forums, h.admin, { body: createBody, caller: caller('m-f') })).code, 'INTERNAL_ERROR')
  t.same(records(h), [], 'no record left')
  const retried = await h.call('post', P.forums, h.admin, { body: createBody, caller: caller('m-f') })
  t.equal(await forumsIn(h), 1)
  clock.offset += 601_000
  const late = await h.call('post', P.forums, h.admin, { body: createBody, caller: caller('m-f') })
  t.not(late.identifier, retried.identifier, 'after the TTL the msgid is new again')
})

t.test('a failure at every step of a record\'s life: no forum without a record, no record claiming a forum that is gone; a retry ends with one', async (t) => {
  const probe = await world()
  const start = probe.fake.writes
  await probe.call('post', P.forums, probe.admin, { body: createBody, caller: caller('m-x') })
  const steps = probe.fake.writes - start
  t.ok(steps > 10, `a create with its record makes ${steps} writes`)
  for (let k = 0; k < steps; k++) {
    const clock = { offset: 0, get now () { return Date.now() + this.offset } }
    const h = await world({ idempotency: { now: () => clock.now, staleMs: 1000, waitMs: 0 } })
    h.fake.failAfterWrites(k)
    const first = await h.call('post', P.forums, h.admin, { body: createBody, caller: caller('m-x') }).then((r) => ({ ok: r as { identifier: string } }), (err: { code: string }) => ({ err: err.code }))
    const forums = await forumsIn(h)
    const recordKeys = records(h)
    if (forums > 0) t.equal(recordKeys.length, 1, `write ${k + 1}: the forum made has a record`)
    for (const key of recordKeys) {
      const raw = h.fake.db.hashes.get(key)
      if (raw?.get('state') === 'done') {
        const stored = JSON.parse(raw.get('result') ?? 'null') as { identifier: string }
        t.ok((await h.fake.getCategoryNames([Number(stored.identifier)])).size === 1, `write ${k + 1}: a done record names a forum that exists`)
      }
    }
    // the retry, once any run that died is stale
    clock.offset += 2000
    const retry = await h.call('post', P.forums, h.admin, { body: createBody, caller: caller('m-x') }).catch((err: { code: string }) => ({ err: err.code }))
    t.ok('identifier' in retry, `write ${k + 1}: the retry succeeds (first: ${JSON.stringify(first).slice(0, 60)}; retry: ${JSON.stringify(retry).slice(0, 60)})`)
    t.equal(await forumsIn(h), 1, `write ${k + 1}: one forum in the end`)
    if ('ok' in first) t.equal((retry as { identifier: string }).identifier, first.ok.identifier, `write ${k + 1}: the same forum the first call answered`)
  }
})

t.test('NodeBB died mid-create: the retry on a restarted NodeBB undoes what the dead run made and makes one forum', async (t) => {
  const clock = { offset: 0, get now () { return Date.now() + this.offset } }
  const h = await world({ idempotency: { now: () => clock.now, staleMs: 30_000, waitMs: 0, heartbeatMs: 60_000 } })
  // the tree's categories (root and child, one step each) are made, then NodeBB dies making the first group
  h.fake.hangOn('createGroup')
  const dead = h.call('post', P.forums, h.admin, { body: createBody, caller: caller('m-d') })
  dead.catch(() => {})
  await new Promise((resolve) => setImmediate(resolve))
  while (h.fake.hung !== 'createGroup') await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(h.fake.calls.get('createCategory'), 2, 'the dead run made the categories')
  t.equal(await forumsIn(h), 1, 'half a forum is there')
  const restarted = harness({ platform: h.fake, idempotency: { now: () => clock.now, staleMs: 30_000, waitMs: 0 } })
  const early = await restarted.fail('post', P.forums, restarted.admin, { body: createBody, caller: caller('m-d') })
  t.equal(early.code, 'IN_PROGRESS', 'before the run is known to be dead: in progress')
  t.same(early.details, { retryAfterMs: 1000 })
  clock.offset += 31_000
  const retried = await restarted.call('post', P.forums, restarted.admin, { body: createBody, caller: caller('m-d') })
  const fetched = await restarted.call('get', P.contextForums, restarted.admin, { params: ctx })
  t.equal(fetched.count, 1, 'one forum, never two')
  t.equal(fetched.forums[0]!.identifier, retried.identifier)
  t.equal(fetched.forums[0]!.children.length, 1, 'whole: the dead run\'s half forum was undone')
  t.notOk([...h.fake.db.zsets.keys()].some((k) => k.startsWith('sunbird:idem:') && k.endsWith(':journal')), 'the journal is cleared')
  t.same(await restarted.call('post', P.forums, restarted.admin, { body: createBody, caller: caller('m-d') }), retried, 'and the msgid answers it from now on')
})

t.test('user create: a dead run\'s user is undone before the retry, so the retry is not USERNAME_TAKEN', async (t) => {
  const clock = { offset: 0, get now () { return Date.now() + this.offset } }
  const h = harness({ now: () => clock.now, idempotency: { now: () => clock.now, staleMs: 1000, waitMs: 0 } })
  h.fake.db.now = () => clock.now
  h.fake.hangOn('setOidcId')
  h.call('post', P.users, h.admin, { body: { identifier: 'u-dead', username: 'deadrun' }, caller: caller('m-u') }).catch(() => {})
  while (h.fake.hung !== 'setOidcId') await new Promise((resolve) => setTimeout(resolve, 10))
  t.ok(await h.fake.isUsernameTaken('deadrun'), 'the dead run made the NodeBB user')
  // past the stale time of both the run's record and the lock it held on the user's id
  clock.offset += 31_000
  const restarted = harness({ platform: h.fake, idempotency: { now: () => clock.now, staleMs: 1000, waitMs: 0 } })
  const made = await restarted.call('post', P.users, restarted.admin, { body: { identifier: 'u-dead', username: 'deadrun' }, caller: caller('m-u') })
  t.equal(made.username, 'deadrun')
  t.same((await restarted.call('get', P.userUid, restarted.admin, { params: { identifier: 'u-dead' } })).uid, made.uid)
})

t.test('records live under sunbird:idem: with the TTL the adapter sends', async (t) => {
  const h = await world()
  await h.call('post', P.users, h.admin, { body: { identifier: 'u-t', username: 'ttluser' }, caller: caller('m-t', { ttlSeconds: 120 }) })
  const [key] = records(h)
  t.match(key, /^sunbird:idem:[A-Za-z0-9_-]{43}$/)
  const at = h.fake.db.expiries.get(key as string) ?? 0
  t.ok(at > Date.now() + 110_000 && at <= Date.now() + 120_000, 'expires with the TTL')
  t.equal(idemKeys.journal('x'), 'sunbird:idem:x:journal')
})
