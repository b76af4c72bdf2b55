import t, { type Test } from 'tap'
import { appWithStandIn, type AppWithStandIn } from './stand-in-app'
import { adminRole, apiRsaToken, apiToken, realmId, userToken } from '../tokens'
import { VerifiedTokenCache } from '../../adapter/auth/verified-cache'

/**
 * The trust model (issue 12), tried as an attacker would: a client consumer (the portal, the
 * mobile app: `api-rsa-1` here) acts only as the user its token names; a trusted service
 * (`test-consumer`, in SERVICE_CONSUMERS) may act without one. One test per finding of the review.
 */
const ctx = { type: 'batch', identifier: 'trust-1' }
const otherCtx = { type: 'batch', identifier: 'trust-2' }

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

interface World extends AppWithStandIn {
  forumA: string
  forumB: string
  /** B's auto group (learner-2 is its member). */
  groupB: string
  call: (method: Method, url: string, headers: Record<string, string>, payload?: unknown) => ReturnType<AppWithStandIn['send']>
}

/** A client consumer's call: its API token, and the user's token when one is named. */
const client = (sunbirdId?: string, options: Parameters<typeof userToken>[1] = {}): Record<string, string> => ({
  authorization: `Bearer ${apiRsaToken()}`,
  ...(sunbirdId === undefined ? {} : { 'x-authenticated-user-token': userToken(sunbirdId, options) })
})
/** A trusted service's call: the API token alone. */
const service = (): Record<string, string> => ({ authorization: `Bearer ${apiToken()}` })

async function world (t: Test, overrides: Record<string, string> = {}): Promise<World> {
  const w = await appWithStandIn(t, overrides)
  const call: World['call'] = async (method, url, headers, payload) => {
    const res = await w.app.inject({ method, url, headers: { 'content-type': 'application/json', ...headers }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) })
    return { status: res.statusCode, body: res.json(), headers: res.headers, raw: res.body }
  }
  for (const id of ['mentor-a', 'mentor-b', 'learner-1', 'learner-2', 'outsider']) {
    const res = await call('POST', '/api/user/v1/create', service(), { request: { identifier: id, username: id.replace('-', '') } })
    t.equal(res.status, 200, res.raw)
  }
  const create = async (name: string, request: Record<string, unknown>) => {
    const res = await call('POST', '/api/forum/v1/create', service(), { request: { name, context: ctx, ...request } })
    t.equal(res.status, 200, res.raw)
    return res.body.result as { identifier: string, forum: { groups: Array<{ identifier: string }> } }
  }
  const a = await create('A', { privileges: [{ permissions: ['moderate'], users: ['mentor-a'] }, { permissions: ['read'], users: ['learner-1'] }] })
  const b = await create('B', { groups: [{ permissions: ['post'], members: ['learner-2'] }], privileges: [{ permissions: ['moderate'], users: ['mentor-b'] }] })
  w.reset()
  return { ...w, call, forumA: a.identifier, forumB: b.identifier, groupB: b.forum.groups[0]?.identifier as string }
}

t.test('finding 1: a client consumer without the user token is 401 on every /api route, and reaches nothing', async (t) => {
  const w = await world(t)
  const before = w.nodebb.fake.dump()
  const routes: Array<[Method, string, unknown]> = [
    ['POST', '/api/user/v1/create', { request: { identifier: 'x-1', username: 'xone' } }],
    ['GET', '/api/user/v1/read/learner-1', undefined],
    ['POST', '/api/forum/v1/create', { request: { name: 'X', context: ctx } }],
    ['PATCH', `/api/forum/v1/update/${w.forumA}`, { request: { name: 'X' } }],
    ['POST', '/api/forum/v1/fetch', { request: { context: ctx } }],
    ['GET', `/api/forum/v1/read/${w.forumA}`, undefined],
    ['DELETE', `/api/forum/v1/delete/${w.forumA}`, undefined],
    ['POST', '/api/activity/v1/list', { request: {} }],
    ['POST', '/api/notification/v1/send', { request: { users: ['learner-1'], title: 't', body: 'b' } }],
    ['POST', '/api/notification/v1/list', { request: { user: 'learner-1' } }],
    ['POST', '/api/notification/v1/mark-read', { request: { user: 'learner-1', all: true } }]
  ]
  for (const [method, url, payload] of routes) {
    const res = await w.call(method, url, client(), payload)
    t.equal(res.status, 401, `${method} ${url}`)
    t.equal(res.body.params.err, 'UNAUTHORIZED')
    t.match(res.body.params.errmsg, /x-authenticated-user-token/)
  }
  t.equal(w.reached(), 0, 'nothing reached NodeBB')
  t.equal(w.nodebb.fake.dump(), before, 'nothing was written')
})

t.test('finding 1: with a learner\'s token, only the learner\'s own notifications, and only readable forums', async (t) => {
  const w = await world(t)
  const sent = await w.call('POST', '/api/notification/v1/send', service(), { request: { users: ['learner-1', 'learner-2'], title: 'Hi', body: 'b' } })
  t.equal(sent.status, 200, sent.raw)
  const own = await w.call('POST', '/api/notification/v1/list', client('learner-1'), { request: { user: 'learner-1' } })
  t.equal(own.status, 200, own.raw)
  t.equal(own.body.result.count, 1)
  for (const [url, request] of [['/api/notification/v1/list', { user: 'learner-2' }], ['/api/notification/v1/mark-read', { user: 'learner-2', all: true }]] as const) {
    const res = await w.call('POST', url, client('learner-1'), { request })
    t.same([res.status, res.body.params.err], [403, 'FORBIDDEN'], `${url}: not another user's`)
  }
  t.equal((await w.call('POST', '/api/notification/v1/list', client('learner-2'), { request: { user: 'learner-2', unread: true } })).body.result.count, 1, 'learner-2\'s stay unread')
  // user create and read: only for the token's own user
  t.same((await w.call('GET', '/api/user/v1/read/learner-2', client('learner-1'))).status, 403)
  t.same((await w.call('GET', '/api/user/v1/read/learner-1', client('learner-1'))).status, 200)
  t.same((await w.call('POST', '/api/user/v1/create', client('newcomer'), { request: { identifier: 'someone-else', username: 'someone' } })).status, 403)
  const self = await w.call('POST', '/api/user/v1/create', client('newcomer'), { request: { identifier: 'newcomer', username: 'newcomer' } })
  t.equal(self.status, 200, `a user creates their own account: ${self.raw}`)
  const bySubject = await w.call('GET', `/api/user/v1/read/f:${realmId}:newcomer`, client('newcomer'))
  t.equal(bySubject.status, 200, 'named by the full subject too')
  // forums: read of another's is 403, fetch lists only what the user reads
  t.equal((await w.call('GET', `/api/forum/v1/read/${w.forumA}`, client('learner-1'))).status, 200)
  const other = await w.call('GET', `/api/forum/v1/read/${w.forumB}`, client('learner-1'))
  t.same([other.status, other.body.params.err], [403, 'FORBIDDEN'])
  const fetched = await w.call('POST', '/api/forum/v1/fetch', client('learner-1'), { request: { context: ctx } })
  t.same((fetched.body.result.forums as Array<{ identifier: string }>).map((f) => f.identifier), [w.forumA], 'fetch: only the forum learner-1 reads')
  const outsider = await w.call('POST', '/api/forum/v1/fetch', client('outsider'), { request: { context: ctx } })
  t.same(outsider.body.result, { forums: [], count: 0 })
  // a service still does everything
  t.equal((await w.call('POST', '/api/forum/v1/fetch', service(), { request: { context: ctx } })).body.result.count, 2)
  t.equal((await w.call('POST', '/api/notification/v1/list', service(), { request: { user: 'learner-2' } })).status, 200)
})

t.test('finding 1: activity is listed only from forums the user reads', async (t) => {
  const w = await world(t)
  const fake = w.nodebb.fake
  const author = w.nodebb.admin
  for (const forum of [w.forumA, w.forumB]) {
    const { tid, pid } = fake.addTopic(Number(forum), author, `Topic in ${forum}`)
    await w.nodebb.activity.onHook('action:topic.post', { topic: { tid, cid: Number(forum), uid: author, title: `Topic in ${forum}`, slug: `${tid}/t` }, post: { pid } })
  }
  const learner = await w.call('POST', '/api/activity/v1/list', client('learner-1'), { request: { context: ctx } })
  t.same((learner.body.result.activities as Array<{ forum: { identifier: string } }>).map((a) => a.forum.identifier), [w.forumA])
  const all = await w.call('POST', '/api/activity/v1/list', service(), { request: { context: ctx } })
  t.equal(all.body.result.count, 2, 'a service reads all')
})

t.test('finding 2: write amplification is refused before anything reaches NodeBB', async (t) => {
  const w = await world(t)
  const before = w.nodebb.fake.dump()
  // 1,000 users at moderate with applyToChildren over 197 forums: 197,000 grants (2.9 million privileges)
  const users = Array.from({ length: 1000 }, (_v, i) => `learner-${i}`)
  const children = Array.from({ length: 4 }, (_v, i) => ({ name: `c${i}`, children: Array.from({ length: 48 }, (_x, j) => ({ name: `g${j}` })) }))
  const request = { name: 'Amplified', context: ctx, privileges: [{ permissions: ['moderate'], users, applyToChildren: true }], children }
  const payload = JSON.stringify({ request })
  const started = performance.now()
  const res = await w.app.inject({ method: 'POST', url: '/api/forum/v1/create', headers: { ...service(), 'content-type': 'application/json' }, payload })
  const ms = performance.now() - started
  t.equal(res.statusCode, 400, res.body.slice(0, 300))
  t.equal(res.json().params.err, 'INVALID_REQUEST')
  t.match(res.json().params.errmsg, /MAX_GRANTS_PER_REQUEST/)
  t.same(res.json().result, { limit: 'grantsPerRequest', max: 10000, requested: 197000 })
  t.equal(w.reached(), 0, 'the stand-in recorded no call')
  t.comment(`refusing the ${Math.round(payload.length / 1024)} kB over-cap create took ${ms.toFixed(1)} ms`)
  // close to the 1 MB body limit: 10 entries of 1,000 long ids, given to a forum and its child
  const longIds = (k: number): string[] => Array.from({ length: 1000 }, (_v, i) => `f:${realmId}:${String(k).padStart(2, '0')}-${String(i).padStart(4, '0')}-${'x'.repeat(40)}`)
  const big = JSON.stringify({ request: { name: 'Big', context: ctx, privileges: Array.from({ length: 10 }, (_v, k) => ({ permissions: ['read'], users: longIds(k), applyToChildren: true })), children: [{ name: 'c' }] } })
  t.ok(big.length > 900_000 && big.length < 1_048_576, `${big.length} bytes`)
  const bigStarted = performance.now()
  const bigRes = await w.app.inject({ method: 'POST', url: '/api/forum/v1/create', headers: { ...service(), 'content-type': 'application/json' }, payload: big })
  const bigMs = performance.now() - bigStarted
  t.same([bigRes.statusCode, bigRes.json().result], [400, { limit: 'grantsPerRequest', max: 10000, requested: 20000 }])
  t.equal(w.reached(), 0)
  t.comment(`refusing a ${(big.length / 1048576).toFixed(2)} MB over-cap create took ${bigMs.toFixed(1)} ms`)
  // the same as a user: refused before the acting user's own lookup
  w.reset()
  t.equal((await w.call('POST', '/api/forum/v1/create', client('mentor-a'), { request: { ...request, parent: w.forumA } })).status, 400)
  t.equal(w.reached(), 0, 'not even the acting-user lookup')
  // a lower limit is honoured, and the plugin counts an update's reach into existing descendants itself
  const low = await world(t, { MAX_GRANTS_PER_REQUEST: '5' })
  const six = await low.call('POST', '/api/forum/v1/create', service(), { request: { name: 'Six', context: ctx, privileges: [{ permissions: ['read'], users: ['learner-1'], applyToChildren: true }], children: Array.from({ length: 5 }, (_v, i) => ({ name: `c${i}` })) } })
  t.match(six.body.params.errmsg, /makes 6 member x forum grants/)
  t.equal(w.nodebb.fake.dump(), before, 'nothing was written')
})

t.test('finding 3: a moderator cannot send as someone else', async (t) => {
  const w = await world(t)
  const spoof = await w.call('POST', '/api/notification/v1/send', client('mentor-a'), { request: { forum: w.forumA, title: 'From the director', body: 'b', from: 'mentor-b' } })
  t.same([spoof.status, spoof.body.params.err], [403, 'FORBIDDEN'])
  const own = await w.call('POST', '/api/notification/v1/send', client('mentor-a'), { request: { forum: w.forumA, title: 'Hi', body: 'b' } })
  t.equal(own.status, 200, own.raw)
  const listed = await w.call('POST', '/api/notification/v1/list', client('learner-1'), { request: { user: 'learner-1' } })
  t.equal((listed.body.result.notifications as Array<{ from: string }>)[0]?.from, 'mentor-a', 'from is the acting user')
  const users = await w.call('POST', '/api/notification/v1/send', client('mentor-a'), { request: { users: ['learner-2'], title: 'x', body: 'y' } })
  t.same([users.status, users.body.params.err], [403, 'FORBIDDEN'], 'sending to users is for services and administrators')
})

t.test('finding 4: another forum tree\'s group cannot be given access (so it cannot be reached through a notification)', async (t) => {
  const w = await world(t)
  const before = w.nodebb.fake.dump()
  const grab = await w.call('PATCH', `/api/forum/v1/update/${w.forumA}`, client('mentor-a'), { request: { privileges: [{ permissions: ['read'], groups: [w.groupB] }] } })
  t.same([grab.status, grab.body.params.err], [403, 'FORBIDDEN'], grab.raw)
  t.same(grab.body.result, { groups: [w.groupB] })
  t.equal(w.nodebb.fake.dump(), before)
  const sent = await w.call('POST', '/api/notification/v1/send', client('mentor-a'), { request: { forum: w.forumA, title: 'Hi', body: 'b' } })
  t.equal(sent.body.result.delivered, 2, 'mentor-a and learner-1 only: B\'s members are not reached')
  // a tree's own groups, and groups an administrator allowed, are fine
  const child = await w.call('POST', '/api/forum/v1/create', client('mentor-b'), { request: { name: 'B child', context: ctx, parent: w.forumB, privileges: [{ permissions: ['read'], groups: [w.groupB] }] } })
  t.equal(child.status, 200, `B's group on B's child: ${child.raw}`)
  w.nodebb.fake.addGroup('Reviewers')
  t.equal((await w.call('PATCH', `/api/forum/v1/update/${w.forumA}`, client('mentor-a'), { request: { privileges: [{ permissions: ['read'], groups: ['Reviewers'] }] } })).status, 403)
  w.nodebb.fake.settings.allowedGroups = ['Reviewers']
  t.equal((await w.call('PATCH', `/api/forum/v1/update/${w.forumA}`, client('mentor-a'), { request: { privileges: [{ permissions: ['read'], groups: ['Reviewers'] }] } })).status, 200, 'once an administrator allows it')
})

t.test('finding 5: a child belongs to its parent\'s context; public under a private parent needs an administrator', async (t) => {
  const w = await world(t)
  const before = w.nodebb.fake.dump()
  const hijack = await w.call('POST', '/api/forum/v1/create', client('mentor-a'), { request: { name: 'Hijack', context: otherCtx, parent: w.forumA, public: true } })
  t.same([hijack.status, hijack.body.params.err], [400, 'INVALID_REQUEST'], hijack.raw)
  t.match(hijack.body.params.errmsg, /belongs to its context/)
  const open = await w.call('POST', '/api/forum/v1/create', client('mentor-a'), { request: { name: 'Open', context: ctx, parent: w.forumA, public: true } })
  t.same([open.status, open.body.params.err], [403, 'FORBIDDEN'])
  t.equal(w.nodebb.fake.dump(), before, 'nothing was written')
  t.same((await w.call('POST', '/api/forum/v1/fetch', service(), { request: { context: otherCtx } })).body.result, { forums: [], count: 0 }, 'the other context lists nothing')
  t.equal((await w.call('POST', '/api/forum/v1/create', client('anyone', { roles: [adminRole] }), { request: { name: 'Open', context: ctx, parent: w.forumA, public: true } })).status, 200, 'an administrator may')
  const inherits = await w.call('POST', '/api/forum/v1/create', client('mentor-a'), { request: { name: 'Private child', context: ctx, parent: w.forumA } })
  t.equal((inherits.body.result.forum as { public: boolean }).public, false, 'a child is private like its parent unless it says otherwise')
})

t.test('root forums: FORUM_CREATOR_ROLES when set; a service or an administrator always', async (t) => {
  const w = await world(t, { FORUM_CREATOR_ROLES: 'CONTENT_CREATOR,COURSE_MENTOR' })
  const denied = await w.call('POST', '/api/forum/v1/create', client('learner-1'), { request: { name: 'Mine', context: ctx } })
  t.same([denied.status, denied.body.params.err], [403, 'FORBIDDEN'])
  t.equal(w.reached(), 0)
  t.equal((await w.call('POST', '/api/forum/v1/create', client('learner-1', { roles: ['COURSE_MENTOR'] }), { request: { name: 'Mine', context: ctx } })).status, 200)
  t.equal((await w.call('POST', '/api/forum/v1/create', service(), { request: { name: 'Service', context: ctx } })).status, 200)
  const open = await world(t)
  t.equal((await open.call('POST', '/api/forum/v1/create', client('learner-1'), { request: { name: 'Anyone', context: ctx } })).status, 200, 'empty: any user')
})

t.test('finding 7: bad-token floods are limited per client address, before the tokens are checked', async (t) => {
  const w = await world(t, { RATE_LIMIT_ADDRESS_MAX: '20', RATE_LIMIT_MAX: '100000' })
  const statuses: number[] = []
  for (let i = 0; i < 25; i++) statuses.push((await w.app.inject({ method: 'GET', url: `/api/forum/v1/read/${w.forumA}`, headers: { authorization: `Bearer forged.${i}.token` } })).statusCode)
  t.ok(statuses.filter((s) => s === 401).length <= 20 && statuses.slice(-3).every((s) => s === 429), statuses.join(','))
  const limited = await w.app.inject({ method: 'GET', url: `/api/forum/v1/read/${w.forumA}`, headers: service() })
  t.equal(limited.json().params.err, 'RATE_LIMITED', 'the address is limited whatever it sends next')
  t.ok(Number(limited.headers['retry-after']) > 0, 'with a Retry-After')
  const elsewhere = await w.app.inject({ method: 'GET', url: `/api/forum/v1/read/${w.forumA}`, headers: service(), remoteAddress: '10.9.8.7' })
  t.equal(elsewhere.statusCode, 200, 'another address has its own budget')
})

t.test('finding 7: the verified-token cache holds successes only, least recently used out first', async (t) => {
  let clock = 1000
  const cache = new VerifiedTokenCache<string>(2, () => clock)
  cache.set('a', 'A', 5000)
  cache.set('b', 'B', 5000)
  t.equal(cache.get('a'), 'A', 'a is now the most recent')
  cache.set('c', 'C', 5000)
  t.equal(cache.get('b'), undefined, 'b, the least recently used, went first')
  t.equal(cache.get('a'), 'A')
  cache.set('d', 'D', 500)
  t.equal(cache.get('d'), undefined, 'an already expired token is not kept')
  clock = 6000
  t.equal(cache.get('a'), undefined, 'an entry expires with its token')
  t.equal(cache.length, 1)
  t.not(VerifiedTokenCache.keyOf('x'), VerifiedTokenCache.keyOf('y'))
  // through the adapter: a flood of forged tokens leaves a good token working
  const w = await world(t, { TOKEN_CACHE_SIZE: '1', RATE_LIMIT_ADDRESS_MAX: '100000', RATE_LIMIT_MAX: '100000' })
  const good = service()
  t.equal((await w.call('GET', `/api/forum/v1/read/${w.forumA}`, good)).status, 200)
  for (let i = 0; i < 50; i++) t.equal((await w.call('GET', `/api/forum/v1/read/${w.forumA}`, { authorization: `Bearer ${apiToken({ jti: String(i) }).slice(0, -3)}AAA` })).status, 401)
  t.equal((await w.call('GET', `/api/forum/v1/read/${w.forumA}`, good)).status, 200)
})

t.test('finding 8: a msgid is one user\'s: another user replaying it runs as themselves', async (t) => {
  const w = await world(t)
  const body = { params: { msgid: 'shared-msgid' }, request: { privileges: [{ permissions: ['post'], users: ['learner-1'] }] } }
  const mentor = await w.call('PATCH', `/api/forum/v1/update/${w.forumA}`, client('mentor-a'), body)
  t.equal(mentor.status, 200, mentor.raw)
  const replay = await w.call('PATCH', `/api/forum/v1/update/${w.forumA}`, client('learner-1'), body)
  t.same([replay.status, replay.body.params.err], [403, 'FORBIDDEN'], 'not the mentor\'s 200 replayed')
  t.equal(replay.headers['idempotent-replayed'], undefined)
  t.equal((await w.call('PATCH', `/api/forum/v1/update/${w.forumA}`, client('mentor-a'), body)).headers['idempotent-replayed'], 'true', 'the mentor\'s own retry replays')
})

t.test('finding 9: notification links stay on the forum or allowed hosts', async (t) => {
  const w = await world(t)
  for (const url of ['//evil.example/x', '/\\evil.example', 'https://evil.example/login', 'javascript:alert(1)']) {
    const res = await w.call('POST', '/api/notification/v1/send', service(), { request: { users: ['learner-1'], title: 't', body: 'b', url } })
    t.same([res.status, res.body.params.err], [400, 'INVALID_REQUEST'], url)
  }
  t.equal((await w.call('POST', '/api/notification/v1/send', service(), { request: { users: ['learner-1'], title: 't', body: 'b', url: '/topic/4/x' } })).status, 200)
})

t.test('finding 10: user tokens must be access tokens, for this service when an audience is set', async (t) => {
  const w = await world(t, { KEYCLOAK_AUDIENCE: 'discussions' })
  const refused: Array<[string, Record<string, unknown>]> = [
    ['an ID token', { typ: 'ID', aud: 'discussions' }],
    ['a refresh token', { typ: 'Refresh', aud: 'discussions' }],
    ['no typ', { typ: undefined, aud: 'discussions' }],
    ['another client\'s token', { aud: 'account', azp: 'other-app' }]
  ]
  for (const [why, claims] of refused) {
    const res = await w.call('GET', `/api/forum/v1/read/${w.forumA}`, client('mentor-a', { claims }))
    t.same([res.status, res.body.params.err], [401, 'UNAUTHORIZED'], `${why}: ${res.body.params.errmsg as string}`)
  }
  for (const [why, claims] of [['aud', { aud: ['account', 'discussions'] }], ['azp', { aud: 'account', azp: 'discussions' }]] as const) {
    t.equal((await w.call('GET', `/api/forum/v1/read/${w.forumA}`, client('mentor-a', { claims }))).status, 200, `accepted by ${why}`)
  }
  // API tokens may come without exp (the API manager issues such consumer tokens)
  t.equal((await w.call('GET', `/api/forum/v1/read/${w.forumA}`, { authorization: `Bearer ${apiToken({ exp: undefined })}` })).status, 200)
  t.equal((await w.call('GET', `/api/forum/v1/read/${w.forumA}`, { authorization: `bearer ${apiToken()}` })).status, 200, 'the scheme in any case')
})
