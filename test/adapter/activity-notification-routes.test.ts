import t, { type Test } from 'tap'
import type { InjectOptions } from 'fastify'
import { appWithStandIn } from './stand-in-app'
import { schemaCheck } from './schema-check'
import { callerHeaders } from '../tokens'
import { responseEnvelope } from '../../shared/schemas/common'
import { ActivityListResult, activityQuery, activityRequestFromQuery } from '../../shared/schemas/activity'
import { NotificationListResult, NotificationMarkReadResult, NotificationSendResult, sendTargetProblem } from '../../shared/schemas/notification'

const json = { 'content-type': 'application/json' }
const post = (url: string, payload: unknown, headers: Record<string, string> = {}): InjectOptions => ({ method: 'POST', url, headers: { ...json, ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) })
const as = (sunbirdId: string): Record<string, string> => callerHeaders(sunbirdId)

async function setup (t: Test) {
  const s = await appWithStandIn(t)
  for (const [identifier, username] of [['learner-1', 'learner1'], ['outsider-1', 'outsider1']]) await s.send(post('/api/user/v1/create', { request: { identifier, username } }))
  const forum = await s.send(post('/api/forum/v1/create', { request: { name: 'Batch', context: { type: 'batch', identifier: 'b1' }, privileges: [{ permissions: ['post'], users: ['learner-1'] }] } }))
  const other = await s.send(post('/api/forum/v1/create', { request: { name: 'Other', context: { type: 'batch', identifier: 'b2' }, privileges: [{ permissions: ['post'], users: ['outsider-1'] }] } }))
  const fake = s.nodebb.fake
  const [learner, outsider] = await Promise.all([fake.db.getObjectField('sunbird:uid-by-sunbird-id', 'learner-1'), fake.db.getObjectField('sunbird:uid-by-sunbird-id', 'outsider-1')])
  return { ...s, forum: String(forum.body.result.identifier), other: String(other.body.result.identifier), learner: Number(learner), outsider: Number(outsider) }
}

t.test('activity list through the adapter: filters go to the plugin as its query; a user sees what they can read', async (t) => {
  const s = await setup(t)
  // what the hooks would record: the plugin stand-in records through the same service as NodeBB's hooks do
  const record = async (cid: string, uid: number, title: string): Promise<void> => {
    const { tid, pid } = s.nodebb.fake.addTopic(Number(cid), uid, title)
    await s.nodebb.activity.onHook('action:topic.post', { topic: { tid, cid: Number(cid), uid, title, slug: `${tid}/t` }, post: { pid } })
  }
  await record(s.forum, s.learner, 'In batch')
  await record(s.other, s.outsider, 'In other')

  const check = schemaCheck(responseEnvelope(ActivityListResult))
  const all = await s.send(post('/api/activity/v1/list', { request: {} }))
  t.equal(all.status, 200, all.raw)
  t.equal(check(all.body), null, 'matches the published schema')
  t.equal(all.body.id, 'api.discussions.activity.list')
  t.same([all.body.result.count, all.body.result.offset], [2, null])
  t.equal(s.nodebb.calls.at(-1)?.path, '/api/v3/plugins/sunbird/activity')

  const byContext = await s.send(post('/api/activity/v1/list', { request: { context: { type: 'batch', identifier: 'b1' }, verbs: ['topic.create'], limit: 1 } }))
  t.same((byContext.body.result.activities as Array<{ object: { title: string } }>).map((a) => a.object.title), ['In batch'])

  const learnerView = await s.send(post('/api/activity/v1/list', { request: {} }, as('learner-1')))
  t.equal(learnerView.status, 200, learnerView.raw)
  t.same((learnerView.body.result.activities as Array<{ object: { title: string } }>).map((a) => a.object.title), ['In batch'], 'only forums the user reads')
  t.equal(s.nodebb.calls.at(-1)?.uid, String(s.learner), 'the acting uid goes to the plugin')
})

t.test('notifications through the adapter: send, list, mark-read', async (t) => {
  const s = await setup(t)
  const sent = await s.send(post('/api/notification/v1/send', { params: { msgid: 'n-1' }, request: { users: ['learner-1'], title: 'Hello', body: 'World', url: '/topic/1/x' } }))
  t.equal(sent.status, 200, sent.raw)
  t.equal(schemaCheck(responseEnvelope(NotificationSendResult))(sent.body), null)
  t.equal(sent.body.result.delivered, 1)
  const missing = await s.send(post('/api/notification/v1/send', { request: { users: ['learner-1', 'ghost'], title: 'Hello', body: 'World' } }))
  t.same([missing.status, missing.body.params.err], [404, 'USER_NOT_FOUND'])
  t.match(missing.body.params.errmsg, /ghost/)

  const listed = await s.send(post('/api/notification/v1/list', { request: { user: 'learner-1', unread: true } }, as('learner-1')))
  t.equal(listed.status, 200, listed.raw)
  t.equal(schemaCheck(responseEnvelope(NotificationListResult))(listed.body), null)
  t.same((listed.body.result.notifications as Array<{ title: string, read: boolean }>).map((n) => [n.title, n.read]), [['Hello', false]])
  t.match(s.nodebb.calls.at(-1)?.path, '/api/v3/plugins/sunbird/users/learner-1/notifications')

  const other = await s.send(post('/api/notification/v1/list', { request: { user: 'learner-1' } }, as('outsider-1')))
  t.same([other.status, other.body.params.err], [403, 'FORBIDDEN'], 'not someone else\'s')

  const marked = await s.send(post('/api/notification/v1/mark-read', { request: { user: 'learner-1', all: true } }, as('learner-1')))
  t.equal(marked.status, 200, marked.raw)
  t.equal(schemaCheck(responseEnvelope(NotificationMarkReadResult))(marked.body), null)
  t.same(marked.body.result, { marked: 1, unread: 0 })
  const byId = await s.send(post('/api/notification/v1/mark-read', { request: { user: 'learner-1', ids: [String(sent.body.result.identifier)] } }))
  t.same(byId.body.result, { marked: 0, unread: 0 })
})

const ctx = { type: 'batch', identifier: 'b1' }
const big = 'x'.repeat(10 * 1024)
const cases: Array<[string, InjectOptions]> = [
  ['activity: missing request', post('/api/activity/v1/list', {})],
  ['activity: limit 0', post('/api/activity/v1/list', { request: { limit: 0 } })],
  ['activity: limit 101', post('/api/activity/v1/list', { request: { limit: 101 } })],
  ['activity: limit as a string', post('/api/activity/v1/list', { request: { limit: '10' } })],
  ['activity: negative offset', post('/api/activity/v1/list', { request: { offset: -1 } })],
  ['activity: a verb no app could have (a space)', post('/api/activity/v1/list', { request: { verbs: ['post create'] } })],
  ['activity: empty verbs', post('/api/activity/v1/list', { request: { verbs: [] } })],
  ['activity: forum not an id', post('/api/activity/v1/list', { request: { forum: 'abc' } })],
  ['activity: context without identifier', post('/api/activity/v1/list', { request: { context: { type: 'batch' } } })],
  ['activity: 10 kB user', post('/api/activity/v1/list', { request: { user: big } })],
  ['activity: since as a date string', post('/api/activity/v1/list', { request: { since: '2024-01-01' } })],
  ['activity: includeDescendants "yes"', post('/api/activity/v1/list', { request: { includeDescendants: 'yes' } })],
  ['activity: unknown field', post('/api/activity/v1/list', { request: { context: ctx, owner: 'me' } })],
  ['send: no recipients', post('/api/notification/v1/send', { request: { title: 'a', body: 'b' } })],
  ['send: users and forum', post('/api/notification/v1/send', { request: { users: ['u-1'], forum: '1', title: 'a', body: 'b' } })],
  ['send: empty users', post('/api/notification/v1/send', { request: { users: [], title: 'a', body: 'b' } })],
  ['send: duplicate users', post('/api/notification/v1/send', { request: { users: ['u-1', 'u-1'], title: 'a', body: 'b' } })],
  ['send: 1001 users', post('/api/notification/v1/send', { request: { users: Array.from({ length: 1001 }, (_v, i) => `u-${i}`), title: 'a', body: 'b' } })],
  ['send: missing title', post('/api/notification/v1/send', { request: { users: ['u-1'], body: 'b' } })],
  ['send: blank body', post('/api/notification/v1/send', { request: { users: ['u-1'], title: 'a', body: ' \n ' } })],
  ['send: 10 kB title', post('/api/notification/v1/send', { request: { users: ['u-1'], title: big, body: 'b' } })],
  ['send: javascript: url', post('/api/notification/v1/send', { request: { users: ['u-1'], title: 'a', body: 'b', url: 'javascript:alert(1)' } })],
  ['send: from with a space', post('/api/notification/v1/send', { request: { users: ['u-1'], title: 'a', body: 'b', from: 'a b' } })],
  ['send: protocol-relative url (another host)', post('/api/notification/v1/send', { request: { users: ['u-1'], title: 'a', body: 'b', url: '//evil.example/x' } })],
  ['send: backslash url (another host)', post('/api/notification/v1/send', { request: { users: ['u-1'], title: 'a', body: 'b', url: '/\\evil.example' } })],
  ['send: unknown field', post('/api/notification/v1/send', { request: { users: ['u-1'], title: 'a', body: 'b', priority: 1 } })],
  ['list: missing user', post('/api/notification/v1/list', { request: {} })],
  ['list: unread as a string', post('/api/notification/v1/list', { request: { user: 'u-1', unread: 'true' } })],
  ['list: limit 500', post('/api/notification/v1/list', { request: { user: 'u-1', limit: 500 } })],
  ['mark-read: neither ids nor all', post('/api/notification/v1/mark-read', { request: { user: 'u-1' } })],
  ['mark-read: all false', post('/api/notification/v1/mark-read', { request: { user: 'u-1', all: false } })],
  ['mark-read: ids and all', post('/api/notification/v1/mark-read', { request: { user: 'u-1', ids: ['a'], all: true } })],
  ['mark-read: 101 ids', post('/api/notification/v1/mark-read', { request: { user: 'u-1', ids: Array.from({ length: 101 }, (_v, i) => `n${i}`) } })],
  ['mark-read: id with a control character', post('/api/notification/v1/mark-read', { request: { user: 'u-1', ids: ['a\u0001'] } })]
]

t.test('bad input on the activity and notification routes: the envelope, and nothing reaches NodeBB', async (t) => {
  const { send, reached, reset } = await appWithStandIn(t)
  reset()
  for (const [name, inject] of cases) {
    const res = await send(inject)
    t.equal(res.status, 400, `${name}: status`)
    t.equal(res.body.params?.err, 'INVALID_REQUEST', `${name}: ${res.body.params?.errmsg ?? res.raw.slice(0, 200)}`)
    t.equal(res.body.responseCode, 'CLIENT_ERROR', `${name}: responseCode`)
    t.notMatch(res.raw, big, `${name}: the input is not echoed at length`)
  }
  t.equal(reached(), 0, 'no request reached NodeBB')
  t.equal((await send({ method: 'GET', url: '/api/activity/v1/list' })).status, 405)
})

t.test('the list query encoding round-trips', async (t) => {
  const request = { context: ctx, forum: '7', includeDescendants: true, user: 'u-1', verbs: ['post.edit' as const, 'topic.lock' as const], since: 1, until: 2, limit: 3, offset: 4 }
  t.same(activityRequestFromQuery({ ...activityQuery(request), _uid: '1', lang: 'en-GB', _: '123' }), request, 'NodeBB\'s own query parameters are not part of the request')
  t.same(activityRequestFromQuery({ includeDescendants: 'false', limit: 'x', verbs: ['a'], empty: '' }), { includeDescendants: false, limit: 'x', verbs: ['a'] })
  t.same(activityRequestFromQuery({ includeDescendants: 'maybe' }), { includeDescendants: 'maybe' })
  t.same(activityQuery({}), {})
  t.equal(sendTargetProblem({ users: ['a'], title: 't', body: 'b' }), null)
  t.equal(sendTargetProblem({ forum: '1', title: 't', body: 'b' }), null)
  t.type(sendTargetProblem({ title: 't', body: 'b' }), 'string')
})
