import t, { type Test } from 'tap'
import type { InjectOptions } from 'fastify'
import { appWithStandIn } from './stand-in-app'
import { schemaCheck } from './schema-check'
import { adminRole, apiRsaToken, apiToken, strangerKey, userToken } from '../tokens'
import { responseEnvelope } from '../../shared/schemas/common'
import { ActivityCreateResult, ActivityListResult } from '../../shared/schemas/activity'

/** POST /api/activity/v1/create (seed 000) through the adapter, against the stand-in. */
const json = { 'content-type': 'application/json' }
const post = (url: string, payload: unknown, headers: Record<string, string> = {}): InjectOptions => ({ method: 'POST', url, headers: { ...json, ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) })
const service = (): Record<string, string> => ({ authorization: `Bearer ${apiToken()}` })
const client = (id: string, roles: string[] = []): Record<string, string> => ({ authorization: `Bearer ${apiRsaToken()}`, 'x-authenticated-user-token': userToken(id, { roles }) })
const event = (extra: Record<string, unknown> = {}) => ({ actor: 'learner-1', verb: 'completed', object: { type: 'course', identifier: 'do_1', title: 'Algebra' }, context: { type: 'batch', identifier: 'b1' }, ...extra })

async function setup (t: Test) {
  const s = await appWithStandIn(t)
  await s.send(post('/api/user/v1/create', { request: { identifier: 'learner-1', username: 'learner1' } }))
  const forum = await s.send(post('/api/forum/v1/create', { request: { name: 'Batch', context: { type: 'batch', identifier: 'b1' }, privileges: [{ permissions: ['post'], users: ['learner-1'] }] } }))
  s.reset()
  return { ...s, forum: String(forum.body.result.identifier) }
}

t.test('a service puts an app\'s event into the context\'s stream; it is listed with NodeBB\'s, filterable by verb', async (t) => {
  const s = await setup(t)
  const created = await s.send(post('/api/activity/v1/create', { params: { msgid: 'ev-1' }, request: event({ forum: s.forum }) }, service()))
  t.equal(created.status, 200, created.raw)
  t.equal(created.body.id, 'api.discussions.activity.create')
  t.equal(schemaCheck(responseEnvelope(ActivityCreateResult))(created.body), null)
  t.equal(s.nodebb.calls.at(-1)?.path, '/api/v3/plugins/sunbird/activity')
  t.equal(s.nodebb.calls.at(-1)?.uid, String(s.nodebb.admin), 'recorded as the service')

  const replay = await s.send(post('/api/activity/v1/create', { params: { msgid: 'ev-1' }, request: event({ forum: s.forum }) }, service()))
  t.equal(replay.raw, created.raw, 'the same msgid: the first answer, replayed')
  t.equal(replay.headers['idempotent-replayed'], 'true')
  const conflict = await s.send(post('/api/activity/v1/create', { params: { msgid: 'ev-1' }, request: event({ verb: 'started' }) }, service()))
  t.same([conflict.status, conflict.body.params.err], [409, 'CONFLICT'])

  const admin = await s.send(post('/api/activity/v1/create', { request: event({ verb: 'enrolled' }) }, client('boss', [adminRole])))
  t.equal(admin.status, 200, 'an administrator (ADMIN_ROLES) may, through a client consumer too')

  const listed = await s.send(post('/api/activity/v1/list', { request: { context: { type: 'batch', identifier: 'b1' }, verbs: ['completed'] } }, client('learner-1')))
  t.equal(listed.status, 200, listed.raw)
  t.equal(schemaCheck(responseEnvelope(ActivityListResult))(listed.body), null, 'the list\'s published schema holds apps\' events')
  t.same((listed.body.result.activities as Array<{ id: string, source: string, verb: string }>).map((a: { id: string, source: string, verb: string }) => [a.id, a.source, a.verb]), [[created.body.result.identifier, 'app', 'completed']])
  t.equal((await s.send(post('/api/activity/v1/list', { request: { context: { type: 'batch', identifier: 'b1' } } }, client('learner-1')))).body.result.count, 2, 'the learner reads the context\'s forum: both events')
})

t.test('refusals: in the envelope, and nothing written', async (t) => {
  const s = await setup(t)
  const before = s.nodebb.fake.dump()
  const now = Math.floor(Date.now() / 1000)
  const cases: Array<[string, InjectOptions, number, string, boolean]> = [
    ['a client consumer acting as a learner', post('/api/activity/v1/create', { request: event() }, client('learner-1')), 403, 'FORBIDDEN', false],
    ['a client consumer without a user token', post('/api/activity/v1/create', { request: event() }, { authorization: `Bearer ${apiRsaToken()}` }), 401, 'UNAUTHORIZED', false],
    ['no API token', post('/api/activity/v1/create', { request: event() }, {}), 401, 'UNAUTHORIZED', false],
    ['a forged user token', post('/api/activity/v1/create', { request: event() }, { authorization: `Bearer ${apiRsaToken()}`, 'x-authenticated-user-token': userToken('boss', { roles: [adminRole], key: strangerKey.privateKey }) }), 401, 'UNAUTHORIZED', false],
    ['an expired API token', post('/api/activity/v1/create', { request: event() }, { authorization: `Bearer ${apiToken({ exp: now - 3600 })}` }), 401, 'UNAUTHORIZED', false],
    ['NodeBB\'s own verb', post('/api/activity/v1/create', { request: event({ verb: 'topic.create' }) }, service()), 400, 'INVALID_REQUEST', false],
    ['verb a number', post('/api/activity/v1/create', { request: event({ verb: 1 }) }, service()), 400, 'INVALID_REQUEST', false],
    ['verb with a newline', post('/api/activity/v1/create', { request: event({ verb: 'done\nX-Evil: 1' }) }, service()), 400, 'INVALID_REQUEST', false],
    ['no actor', post('/api/activity/v1/create', { request: { ...event(), actor: undefined } }, service()), 400, 'INVALID_REQUEST', false],
    ['actor with a space', post('/api/activity/v1/create', { request: event({ actor: 'a b' }) }, service()), 400, 'INVALID_REQUEST', false],
    ['object.identifier empty', post('/api/activity/v1/create', { request: event({ object: { type: 'course', identifier: '' } }) }, service()), 400, 'INVALID_REQUEST', false],
    ['object with an extra field', post('/api/activity/v1/create', { request: event({ object: { type: 'course', identifier: 'x', url: 'javascript:alert(1)' } }) }, service()), 400, 'INVALID_REQUEST', false],
    ['forum not an id', post('/api/activity/v1/create', { request: event({ forum: '../1' }) }, service()), 400, 'INVALID_REQUEST', false],
    ['time as text', post('/api/activity/v1/create', { request: event({ time: 'now' }) }, service()), 400, 'INVALID_REQUEST', false],
    ['unknown field', post('/api/activity/v1/create', { request: event({ uid: 1 }) }, service()), 400, 'INVALID_REQUEST', false],
    ['oversized body', post('/api/activity/v1/create', { request: event({ object: { type: 'course', identifier: 'x', title: 'y'.repeat(2_000_000) } }) }, service()), 413, 'PAYLOAD_TOO_LARGE', false],
    ['not JSON', post('/api/activity/v1/create', '{"request":', service()), 400, 'INVALID_REQUEST', false],
    ['unknown actor', post('/api/activity/v1/create', { request: event({ actor: 'ghost-1' }) }, service()), 404, 'USER_NOT_FOUND', true],
    ['unknown forum', post('/api/activity/v1/create', { request: event({ forum: '9999' }) }, service()), 404, 'FORUM_NOT_FOUND', true]
  ]
  for (const [why, options, status, err, reaches] of cases) {
    s.reset()
    // inject, not send: send would add the admin's tokens where a case leaves them out
    const res = await s.app.inject(options)
    t.same([res.statusCode, (res.json() as { params?: { err?: string } }).params?.err], [status, err], why)
    if (!reaches) t.equal(s.reached(), 0, `${why}: nothing reached NodeBB`)
  }
  t.equal(s.nodebb.fake.dump(), before, 'nothing written')
})
