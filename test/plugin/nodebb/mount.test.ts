import t from 'tap'
import { mountRoutes } from '../../../plugin/nodebb/api-routes'
import { nodebbCallerCheck } from '../../../plugin/nodebb/callers'
import { nodebbRequire } from '../../../plugin/nodebb/require'
import { onCategoryCreate } from '../../../plugin/index'
import { nodebbPlatform, parseSettings } from '../../../plugin/nodebb/platform'
import { pluginRoutes, pluginPaths, type PluginRoute } from '../../../plugin/routes'
import { createFakePlatform } from '../fake-platform'

/**
 * The NodeBB glue, driven through the same door NodeBB 4.12+ opens (`globalThis.nodebb.require`),
 * with stand-ins for the NodeBB modules it asks for.
 */
interface Captured { verb: string, path: string, controller: (req: any, res: any) => Promise<void> }

const fake = createFakePlatform()
const admin = fake.addUser('admin', { admin: true })
const learner = fake.addUser('learner')
const masterToken = 'master-token-123'
const userToken = 'user-token-456'
fake.db.hashes.set(`token:${masterToken}`, new Map([['uid', '0']]))
fake.db.hashes.set(`token:${userToken}`, new Map([['uid', String(learner)]]))

const captured: Captured[] = []
const logs: string[] = []
const modules: Record<string, unknown> = {
  './src/routes/helpers': {
    setupApiRoute: (_router: unknown, verb: string, path: string, _mw: unknown[], controller: Captured['controller']) => captured.push({ verb, path, controller })
  },
  './src/controllers/helpers': {
    formatApiResponse: async (status: number, res: any, payload: unknown) => res.status(status).json({ status: { code: 'ok', message: 'OK' }, response: payload })
  },
  './src/database': fake.db,
  './src/user': { isAdministrator: async (uid: number) => uid === admin }
}
;(globalThis as { nodebb?: unknown }).nodebb = { require: (id: string) => { if (!(id in modules)) throw new Error(`unexpected module ${id}`); return modules[id] } }

const crashing: PluginRoute = { method: 'get', path: '/sunbird/crash', handler: async () => { throw new Error('secret stack detail') } }
mountRoutes({ router: {} as any, middleware: { ensureLoggedIn: (() => {}) as any } }, [...pluginRoutes(fake), crashing], nodebbCallerCheck(), (msg) => logs.push(msg))

async function invoke (verb: string, path: string, req: { uid?: number, headers?: Record<string, string>, body?: unknown, params?: Record<string, string> }) {
  const route = captured.find((c) => c.verb === verb && c.path === path)
  if (route === undefined) throw new Error(`not mounted: ${verb} ${path}`)
  const out: { status: number, body: any } = { status: 0, body: null }
  const res = { status (s: number) { out.status = s; return res }, json (b: unknown) { out.body = b; return res } }
  await route.controller({ uid: req.uid ?? 0, headers: req.headers ?? {}, body: req.body ?? {}, params: req.params ?? {}, query: {} }, res)
  return out
}

t.test('every route of the table is mounted through setupApiRoute', async (t) => {
  t.same(captured.map((c) => `${c.verb} ${c.path}`).sort(), [...pluginRoutes(fake), crashing].map((r) => `${r.method} ${r.path}`).sort())
})

t.test('the master token may call; _uid is transport, not body', async (t) => {
  const res = await invoke('post', pluginPaths.users, { uid: admin, headers: { authorization: `Bearer ${masterToken}` }, body: { _uid: admin, identifier: 'sb-1', username: 'sbone' } })
  t.equal(res.status, 200)
  t.equal(res.body.response.identifier, 'sb-1')
})

t.test('an administrator\'s session may call', async (t) => {
  const res = await invoke('get', pluginPaths.status, { uid: admin })
  t.equal(res.status, 200)
})

t.test('any other user, by session or by own token, is refused', async (t) => {
  const before = fake.dump()
  for (const req of [
    { uid: learner, headers: { authorization: `Bearer ${userToken}` } },
    { uid: learner },
    { uid: 0, headers: { authorization: 'Bearer forged' } }
  ]) {
    const res = await invoke('post', pluginPaths.users, { ...req, body: { identifier: 'sb-x', username: 'sbx' } })
    t.equal(res.status, 403)
    t.equal(res.body.status.code, 'forbidden')
    t.equal(res.body.response.error, 'FORBIDDEN')
  }
  t.equal(fake.dump(), before, 'nothing written')
})

t.test('failures answer NodeBB\'s shape with our code; crashes leak nothing', async (t) => {
  const auth = { authorization: `Bearer ${masterToken}` }
  const exists = await invoke('post', pluginPaths.users, { uid: admin, headers: auth, body: { identifier: 'sb-1', username: 'again' } })
  t.equal(exists.status, 409)
  t.same(exists.body, { status: { code: 'conflict', message: 'Sunbird user sb-1 already exists' }, response: { error: 'USER_EXISTS', details: { identifier: 'sb-1', uid: 3 } } }, 'the existing user, so a caller can go on with it')
  const missing = await invoke('post', pluginPaths.forums, { uid: admin, headers: auth, body: { name: 'F', context: { type: 'batch', identifier: 'b' }, privileges: [{ permissions: ['read'], users: ['ghost'] }] } })
  t.equal(missing.status, 404)
  t.same(missing.body.response, { error: 'USER_NOT_FOUND', details: { users: ['ghost'] } })
  const crash = await invoke('get', '/sunbird/crash', { uid: admin, headers: auth })
  t.equal(crash.status, 500)
  t.equal(crash.body.response.error, 'INTERNAL_ERROR')
  t.notMatch(JSON.stringify(crash.body), /secret/)
  t.ok(logs.some((l) => l.includes('/sunbird/crash')), 'the crash is logged inside NodeBB')
})

t.test('nodebbRequire prefers globalThis.nodebb, else require.main', async (t) => {
  t.equal(nodebbRequire('./src/database'), fake.db)
  const saved = (globalThis as { nodebb?: unknown }).nodebb
  delete (globalThis as { nodebb?: unknown }).nodebb
  t.equal(nodebbRequire<{ join: unknown }>('node:path').join, require('node:path').join, 'falls back to require.main.require')
  ;(globalThis as { nodebb?: unknown }).nodebb = saved
})

t.test('filter:category.create: a private Sunbird forum gets no default grants', async (t) => {
  const hook = { data: { sunbirdPrivate: true }, defaultPrivileges: ['groups:read'], guestPrivileges: ['groups:read'], modPrivileges: ['groups:moderate'] }
  t.same(await onCategoryCreate(hook), { data: { sunbirdPrivate: true }, defaultPrivileges: [], guestPrivileges: [], modPrivileges: ['groups:moderate'] })
  const other = { data: {}, defaultPrivileges: ['groups:read'], guestPrivileges: ['groups:read'], modPrivileges: [] }
  t.same(await onCategoryCreate(other), { data: {}, defaultPrivileges: ['groups:read'], guestPrivileges: ['groups:read'], modPrivileges: [] }, 'other categories keep NodeBB\'s defaults')
})

t.test('settings from meta.settings: defaults, strings and the config fallback', async (t) => {
  const lists = { allowedGroups: [], notificationUrlHosts: [], legacyParentCids: [], legacyForumsPrivate: false, legacyRemoveDeletes: false }
  t.same(parseSettings({}, undefined), { emailDomain: 'sunbird.invalid', exemptNewUserRestrictions: true, defaultPublic: false, ...lists })
  t.same(parseSettings({}, 'config.example'), { emailDomain: 'config.example', exemptNewUserRestrictions: true, defaultPublic: false, ...lists })
  t.same(parseSettings({ emailDomain: ' learn.example ', exemptNewUserRestrictions: 'off', defaultPublic: 'on', allowedGroups: 'Mentors\nsystem/bad', notificationUrlHosts: 'Sunbird.example', legacyParentCids: '6\n9', legacyForumsPrivate: 'on', legacyRemoveDeletes: 'on' }, 'config.example'),
    { emailDomain: 'learn.example', exemptNewUserRestrictions: false, defaultPublic: true, allowedGroups: ['Mentors'], notificationUrlHosts: ['sunbird.example'], legacyParentCids: [6, 9], legacyForumsPrivate: true, legacyRemoveDeletes: true })
})

t.test('activity visibility is NodeBB\'s own: privileges.topics.filterTids and privileges.posts.filter with topics:read', async (t) => {
  const calls: unknown[][] = []
  const privileges = {
    categories: { filterCids: async (...args: unknown[]) => { calls.push(['filterCids', ...args]); return ['3'] } },
    topics: { filterTids: async (...args: unknown[]) => { calls.push(['filterTids', ...args]); return ['7', 9] } },
    posts: { filter: async (...args: unknown[]) => { calls.push(['posts.filter', ...args]); return ['11'] } }
  }
  // the rest of what nodebbPlatform() asks for; only the privileges are called here
  const stubs: Record<string, unknown> = Object.fromEntries([
    ...['./src/categories', './src/groups', './src/utils', './src/topics', './src/posts', './src/notifications', './src/translator'].map((id) => [id, {}]),
    ['./src/privileges', privileges],
    ['./src/meta', { config: {} }],
    ['./src/slugify', (s: string) => s],
    ['nconf', { get: () => undefined }]
  ])
  Object.assign(modules, stubs)
  t.teardown(() => { for (const id of Object.keys(stubs)) Reflect.deleteProperty(modules, id) })
  const platform = nodebbPlatform()
  t.same(await platform.readableCids([3, 4], learner, 'topics:read'), [3])
  t.same(await platform.visibleTopics([7, 8, 9], learner), [7, 9], 'tids as numbers')
  t.same(await platform.visiblePosts([11, 12], learner), [11])
  t.same(await platform.visibleTopics([], learner), [], 'nothing to ask')
  t.same(await platform.visiblePosts([], learner), [])
  t.same(calls, [
    ['filterCids', 'topics:read', [3, 4], learner],
    ['filterTids', 'topics:read', [7, 8, 9], learner],
    ['posts.filter', 'topics:read', [11, 12], learner]
  ], 'one NodeBB call each, none for an empty list')
})
