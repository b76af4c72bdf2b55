import t from 'tap'
import { responseEnvelope, UserCreateResult, UserReadResult } from '../../shared/schemas'
import { appWithStandIn } from './stand-in-app'
import { schemaCheck } from './schema-check'

const createResult = schemaCheck(responseEnvelope(UserCreateResult))
const readResult = schemaCheck(responseEnvelope(UserReadResult))

t.test('user create and read through NodeBB (the plugin\'s own routes)', async (t) => {
  const { send, nodebb } = await appWithStandIn(t)

  const created = await send({ method: 'POST', url: '/api/user/v1/create', payload: { id: 'api.user.create', ver: '1.0', params: { msgid: 'c-1' }, request: { identifier: 'learner.1@org', username: 'Learner One', fullname: 'Ada Lovelace' } } })
  t.equal(created.status, 200, created.raw)
  t.equal(createResult(created.body), null, 'the answer matches the published schema')
  t.equal(created.body.id, 'api.discussions.user.create')
  t.equal(created.body.params.msgid, 'c-1')
  t.equal(created.body.responseCode, 'OK')
  const uid = created.body.result.uid as number
  t.same(created.body.result, { identifier: 'learner.1@org', uid, username: 'Learner One' })

  // what NodeBB saw: the master token, `_uid` = the service uid, and exactly the envelope's `request`
  const call = nodebb.calls.at(-1)
  t.same(call && { method: call.method, path: call.path, uid: call.uid, body: call.body }, {
    method: 'POST',
    path: '/api/v3/plugins/sunbird/users',
    uid: String(nodebb.admin),
    body: { identifier: 'learner.1@org', username: 'Learner One', fullname: 'Ada Lovelace', _uid: nodebb.admin }
  })
  t.equal(call?.msgid, 'c-1', 'the msgid goes along for the plugin\'s audit log')
  // ... and NodeBB's state: the user exists, mapped, with a confirmed synthetic email
  t.equal(nodebb.fake.db.hashes.get(`user:${uid}`)?.get('username'), 'Learner One')
  t.equal(nodebb.fake.db.hashes.get(`user:${uid}`)?.get('email:confirmed'), '1')

  const read = await send({ method: 'GET', url: '/api/user/v1/read/learner.1@org' })
  t.equal(read.status, 200, read.raw)
  t.equal(readResult(read.body), null, 'the answer matches the published schema')
  t.equal(read.body.id, 'api.discussions.user.read')
  t.same(read.body.result, { user: { identifier: 'learner.1@org', uid, username: 'Learner One', fullname: 'Ada Lovelace' }, forums: [] })
  t.equal(nodebb.calls.at(-1)?.path, '/api/v3/plugins/sunbird/users/learner.1%40org', 'the identifier is percent-encoded in the path')
  t.equal(nodebb.calls.at(-1)?.uid, String(nodebb.admin), '`_uid` in the query string for GET')
})

t.test('user read lists the forums the user reaches', async (t) => {
  const { send } = await appWithStandIn(t)
  await send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'u-1', username: 'learner1' } } })
  const forum = await send({ method: 'POST', url: '/api/forum/v1/create', payload: { request: { name: 'Batch', context: { type: 'batch', identifier: 'b1' }, groups: [{ permissions: ['topic'], members: ['u-1'] }] } } })
  t.equal(forum.status, 200, forum.raw)
  const read = await send({ method: 'GET', url: '/api/user/v1/read/u-1' })
  t.same(read.body.result.forums, [{ identifier: forum.body.result.identifier, name: 'Batch', context: { type: 'batch', identifier: 'b1' }, permissions: ['read', 'vote', 'post', 'topic'] }])
})

t.test('the plugin\'s refusals keep their code', async (t) => {
  const { send, reached, reset } = await appWithStandIn(t)
  await send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'u-1', username: 'learner1' } } })
  reset()

  const exists = await send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'u-1', username: 'another' } } })
  t.equal(exists.status, 409)
  t.equal(exists.body.params.err, 'USER_EXISTS')
  t.equal(exists.body.responseCode, 'CLIENT_ERROR')
  t.match(exists.body.params.errmsg, /u-1/)

  const taken = await send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'u-2', username: 'learner1' } } })
  t.equal(taken.status, 409)
  t.equal(taken.body.params.err, 'USERNAME_TAKEN')

  const refused = await send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'u-3', username: 'x' } } })
  t.equal(refused.status, 400)
  t.equal(refused.body.params.err, 'INVALID_REQUEST')
  t.match(refused.body.params.errmsg, /NodeBB refused the username: username-too-short/, 'NodeBB\'s reason is given')

  const missing = await send({ method: 'GET', url: '/api/user/v1/read/nobody' })
  t.equal(missing.status, 404)
  t.equal(missing.body.params.err, 'USER_NOT_FOUND')
  t.equal(missing.body.responseCode, 'RESOURCE_NOT_FOUND')
  t.equal(missing.body.id, 'api.discussions.user.read')
  t.equal(reached(), 4, 'each reached NodeBB once (no retries of a refusal)')
})

t.test('hostile but valid strings round-trip unchanged', async (t) => {
  const { send } = await appWithStandIn(t)
  const fullname = '<script>alert("x")</script> \u202Eevil\u202C Robert\'); DROP TABLE users;-- 𝔘𝔫𝔦𝔠𝔬𝔡𝔢'
  const created = await send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'h-1', username: 'hostile', fullname } } })
  t.equal(created.status, 200, created.raw)
  const read = await send({ method: 'GET', url: '/api/user/v1/read/h-1' })
  t.equal((read.body.result.user as { fullname: string }).fullname, fullname)
})
