import t, { type Test } from 'tap'
import { auditKeys } from '../../../plugin/acp/audit-log'
import { pluginPaths } from '../../../plugin/routes'
import { mounted, type Mounted } from '../mounted'

/**
 * The ACP routes as NodeBB serves them, given what a broken or hostile page (or a hand-made call)
 * might send: wrong types, unknown filters, control characters, oversized values. Each is
 * INVALID_REQUEST in NodeBB's answer shape and writes nothing but its own refusal to the log.
 */
const P = pluginPaths

/** The database and the settings, less the refusals list (a refused call is logged there). */
function state (m: Mounted): string {
  const { zsets, hashes } = JSON.parse(m.fake.db.dump()) as { zsets: Array<[string, unknown]>, hashes: unknown }
  return JSON.stringify({ zsets: zsets.filter(([k]) => k !== auditKeys.refused), hashes, settings: m.settings.values })
}

async function refused (t: Test, m: Mounted, verb: string, path: string, req: { query?: Record<string, unknown>, body?: unknown }): Promise<void> {
  const before = state(m)
  const res = await m.invoke(verb, path, { uid: m.admin, headers: m.master, ...req })
  const what = `${verb} ${path} ${JSON.stringify(req).slice(0, 120)}`
  t.equal(res.status, 400, what)
  t.equal(res.body?.status?.code, 'bad-request', `NodeBB's status code: ${what}`)
  t.equal(res.body?.response?.error, 'INVALID_REQUEST', `our code: ${what}`)
  t.type(res.body?.status?.message, 'string')
  t.equal(state(m), before, `nothing written: ${what}`)
}

t.test('audit route: bad filters and paging', async (t) => {
  const m = mounted(t)
  const bad: Array<Record<string, unknown>> = [
    { limit: '0' }, { limit: '101' }, { limit: 'ten' }, { limit: '1.5' }, { offset: '-1' }, { offset: '100001' }, { offset: '1e9' },
    { since: 'yesterday' }, { since: '5', until: '4' }, { until: '9'.repeat(17) },
    { actor: ['a', 'b'] }, { actor: { $ne: 1 } }, { actor: 'a'.repeat(129) }, { forum: 'x\u0000' }, { context: 'a\nb' }, { forum: 'f'.repeat(256) },
    { operation: 'DROP TABLE audit' }, { operation: 'GET /sunbird/nope' }, { outcome: 'maybe' }, { outcome: '__proto__' }, { outcome: 'ok\r' },
    { uid: '1' }, { forumId: '5' }, { constructor: 'x' }, { 'actor[0]': 'x' }
  ]
  for (const query of bad) await refused(t, m, 'get', P.audit, { query })
  const refusals = await m.recorder.log.list({ outcome: 'INVALID_REQUEST' }, 100, 0)
  t.equal(refusals.count, bad.length, 'each refusal is logged, in the refusals list')
})

t.test('audit route: hostile text is only ever matched, never read as anything', async (t) => {
  const m = mounted(t)
  for (const query of [
    { actor: '<script>alert(1)</script>' }, { forum: '[[admin:menu]] %1 , =cmd' }, { context: '") OR 1=1 --' },
    { operation: 'GET /sunbird/drift', outcome: 'refused' }, { outcome: 'ok', _uid: '1', _: '123' }
  ]) {
    const res = await m.invoke('get', P.audit, { uid: m.admin, headers: m.master, query })
    t.equal(res.status, 200, JSON.stringify(query))
    t.same(res.body.response.entries, [], 'nothing matches')
  }
})

t.test('people route: uids and Sunbird ids to usernames, bad lists refused', async (t) => {
  const m = mounted(t)
  const made = await m.invoke('post', P.users, { uid: m.admin, headers: m.master, body: { identifier: 'f:realm:ada', username: 'ada' } })
  const uid = made.body.response.uid
  const res = await m.invoke('get', P.people, { uid: m.admin, headers: m.master, query: { uids: `${uid},${m.learner},999`, identifiers: 'f:realm:ada,nobody' } })
  t.same(res.body.response.users, [
    { uid, identifier: 'f:realm:ada', username: 'ada' },
    { uid: m.learner, identifier: null, username: 'learner' },
    { uid: 999, identifier: null, username: null },
    { uid, identifier: 'f:realm:ada', username: 'ada' },
    { uid: null, identifier: 'nobody', username: null }
  ])
  for (const query of [{ uids: '0' }, { uids: 'x' }, { uids: ['1', '2'] }, { identifiers: 'bad id!' }, { identifiers: Array.from({ length: 201 }, (_v, i) => `u${i}`).join(',') }, { who: '1' }]) {
    await refused(t, m, 'get', P.people, { query })
  }
})

t.test('settings route: a bad save is refused whole', async (t) => {
  const m = mounted(t)
  for (const body of [[], 'emailDomain=x', { emailDomain: 'not a domain' }, { nope: 'on' }, { webhookUrls: 'http://example.org/x', webhookSecret: 'a-secret-of-16-chars' }, { activityRetentionDays: '0' }]) {
    await refused(t, m, 'put', P.settings, { body })
  }
  const ok = await m.invoke('put', P.settings, { uid: m.admin, headers: m.master, body: { defaultPublic: 'on' } })
  t.equal(ok.status, 200)
  t.equal(ok.body.response.defaultPublic, true)
})
