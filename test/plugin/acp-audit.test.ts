import t from 'tap'
import { AuditLog, auditKey, type AuditInput } from '../../plugin/acp/audit-log'
import { mountRoutes, type CallRecorder } from '../../plugin/nodebb/api-routes'
import { pluginRoutes, pluginPaths, auditRecord } from '../../plugin/routes'
import { createFakePlatform } from './fake-platform'
import { acpHarness } from './acp-harness'

const P = pluginPaths

function entry (i: number, over: Partial<AuditInput> = {}): AuditInput {
  return { at: 1000 + i, msgid: null, uid: 1, operation: 'GET /sunbird/status', forumId: null, outcome: 'ok', ms: 1, ...over }
}

t.test('audit log: newest first, paged, filtered by operation, outcome and forum', async (t) => {
  const h = acpHarness()
  const log = new AuditLog(h.fake.db)
  for (let i = 0; i < 30; i++) {
    await log.record(entry(i, i % 3 === 0
      ? { operation: 'POST /sunbird/forums/:forumId/repair', forumId: String(i % 2 === 0 ? 5 : 7), outcome: i === 9 ? 'FORUM_NOT_FOUND' : 'ok' }
      : {}))
  }
  const first = await h.query('get', P.audit, { limit: '10' })
  t.equal(first.count, 30)
  t.same(first.entries.map((e: any) => e.at), Array.from({ length: 10 }, (_v, i) => 1029 - i), 'newest first')
  t.equal(first.offset, 10)
  t.ok(first.operations.includes('POST /sunbird/forums/:forumId/repair'), 'the filter lists every route')
  t.ok(first.outcomes.includes('FORUM_NOT_FOUND'))
  const last = await h.query('get', P.audit, { limit: '10', offset: '20' })
  t.same(last.entries.map((e: any) => e.at), Array.from({ length: 10 }, (_v, i) => 1009 - i))
  t.equal(last.offset, null, 'null at the end')
  t.same((await h.query('get', P.audit, { offset: '40' })).entries, [])

  const repairs = await h.query('get', P.audit, { operation: 'POST /sunbird/forums/:forumId/repair', limit: '4' })
  t.equal(repairs.count, 10)
  t.same(repairs.entries.map((e: any) => e.at), [1027, 1024, 1021, 1018])
  t.equal(repairs.offset, 4)
  const page2 = await h.query('get', P.audit, { operation: 'POST /sunbird/forums/:forumId/repair', limit: '4', offset: '8' })
  t.same(page2.entries.map((e: any) => e.at), [1003, 1000])
  t.equal(page2.offset, null)
  const failed = await h.query('get', P.audit, { outcome: 'FORUM_NOT_FOUND' })
  t.same(failed.entries.map((e: any) => [e.at, e.forumId]), [[1009, '7']])
  const forum5 = await h.query('get', P.audit, { forumId: '5', outcome: 'ok' })
  t.same(forum5.entries.map((e: any) => e.at), [1024, 1018, 1012, 1006, 1000])
  t.equal((await h.queryFail('get', P.audit, { limit: '500' })).code, 'INVALID_REQUEST')
})

t.test('audit log: capped, oldest trimmed', async (t) => {
  const fake = createFakePlatform()
  const log = new AuditLog(fake.db, 100)
  for (let i = 0; i < 150; i++) await log.record(entry(i))
  const size = (await fake.db.sortedSetsCard([auditKey]))[0] as number
  t.ok(size <= 101 && size >= 100, `kept about the cap (${size})`)
  const page = await log.list({}, 5, 0)
  t.equal(page.entries[0]?.at, 1149, 'newest kept')
  const oldest = await fake.db.getSortedSetRange(auditKey, 0, 0)
  t.ok(JSON.parse(oldest[0] as string).at >= 1049, 'oldest dropped')
  await fake.db.sortedSetAdd(auditKey, 5000, 'not json')
  t.equal((await log.list({ outcome: 'ok' }, 200, 0)).entries.length, size, 'a broken entry is skipped')
})

t.test('auditRecord: the operation, the forum id (or the one a create made) and the outcome', async (t) => {
  const base = { at: 1, ms: 2, msgid: 'm-1' }
  t.same(auditRecord({ method: 'post', path: P.repair }, { uid: 3, params: { forumId: '12' } }, { ...base, error: null }),
    { at: 1, msgid: 'm-1', uid: 3, operation: 'POST /sunbird/forums/:forumId/repair', forumId: '12', outcome: 'ok', ms: 2 })
  t.equal(auditRecord({ method: 'post', path: P.forums }, { uid: 3, params: {} }, { ...base, error: null, result: { identifier: '44' } }).forumId, '44')
  t.equal(auditRecord({ method: 'post', path: P.forums }, { uid: 3, params: {} }, { ...base, error: 'USER_NOT_FOUND' }).forumId, null)
  t.equal(auditRecord({ method: 'get', path: P.drift }, { uid: 3, params: {} }, { ...base, error: 'FORBIDDEN' }).outcome, 'FORBIDDEN')
})

t.test('mounted in NodeBB: every call is recorded (msgid, actor, outcome), refused ones too; recording never fails a call', async (t) => {
  const fake = createFakePlatform()
  const admin = fake.addUser('admin', { admin: true })
  const learner = fake.addUser('learner')
  const masterToken = 'master-token-abc'
  fake.db.hashes.set(`token:${masterToken}`, new Map([['uid', '0']]))
  const captured: Array<{ verb: string, path: string, controller: (req: any, res: any) => Promise<void> }> = []
  const modules: Record<string, unknown> = {
    './src/routes/helpers': { setupApiRoute: (_r: unknown, verb: string, path: string, _m: unknown, controller: any) => captured.push({ verb, path, controller }) },
    './src/controllers/helpers': { formatApiResponse: async (status: number, res: any, payload: unknown) => res.status(status).json({ status: { code: 'ok' }, response: payload }) },
    './src/database': fake.db,
    './src/user': { isAdministrator: async (uid: number) => uid === admin }
  }
  ;(globalThis as { nodebb?: unknown }).nodebb = { require: (id: string) => modules[id] }
  t.teardown(() => { delete (globalThis as { nodebb?: unknown }).nodebb })
  const logs: string[] = []
  const log = new AuditLog(fake.db)
  let failRecording = false
  const recorder: CallRecorder = { record: async (input) => { if (failRecording) throw new Error('db down'); await log.record(input) } }
  mountRoutes({ router: {} as any, middleware: {} }, pluginRoutes(fake), {
    isTrustedCaller: async (req: any) => req.headers.authorization === `Bearer ${masterToken}` || req.uid === admin
  }, (msg) => logs.push(msg), recorder)
  const invoke = async (verb: string, path: string, req: { uid: number, headers?: Record<string, string>, params?: Record<string, string>, body?: unknown }) => {
    const route = captured.find((c) => c.verb === verb && c.path === path)
    if (route === undefined) throw new Error(`not mounted ${verb} ${path}`)
    const out = { status: 0, body: null as any }
    const res = { status (s: number) { out.status = s; return res }, json (b: unknown) { out.body = b; return res } }
    await route.controller({ uid: req.uid, headers: req.headers ?? {}, params: req.params ?? {}, query: {}, body: req.body ?? {} }, res)
    return out
  }

  const auth = { authorization: `Bearer ${masterToken}` }
  t.equal((await invoke('post', P.users, { uid: admin, headers: { ...auth, 'x-sunbird-msgid': 'msg-1\n' }, body: { identifier: 'sb-1', username: 'sbone' } })).status, 200)
  t.equal((await invoke('post', P.repair, { uid: admin, headers: auth, params: { forumId: '77' } })).status, 404)
  t.equal((await invoke('get', P.drift, { uid: learner })).status, 403)
  const page = await log.list({}, 10, 0)
  t.same(page.entries.map((e) => [e.operation, e.uid, e.msgid, e.forumId, e.outcome]), [
    ['GET /sunbird/drift', learner, null, null, 'FORBIDDEN'],
    ['POST /sunbird/forums/:forumId/repair', admin, null, '77', 'FORUM_NOT_FOUND'],
    ['POST /sunbird/users', admin, 'msg-1', null, 'ok']
  ])

  failRecording = true
  const res = await invoke('get', P.status, { uid: admin })
  t.equal(res.status, 200, 'the call still answers')
  t.match(logs.join('\n'), /could not record GET \/sunbird\/status/)
})
