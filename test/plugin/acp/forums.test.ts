import t from 'tap'
import { pluginPaths } from '../../../plugin/routes'
import { acpHarness } from './harness'

const P = pluginPaths

async function seeded () {
  const h = acpHarness()
  const learner = await h.user('learner-1')
  await h.user('mentor-1')
  const batch = await h.call('post', P.forums, h.admin, {
    body: {
      name: 'Physics Batch',
      context: { type: 'batch', identifier: 'b-1' },
      groups: [{ permissions: ['post'], members: ['learner-1'] }],
      privileges: [{ permissions: ['moderate'], users: ['mentor-1'] }],
      children: [{ name: 'Week 1' }]
    }
  })
  const org = await h.call('post', P.forums, h.admin, { body: { name: 'Chemistry Org', context: { type: 'organisation', identifier: 'o-1' } } })
  return { h, learner, batch, org }
}

t.test('search by context: the context index', async (t) => {
  const { h, batch } = await seeded()
  const found = await h.query('get', P.search, { type: 'batch', identifier: 'b-1' })
  t.same(found, {
    hits: [{ identifier: batch.identifier, name: 'Physics Batch', context: { type: 'batch', identifier: 'b-1' }, parent: null, url: `http://nodebb.test/category/${batch.identifier}` }],
    count: 1,
    truncated: false
  })
  t.same(await h.query('get', P.search, { type: 'batch', identifier: 'nope' }), { hits: [], count: 0, truncated: false })
})

t.test('search by name: case-insensitive, newest first, bounded by limit', async (t) => {
  const { h, batch, org } = await seeded()
  const week = batch.forum.children[0]!.identifier
  t.same((await h.query('get', P.search, { name: 'physics' })).hits.map((x: any) => x.identifier), [batch.identifier])
  const all = await h.query('get', P.search, { name: 'E' })
  t.same(all.hits.map((x: any) => x.identifier), [org.identifier, week])
  const one = await h.query('get', P.search, { name: 'e', limit: '1' })
  t.same(one.hits.map((x: any) => x.identifier), [org.identifier])
  t.equal(one.count, 2, 'count is every match, the hits stop at the limit')
  t.equal(one.hits[0].parent, null)
  t.equal((await h.query('get', P.search, { name: 'week' })).hits[0].parent, batch.identifier)
})

t.test('search: bad queries are INVALID_REQUEST', async (t) => {
  const h = acpHarness()
  for (const q of [{}, { type: 'batch' }, { name: 'x', type: 'batch', identifier: 'b' }, { type: 'bad type!', identifier: 'b' }, { name: ['a', 'b'] }, { name: 'x', limit: '0' }, { name: 'x', limit: 'many' }, { name: 'x', limit: '101' }, { name: 'x', limit: '1.5' }, { name: 'x'.repeat(201) }, { type: ['batch'], identifier: 'b' }]) {
    t.equal((await h.queryFail('get', P.search, q)).code, 'INVALID_REQUEST', JSON.stringify(q))
  }
})

t.test('the forum tree for the matrix: groups and users with levels and member counts', async (t) => {
  const { h, batch } = await seeded()
  const { forums } = await h.call('get', P.contextForums, h.admin, { params: { type: 'batch', identifier: 'b-1' } })
  const forum = forums[0]!
  t.equal(forum.identifier, batch.identifier)
  t.same(forum.groups.map((g: any) => [g.auto, g.permissions, g.memberCount]), [[true, ['read', 'vote', 'post'], 1]])
  t.same(forum.users, [{ identifier: 'mentor-1', permissions: ['read', 'vote', 'post', 'topic', 'moderate'], applyToChildren: false }])
  t.equal(forum.children[0]!.name, 'Week 1')
})

t.test('people for the matrix and drift labels: by uid and by Sunbird id', async (t) => {
  const { h, learner } = await seeded()
  const nodebbOnly = h.fake.addUser('plain')
  t.same(await h.query('get', P.people, { uids: `${learner},${nodebbOnly},999` }), {
    users: [
      { uid: learner, identifier: 'learner-1', username: 'learner1' },
      { uid: nodebbOnly, identifier: null, username: 'plain' },
      { uid: 999, identifier: null, username: null }
    ]
  })
  t.same(await h.query('get', P.people, { identifiers: 'learner-1,ghost' }), {
    users: [{ uid: learner, identifier: 'learner-1', username: 'learner1' }, { uid: null, identifier: 'ghost', username: null }]
  })
  t.equal((await h.queryFail('get', P.people, { uids: '1,x' })).code, 'INVALID_REQUEST')
  t.equal((await h.queryFail('get', P.people, { uids: Array.from({ length: 201 }, (_v, i) => i + 1).join(',') })).code, 'INVALID_REQUEST')
})

t.test('drift detection and repair, one forum and then all', async (t) => {
  const { h, learner, batch, org } = await seeded()
  const cid = Number(batch.identifier)
  const group = batch.forum.groups[0]!.identifier
  // an admin edits NodeBB's privileges page: the group loses posts:edit, the learner gets topics:create directly
  await h.fake.rescindPrivileges(cid, ['groups:posts:edit'], [group])
  await h.fake.givePrivileges(Number(org.identifier), ['find', 'read', 'topics:read', 'topics:create'], [learner])
  await h.call('patch', P.forum, h.admin, { params: { forumId: org.identifier }, body: { privileges: [{ permissions: ['read'], users: ['learner-1'] }] } })
  await h.fake.givePrivileges(Number(org.identifier), ['topics:create'], [learner])

  const report = await h.call('get', P.drift, h.admin)
  t.equal(report.count, 2)
  const byId = new Map(report.forums.map((f: any) => [f.identifier, f]))
  t.same((byId.get(batch.identifier) as any).members, [
    { key: `g:${group}`, recorded: 'post', actual: { permissions: ['read', 'vote'], extra: ['topics:reply', 'posts:delete'] }, missing: ['posts:edit'], extra: [] }
  ])
  t.same((byId.get(org.identifier) as any).members, [
    { key: `u:${learner}`, recorded: 'read', actual: { permissions: ['read'], extra: ['topics:create'] }, missing: [], extra: ['topics:create'] }
  ])

  t.equal((await h.call('post', P.repair, h.admin, { params: { forumId: batch.identifier } })).repaired, 1)
  t.same((await h.call('get', P.drift, h.admin)).forums.map((f: any) => f.identifier), [org.identifier], 'one repaired, one left')
  for (const f of (await h.call('get', P.drift, h.admin)).forums) await h.call('post', P.repair, h.admin, { params: { forumId: f.identifier } })
  t.same(await h.call('get', P.drift, h.admin), { forums: [], count: 0 }, 'repair all leaves no drift')
})
