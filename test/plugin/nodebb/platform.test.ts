import t from 'tap'
import { nodebbPlatform } from '../../../plugin/nodebb/platform'
import { nodebbNotifications, notePushed } from '../../../plugin/nodebb/notifications'
import { nodebbKeys } from '../../../plugin/nodebb/layout'
import { onNotificationPushed } from '../../../plugin/index'
import { FakeDb } from '../fake-db'

/**
 * The platform over NodeBB's modules, driven through the door NodeBB 4.12+ opens
 * (`globalThis.nodebb.require`) with stand-ins that record what they are asked.
 */
function withModules (t: { teardown: (fn: () => void) => void }, modules: Record<string, unknown>): void {
  const previous = (globalThis as { nodebb?: unknown }).nodebb
  ;(globalThis as { nodebb?: unknown }).nodebb = { require: (id: string) => { if (!(id in modules)) throw new Error(`unexpected module ${id}`); return modules[id] } }
  t.teardown(() => { (globalThis as { nodebb?: unknown }).nodebb = previous })
}

function stubs (db: FakeDb, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...Object.fromEntries(['./src/categories', './src/privileges', './src/groups', './src/user', './src/utils', './src/topics', './src/posts', './src/notifications', './src/translator'].map((id) => [id, {}])),
    './src/database': db,
    './src/meta': { config: {}, settings: { get: async () => ({}) } },
    './src/slugify': (s: string) => s,
    nconf: { get: () => 'http://forum.test' },
    ...extra
  }
}

t.test('category names are read as stored, never HTML-escaped (NodeBB 4.11 escapes them in its categories module)', async (t) => {
  const db = new FakeDb()
  await db.setObject('category:5', { cid: 5, name: 'Tom & Jerry <b>x</b> "q" it\'s — ज्ञान' })
  await db.setObject('category:6', { name: 'no cid: a half-deleted category' })
  withModules(t, stubs(db))
  const names = await nodebbPlatform().getCategoryNames([5, 6, 7])
  t.same([...names], [[5, 'Tom & Jerry <b>x</b> "q" it\'s — ज्ञान']], 'the text as written; missing categories absent')
})

t.test('the SSO map is written both ways, through NodeBB\'s user module for the user field', async (t) => {
  const db = new FakeDb()
  const fields: unknown[][] = []
  withModules(t, stubs(db, { './src/user': { setUserField: async (...args: unknown[]) => { fields.push(args); await db.setObjectField(`user:${String(args[0])}`, String(args[1]), String(args[2])) } } }))
  const platform = nodebbPlatform()
  await platform.setOidcId(9, 'f:realm:abc')
  t.equal(await db.getObjectField(nodebbKeys.oidcUidByOidcId, 'f:realm:abc'), '9')
  t.same(fields, [[9, 'sunbird-oidcId', 'f:realm:abc']])
  t.same([...await platform.oidcUidsOf(['f:realm:abc', 'nobody'])], [['f:realm:abc', 9]])
  t.same([...await platform.oidcIdsOf([9, 10])], [[9, 'f:realm:abc']])
  await platform.removeOidcId(9, 'f:realm:abc')
  t.same([...await platform.oidcUidsOf(['f:realm:abc'])], [])
  t.same([...await platform.oidcIdsOf([9])], [])
})

t.test('groups: one destroy call for many (NodeBB scans every group once per call); none for none', async (t) => {
  const db = new FakeDb()
  const destroyed: unknown[] = []
  withModules(t, stubs(db, { './src/groups': { destroy: async (names: unknown) => { destroyed.push(names) } } }))
  const platform = nodebbPlatform()
  await platform.destroyGroups(['1-a', '2-b', '3-c'])
  await platform.destroyGroups([])
  t.same(destroyed, [['1-a', '2-b', '3-c']])
})

t.test('a notification send waits for NodeBB\'s background push and answers how many it reached', async (t) => {
  const created: Array<Record<string, unknown>> = []
  const pushes: Array<{ nid: string, uids: number[] }> = []
  let pushError: Error | null = null
  const notifications = {
    create: async (data: Record<string, unknown>) => { created.push(data); return data.nid === 'dropped' ? null : { ...data } },
    // as NodeBB: returns at once, pushes later in batches, each batch ending in action:notification.pushed
    push: async (n: { nid: string }, uids: number[]) => {
      if (pushError !== null) throw pushError
      pushes.push({ nid: n.nid, uids })
      setTimeout(() => {
        for (let i = 0; i < uids.length; i += 2) {
          const batch = uids.slice(i, i + 2).filter((uid) => uid !== 13)
          if (batch.length > 0) onNotificationPushed({ notification: { nid: n.nid }, uidsNotified: batch }).catch(() => {})
        }
      }, 10)
    }
  }
  withModules(t, { './src/notifications': notifications, './src/translator': { translate: async (s: string) => s } })
  const fast = { batch: 2, delayMs: 10, intervalMs: 10, slackMs: 200 }
  const n = nodebbNotifications(() => 'en-GB', fast)
  const input = { nid: 'sunbird:1', title: 'T', body: 'B', path: '/topic/1', fromUid: 4 }
  t.equal(await n.send(input, [11, 12, 14]), 3, 'every batch landed')
  t.match(created[0], { type: 'sunbird', nid: 'sunbird:1', bodyShort: 'T', bodyLong: 'B', path: '/topic/1', from: 4 })
  t.equal(await n.send({ ...input, nid: 'sunbird:2' }, [11, 12, 13, 14]), 3, 'uid 13 filtered by NodeBB (blocked the sender): not counted')
  const started = Date.now()
  t.equal(await n.send({ ...input, nid: 'sunbird:3', fromUid: 0 }, [13, 13, 13, 11]), 1, 'a batch NodeBB filtered entirely fires no hook: the wait ends with the schedule')
  t.ok(Date.now() - started >= 200, 'waited out the schedule')
  t.notOk('from' in (created[2] ?? {}), 'no sender')
  t.equal(await n.send({ ...input, nid: 'dropped' }, [11]), 0, 'a create a hook dropped pushes nothing')
  t.equal(await n.send({ ...input, nid: 'sunbird:4' }, []), 0, 'no one to push to')
  pushError = new Error('push failed')
  await t.rejects(n.send({ ...input, nid: 'sunbird:5' }, [11]), /push failed/)
  notePushed({ notification: { nid: 'unknown' }, uidsNotified: [1] })
  notePushed({})
  t.equal(pushes.length, 3)
})
