import t from 'tap'
import { AuditLog, auditKeys, type AuditRecord } from '../../../plugin/acp/audit-log'
import { auditRecord, pluginPaths } from '../../../plugin/routes'
import { noCaller } from '../../../plugin/caller'
import { summaryOf } from '../../../plugin/acp/audit-summary'
import { AuditRecorder } from '../../../plugin/acp/audit-recorder'
import { Store } from '../../../plugin/store'
import { acpHarness } from './harness'
import { createFakePlatform } from '../fake-platform'
import { mounted } from '../mounted'

const P = pluginPaths

function record (i: number, over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    at: 1000 + i,
    ms: 1,
    msgid: null,
    route: 'PATCH /sunbird/forums/:forumId',
    operation: 'forum.update',
    outcome: 'ok',
    actor: { uid: 1, username: 'admin', sunbirdId: null, consumer: null, service: false },
    forum: null,
    forumIds: [],
    facts: [],
    more: 0,
    ...over
  }
}

t.test('two lists: changes and refusals, read together newest first or apart', async (t) => {
  const fake = createFakePlatform()
  const log = new AuditLog(fake.db)
  for (let i = 0; i < 30; i++) await log.record(record(i, i % 3 === 0 ? { outcome: 'FORBIDDEN' } : {}))
  t.equal((await fake.db.sortedSetsCard([auditKeys.changes]))[0], 20)
  t.equal((await fake.db.sortedSetsCard([auditKeys.refused]))[0], 10)

  const first = await log.list({}, 10, 0)
  t.equal(first.count, 30)
  t.same(first.entries.map((e) => e.at), Array.from({ length: 10 }, (_v, i) => 1029 - i), 'both lists, newest first')
  t.equal(first.offset, 10)
  const last = await log.list({}, 10, 20)
  t.same(last.entries.map((e) => e.at), Array.from({ length: 10 }, (_v, i) => 1009 - i))
  t.equal(last.offset, null, 'null at the end')
  t.same((await log.list({}, 10, 40)).entries, [])

  const ok = await log.list({ outcome: 'ok' }, 5, 0)
  t.equal(ok.count, 20)
  t.same(ok.entries.map((e) => e.at), [1029, 1028, 1026, 1025, 1023])
  const refused = await log.list({ outcome: 'refused' }, 4, 8)
  t.equal(refused.count, 10)
  t.same(refused.entries.map((e) => e.at), [1003, 1000])
  t.same((await log.list({ outcome: 'FORBIDDEN', since: 1010, until: 1020 }, 10, 0)).entries.map((e) => e.at), [1018, 1015, 1012], 'one code, in a time window')
  const window = await log.list({ since: 1025 }, 3, 0)
  t.same([window.count, window.entries.map((e) => e.at), window.offset], [5, [1029, 1028, 1027], 3], 'a window alone is still one count and one range read')
})

t.test('filters by actor, forum, context and operation scan both lists, naming refusals as they go', async (t) => {
  const fake = createFakePlatform()
  const log = new AuditLog(fake.db)
  const course = { id: '7', name: 'Course X', context: { type: 'batch', identifier: 'b-1' } }
  await log.record(record(1, { forum: course, forumIds: ['7', '8'], facts: [{ type: 'level', verb: 'gave', from: null, to: 'moderate', group: false, members: { names: ['mentor-a'], count: 1 }, on: { forum: { ...course, id: '8', name: 'Week 1' }, others: 0, sub: false } }] }))
  await log.record(record(2, { actor: { uid: 1, username: null, sunbirdId: null, consumer: 'course-service', service: true }, operation: 'forum.create', forum: { ...course, id: '9', name: 'Other' }, forumIds: ['9'] }))
  await log.record(record(3, { outcome: 'FORBIDDEN', actor: { uid: 5, username: null, sunbirdId: 'f:realm:learner-x', consumer: 'portal', service: false }, forum: { id: '7', name: null, context: null }, forumIds: ['7'] }))
  const filled: number[] = []
  const fill = async (entries: any[]): Promise<void> => {
    filled.push(entries.length)
    for (const e of entries) {
      if (e.actor.uid === 5) e.actor = { ...e.actor, username: 'learnerx' }
      if (e.forum?.name === null) e.forum = course
    }
  }
  const ats = async (filter: object): Promise<number[]> => (await log.list(filter, 10, 0, fill)).entries.map((e) => e.at)
  t.same(await ats({ actor: 'LEARNERX' }), [1003], 'a refusal is found by the username it is given when read')
  t.same(await ats({ actor: 'f:realm' }), [1003], 'by Sunbird id')
  t.same(await ats({ actor: 'course-serv' }), [1002], 'a service by its consumer')
  t.same(await ats({ actor: '5' }), [1003], 'by uid')
  t.same(await ats({ forum: '7' }), [1003, 1001], 'by forum id')
  t.same(await ats({ forum: '8' }), [1001], 'a sub-forum the change reached')
  t.same(await ats({ forum: 'week' }), [1001], 'by the name of a forum a fact names')
  t.same(await ats({ forum: 'course x' }), [1003, 1001])
  t.same(await ats({ context: 'batch:b-1' }), [1003, 1002, 1001])
  t.same(await ats({ context: 'b-2' }), [])
  t.same(await ats({ operation: 'forum.create' }), [1002])
  t.same(await ats({ operation: 'forum.update', outcome: 'ok' }), [1001])
  filled.length = 0
  t.same(await ats({ operation: 'forum.update' }), [1003, 1001])
  t.same(filled, [2], 'without a name filter only the page is named')
})

t.test('each list is capped on its own, oldest trimmed', async (t) => {
  const fake = createFakePlatform()
  const log = new AuditLog(fake.db, { changes: 100, refused: 50 })
  for (let i = 0; i < 150; i++) await log.record(record(i))
  for (let i = 0; i < 150; i++) await log.record(record(1000 + i, { outcome: 'FORBIDDEN' }))
  const [changes, refused] = await fake.db.sortedSetsCard([auditKeys.changes, auditKeys.refused]) as [number, number]
  t.ok(changes >= 100 && changes <= 101, `changes kept about their cap (${changes})`)
  t.ok(refused >= 50 && refused <= 51, `refusals kept about theirs (${refused})`)
  t.equal((await log.list({ outcome: 'ok' }, 1, 0)).entries[0]?.at, 1149, 'newest change kept')
  await fake.db.sortedSetAdd(auditKeys.changes, 5000, 'not json')
  await fake.db.sortedSetAdd(auditKeys.changes, 5001, '{"v":2}')
  t.equal((await log.list({ outcome: 'ok', operation: 'forum.update' }, 200, 0)).entries.length, changes, 'broken entries are skipped')
})

t.test('the one list of earlier versions moves into the two, without its reads', async (t) => {
  const fake = createFakePlatform()
  const legacy = (i: number, operation: string, outcome: string) => JSON.stringify({ id: `0${i}`, at: 100 + i, msgid: null, uid: 1, operation, forumId: i === 2 ? '12' : null, outcome, ms: 3 })
  await fake.db.sortedSetAdd(auditKeys.legacy, 101, legacy(1, 'GET /sunbird/drift', 'ok'))
  await fake.db.sortedSetAdd(auditKeys.legacy, 102, legacy(2, 'POST /sunbird/forums/:forumId/repair', 'ok'))
  await fake.db.sortedSetAdd(auditKeys.legacy, 103, legacy(3, 'GET /sunbird/drift', 'FORBIDDEN'))
  await fake.db.sortedSetAdd(auditKeys.legacy, 104, legacy(4, 'PUT /sunbird/users/:identifier/notifications/read', 'ok'))
  await fake.db.sortedSetAdd(auditKeys.legacy, 105, 'garbage')
  const log = new AuditLog(fake.db)
  const page = await log.list({}, 10, 0)
  t.same(page.entries.map((e) => [e.route, e.operation, e.outcome, e.forum?.id ?? null]), [
    ['GET /sunbird/drift', 'GET /sunbird/drift', 'FORBIDDEN', null],
    ['POST /sunbird/forums/:forumId/repair', 'forum.repair', 'ok', '12']
  ])
  t.same(page.entries.map((e) => summaryOf(e)[0]?.key), ['summary.refused', 'summary.undescribed'], 'what an old entry changed is not known, and it says so')
  t.equal(await fake.db.exists(auditKeys.legacy), false, 'the old list is gone')
  t.equal(await log.migrateLegacy(), 0, 'and moved once')
})

t.test('mounted in NodeBB: changes and refusals recorded, reads not; an untrusted caller is not believed; recording never fails a call', async (t) => {
  let failRecording = false
  const m = mounted(t, { recorder: (r) => ({ record: async (input) => { if (failRecording) throw new Error('db down'); await r.record(input) } }) })
  const headers = { ...m.master, 'x-sunbird-msgid': 'msg-1\n', 'x-sunbird-consumer': 'course-service' }
  t.equal((await m.invoke('post', P.users, { uid: m.admin, headers, body: { identifier: 'sb-1', username: 'sbone' } })).status, 200)
  t.equal((await m.invoke('post', P.repair, { uid: m.admin, headers: m.master, params: { forumId: '77' } })).status, 404)
  t.equal((await m.invoke('get', P.drift, { uid: m.admin, headers: m.master })).status, 200)
  t.equal((await m.invoke('get', P.audit, { uid: m.admin })).status, 200, 'an administrator\'s session')
  t.equal((await m.invoke('get', P.drift, { uid: m.learner, headers: { 'x-sunbird-consumer': 'course-service', 'x-sunbird-msgid': 'forged' } })).status, 403)
  const page = await m.recorder.log.list({}, 10, 0, (e) => m.recorder.names.fill(e))
  t.same(page.entries.map((e) => [e.operation, e.actor.username, e.actor.service, e.actor.consumer, e.msgid, e.forum?.id ?? null, e.outcome]), [
    ['GET /sunbird/drift', 'learner', false, null, null, null, 'FORBIDDEN'],
    ['forum.repair', 'admin', false, null, null, '77', 'FORUM_NOT_FOUND'],
    ['user.create', null, true, 'course-service', 'msg-1', null, 'ok']
  ], 'no entry for the reads; a refused learner is not taken for the service it claims to be')

  failRecording = true
  const res = await m.invoke('get', P.status, { uid: m.admin, headers: m.master })
  t.equal(res.status, 200, 'the call still answers')
  await m.invoke('post', P.repair, { uid: m.admin, headers: m.master, params: { forumId: '78' } })
  t.match(m.logs.join('\n'), /could not record POST \/sunbird\/forums\/:forumId\/repair/)
})

t.test('finding 6: a flood of refused calls never pushes changes out of the audit log', async (t) => {
  const m = mounted(t)
  const h = { invoke: m.invoke, master: m.master, admin: m.admin }
  for (const who of ['mentor-a', 'learner-a']) {
    t.equal((await h.invoke('post', P.users, { uid: h.admin, headers: h.master, body: { identifier: who, username: who } })).status, 200)
  }
  const created = await h.invoke('post', P.forums, { uid: h.admin, headers: h.master, body: { name: 'Course X', context: { type: 'batch', identifier: 'b-1' }, privileges: [{ permissions: ['moderate'], users: ['mentor-a'] }] } })
  t.equal(created.status, 200)
  // a logged-in user's session calling the plugin's routes directly: each one refused and logged
  const flood = 10_101 + 2_000
  const started = Date.now()
  for (let i = 0; i < flood; i++) {
    const res = await m.invoke('patch', P.forum, { uid: m.learner, params: { forumId: String(created.body.response.identifier) }, body: { name: 'mine' } })
    if (res.status !== 403) throw new Error(`call ${i} answered ${res.status}`)
  }
  t.comment(`${flood} refused calls in ${Date.now() - started} ms`)
  const changes = await m.recorder.log.list({ outcome: 'ok' }, 10, 0, (e) => m.recorder.names.fill(e))
  t.same(changes.entries.map((e) => e.operation), ['forum.create', 'user.create', 'user.create'], 'every change is still there')
  t.equal(changes.entries[0]?.forum?.name, 'Course X')
  const [refused] = await m.fake.db.sortedSetsCard([auditKeys.refused]) as [number]
  t.ok(refused <= 10_100, `the refusals are capped on their own (${refused})`)
  const byLearner = await m.recorder.log.list({ actor: 'learner', outcome: 'refused' }, 1, 0, (e) => m.recorder.names.fill(e))
  t.ok(byLearner.count >= 10_000, `and the flood is visible, by its actor (${byLearner.count})`)
})

t.test('auditRecord: the route, its forum, what the caller said, and the trail filed with the answer', async (t) => {
  const h = acpHarness()
  const base = { at: 1, ms: 2, msgid: 'm-1' }
  t.same(auditRecord({ method: 'post', path: P.repair }, { uid: 3, params: { forumId: '12' } }, { ...base, error: 'FORUM_NOT_FOUND' }),
    { at: 1, msgid: 'm-1', uid: 3, route: 'POST /sunbird/forums/:forumId/repair', forumId: '12', outcome: 'FORUM_NOT_FOUND', ms: 2, caller: { consumer: null, user: null } })
  const { result } = await h.audited('post', P.users, h.admin, { body: { identifier: 'sb-9', username: 'sbnine' } })
  const input = auditRecord({ method: 'post', path: P.users }, { uid: 3, params: {}, caller: { ...noCaller, consumer: 'svc' } }, { ...base, error: null, result })
  t.same(input.trail?.changes, [{ kind: 'userCreated', uid: result.uid, identifier: 'sb-9' }])
  t.same(input.caller, { consumer: 'svc', user: null })
  t.equal(auditRecord({ method: 'post', path: P.users }, { uid: 3, params: {} }, { ...base, error: null, result: JSON.parse(JSON.stringify(result)) }).trail, undefined, 'an answer without a trail (a copy) has none')
})

t.test('a change whose handler files no trail is logged as a change that does not say what it did', async (t) => {
  const fake = createFakePlatform()
  const recorder = new AuditRecorder(fake, new Store(fake.db))
  const admin = fake.addUser('admin', { admin: true })
  await recorder.record({ at: 5, ms: 1, msgid: null, uid: admin, route: 'POST /sunbird/something-new', forumId: null, outcome: 'ok', caller: { consumer: null, user: null } })
  await recorder.record({ at: 6, ms: 1, msgid: null, uid: admin, route: 'GET /sunbird/something-new', forumId: null, outcome: 'ok', caller: { consumer: null, user: null } })
  const page = await recorder.log.list({}, 10, 0, (e) => recorder.names.fill(e))
  t.same(page.entries.map((e) => [e.operation, e.actor.username, summaryOf(e)[0]?.key]), [['POST /sunbird/something-new', 'admin', 'summary.undescribed']], 'an unknown write is kept, an unknown read is not')
})
