import t from 'tap'
import { harness, pluginPaths } from './helper'
import { emailLocalPart } from '../../plugin/user-service'

const P = pluginPaths

t.test('create maps the Sunbird id both ways, with a confirmed synthetic email', async (t) => {
  const h = harness()
  const res = await h.call('post', P.users, h.admin, { body: { identifier: 'sb-1', username: 'Learner One', fullname: ' A Learner ' } })
  t.equal(res.identifier, 'sb-1')
  t.equal(res.username, 'Learner One')
  t.ok(res.uid > 0)
  t.equal(await h.fake.db.getObjectField('sunbird:uid-by-sunbird-id', 'sb-1'), String(res.uid))
  t.equal(await h.fake.db.getObjectField('sunbird:sunbird-id-by-uid', String(res.uid)), 'sb-1')
  t.equal(await h.fake.db.getObjectField(`user:${res.uid}`, 'email'), 'learner-one@sunbird.invalid')
  t.equal(await h.fake.db.getObjectField(`user:${res.uid}`, 'email:confirmed'), '1')
  t.equal(await h.fake.db.getObjectField(`user:${res.uid}`, 'fullname'), 'A Learner')
  h.fake.settings.emailDomain = 'learn.example.org'
  const two = await h.call('post', P.users, h.admin, { body: { identifier: 'sb-2', username: 'second' } })
  t.equal(await h.fake.db.getObjectField(`user:${two.uid}`, 'email'), 'second@learn.example.org', 'the setting is read on each create')
})

t.test('create refuses, writing nothing', async (t) => {
  const h = harness()
  await h.user('sb-1', 'taken')
  h.fake.addUser('NodebbOnly')
  const before = h.fake.dump()
  const cases: Array<[string, unknown, string]> = [
    ['mapped id', { identifier: 'sb-1', username: 'other' }, 'USER_EXISTS'],
    ['username taken', { identifier: 'sb-2', username: 'taken' }, 'USERNAME_TAKEN'],
    ['NodeBB user, other case', { identifier: 'sb-2', username: 'nodebbonly' }, 'USERNAME_TAKEN'],
    ['too short for NodeBB', { identifier: 'sb-2', username: 'x' }, 'INVALID_REQUEST'],
    ['too long for NodeBB', { identifier: 'sb-2', username: 'x'.repeat(17) }, 'INVALID_REQUEST'],
    ['characters NodeBB refuses', { identifier: 'sb-2', username: 'a<b>c' }, 'INVALID_REQUEST'],
    ['missing username', { identifier: 'sb-2' }, 'INVALID_REQUEST'],
    ['id with a space', { identifier: 'a b', username: 'abc' }, 'INVALID_REQUEST'],
    ['id ending in a colon part that is empty', { identifier: ':', username: 'abc' }, 'INVALID_REQUEST'],
    ['unknown field', { identifier: 'sb-2', username: 'abc', admin: true }, 'INVALID_REQUEST']
  ]
  for (const [why, body, code] of cases) t.equal((await h.fail('post', P.users, h.admin, { body })).code, code, why)
  const err = await h.fail('post', P.users, h.admin, { body: { identifier: 'sb-2', username: 'x' } })
  t.match(err.message, /username-too-short/, 'NodeBB\'s reason is given')
  t.equal(h.fake.dump(), before)
})

t.test('read: the forums a user reaches, directly or through groups, with levels', async (t) => {
  const h = harness()
  await h.user('sb-1', 'learner')
  await h.user('sb-2', 'other')
  const ctx = { type: 'batch', identifier: 'b' }
  const a = await h.call('post', P.forums, h.admin, { body: { name: 'A', context: ctx, privileges: [{ permissions: ['vote'], users: ['sb-1'] }] } })
  const b = await h.call('post', P.forums, h.admin, { body: { name: 'B', context: ctx, groups: [{ permissions: ['topic'], members: ['sb-1'] }] } })
  await h.call('post', P.forums, h.admin, { body: { name: 'C', context: ctx, privileges: [{ permissions: ['moderate'], users: ['sb-2'] }] } })
  const res = await h.call('get', P.user, h.admin, { params: { identifier: 'sb-1' } })
  t.same(res.user, { identifier: 'sb-1', uid: res.user.uid, username: 'learner', fullname: null })
  t.same(res.forums.map((f: any) => [f.identifier, f.name, f.permissions]), [
    [a.identifier, 'A', ['read', 'vote']],
    [b.identifier, 'B', ['read', 'vote', 'post', 'topic']]
  ])
  t.equal((await h.fail('get', P.user, h.admin, { params: { identifier: 'nobody' } })).code, 'USER_NOT_FOUND')
  t.equal((await h.fail('get', P.user, h.admin, { params: { identifier: '../etc' } })).code, 'INVALID_REQUEST')
})

t.test('email local part is mail-safe', async (t) => {
  t.equal(emailLocalPart('Learner One'), 'learner-one')
  t.equal(emailLocalPart('..weird..name..'), 'weird.name')
  t.equal(emailLocalPart('***'), 'user')
  t.equal(emailLocalPart('ज्ञान'), 'user')
  t.equal(emailLocalPart('x'.repeat(100)).length, 64)
})

t.test('Sunbird SSO users (nodebb-plugin-sunbird-oidc\'s map) are found, never taken for strangers', async (t) => {
  const h = harness()
  const subject = 'f:5a8a3f2b-3409-42e0-9001-f913bc0fde31:2c0e5bd4-a2d7-4b43-9bc6-2bbd8fa2d8e5'
  const sso = h.fake.addSsoUser('ssolearner', subject)
  const byId = h.fake.addSsoUser('ssoother', 'sb-sso-2')
  const before = h.fake.dump()
  const exists = await h.fail('post', P.users, h.admin, { body: { identifier: subject, username: 'ssolearner' } })
  t.match(exists, { code: 'USER_EXISTS', details: { identifier: subject, uid: sso } }, 'create: USER_EXISTS naming the user, not USERNAME_TAKEN')
  t.equal((await h.fail('post', P.users, h.admin, { body: { identifier: 'sb-sso-2', username: 'someone' } })).code, 'USER_EXISTS')
  t.equal(h.fake.dump(), before, 'nothing written')
  t.same(await h.call('get', P.userUid, h.admin, { params: { identifier: subject } }), { identifier: subject, uid: sso }, 'the acting-user lookup finds the subject')
  t.same(await h.call('get', P.userUid, h.admin, { params: { identifier: `f:realm:${'sb-sso-2'}` } }), { identifier: 'sb-sso-2', uid: byId }, 'a subject also matches a user mapped under its last part')
  t.match(await h.call('get', P.user, h.admin, { params: { identifier: subject } }), { user: { identifier: subject, uid: sso, username: 'ssolearner' } })
  // named in a forum's privileges, and shown by Sunbird id
  const f = await h.call('post', P.forums, h.admin, { body: { name: 'F', context: { type: 'batch', identifier: 'b' }, privileges: [{ permissions: ['post'], users: [subject, 'sb-sso-2'] }] } })
  t.same(f.forum.users.map((u: any) => u.identifier).sort(), ['sb-sso-2', subject].sort())
})

t.test('a user created here is mapped for SSO too, and a failed mapping leaves nothing', async (t) => {
  const h = harness()
  const made = await h.call('post', P.users, h.admin, { body: { identifier: 'sb-new', username: 'newbie' } })
  t.equal(h.fake.db.hashes.get('sunbird-oidcId:uid')?.get('sb-new'), String(made.uid), 'SSO finds the user by its Sunbird id')
  t.equal(h.fake.db.hashes.get(`user:${made.uid as number}`)?.get('sunbird-oidcId'), 'sb-new', 'and the user field SSO keeps')
  await h.fake.deleteUser(made.uid)
  t.notOk(h.fake.db.hashes.get('sunbird-oidcId:uid')?.has('sb-new'), 'a deleted user leaves no SSO mapping behind')
  const before = h.fake.dump()
  // the SSO half of the mapping fails: the user and the plugin's half go too
  const writes = h.fake.writes
  h.fake.failAfterWrites(0)
  await h.fail('post', P.users, h.admin, { body: { identifier: 'sb-fail', username: 'failing' } })
  t.ok(h.fake.writes > writes)
  for (let k = 1; k < 6; k++) {
    h.fake.failAfterWrites(k)
    await h.call('post', P.users, h.admin, { body: { identifier: `sb-f${k}`, username: `fail${k}` } }).then(() => {}, () => {})
    const left = h.fake.db.hashes.get('sunbird-oidcId:uid')?.get(`sb-f${k}`)
    const own = h.fake.db.hashes.get('sunbird:uid-by-sunbird-id')?.get(`sb-f${k}`)
    t.ok((left === undefined) === (own === undefined), `failure at write ${k + 1}: both maps or neither`)
    if (left !== undefined) t.ok(h.fake.db.hashes.has(`user:${left}`), 'a mapping only for a user that exists')
  }
  t.ok(before.length > 0)
})

t.test('ensure: the user a subject names, or one created on first use from the wished name', async (t) => {
  const h = harness()
  const first = await h.call('put', P.user, h.admin, { params: { identifier: 'f:realm-1:sb-9' }, body: { username: 'Ravi Kumar' } })
  t.same({ identifier: first.identifier, created: first.created }, { identifier: 'sb-9', created: true }, 'mapped under the subject\'s last part')
  t.equal(await h.fake.db.getObjectField(`user:${first.uid}`, 'username'), 'Ravi-Kumar', 'made valid for NodeBB')
  t.equal(await h.fake.db.getObjectField(`user:${first.uid}`, 'email:confirmed'), '1', 'a verified Sunbird user, as user create makes')
  const again = await h.call('put', P.user, h.admin, { params: { identifier: 'sb-9' }, body: { username: 'someone else' } })
  t.same(again, { identifier: 'sb-9', uid: first.uid, created: false }, 'found by either form, not created twice')
  const other = await h.call('put', P.user, h.admin, { params: { identifier: 'sb-10' }, body: { username: 'Ravi Kumar' } })
  t.not(other.uid, first.uid)
  t.match(await h.fake.db.getObjectField(`user:${other.uid}`, 'username'), /^Ravi-Kuma-[0-9a-f]{6}$/, 'a taken name gets a suffix')
  const odd = await h.call('put', P.user, h.admin, { params: { identifier: 'sb-11' }, body: { username: '<>' } })
  t.match(await h.fake.db.getObjectField(`user:${odd.uid}`, 'username'), /^user-[0-9a-f]{6}$/, 'nothing usable in the wish: a made-up name')
  const long = await h.call('put', P.user, h.admin, { params: { identifier: 'sb-12' }, body: { username: 'a'.repeat(200) } })
  t.equal(await h.fake.db.getObjectField(`user:${long.uid}`, 'username'), 'a'.repeat(16))
})

t.test('ensure is idempotent under concurrency: one user however many first calls race', async (t) => {
  const h = harness()
  const results = await Promise.all(Array.from({ length: 8 }, async () => await h.call('put', P.user, h.admin, { params: { identifier: 'sb-race' }, body: { username: 'racer' } })))
  t.equal(new Set(results.map((r) => r.uid)).size, 1, 'one uid')
  t.equal(results.filter((r) => r.created === true).length, 1, 'created once')
  t.equal(await h.fake.db.getObjectField('sunbird:uid-by-sunbird-id', 'sb-race'), String(results[0]?.uid))
})

t.test('ensure refuses bad input, writing nothing', async (t) => {
  const h = harness()
  const before = h.fake.dump()
  const cases: Array<[string, Record<string, string>, unknown]> = [
    ['no username', { identifier: 'sb-1' }, {}],
    ['username not a string', { identifier: 'sb-1' }, { username: 7 }],
    ['control characters', { identifier: 'sb-1' }, { username: 'a\u0000b' }],
    ['unknown field', { identifier: 'sb-1' }, { username: 'abc', admin: true }],
    ['bad identifier', { identifier: 'a b' }, { username: 'abc' }]
  ]
  for (const [why, params, body] of cases) t.equal((await h.fail('put', P.user, h.admin, { params, body })).code, 'INVALID_REQUEST', why)
  t.equal(h.fake.dump(), before)
})
