import t from 'tap'
import { harness, pluginPaths } from '../helper'
import { privilegesForLevel } from '../../../shared/permission-ladder'

const ctx = { type: 'batch', identifier: 'b-1' }
const P = pluginPaths

async function seeded () {
  const h = harness()
  const learner = await h.user('learner-1')
  const learner2 = await h.user('learner-2')
  const mentor = await h.user('mentor-1')
  return { h, learner, learner2, mentor }
}

/** Ladder privileges a user or group holds on a category, read the way NodeBB stores them. */
function held (h: ReturnType<typeof harness>, cid: string | number, member: string | number, kind: 'user' | 'group' = 'user'): string[] {
  return privilegesForLevel('moderate').filter((p) => h.fake.db.zsets.get(`group:cid:${cid}:privileges:${kind === 'group' ? 'groups:' : ''}${p}:members`)?.has(String(member)) === true)
}

t.test('create: groups, privileges, nested children; private by default', async (t) => {
  const { h, learner, mentor } = await seeded()
  const res = await h.call('post', P.forums, h.admin, {
    body: {
      name: '  Batch 1  ',
      context: ctx,
      groups: [{ permissions: ['post'], members: ['learner-1'], applyToChildren: 'true' }],
      privileges: [{ permissions: ['moderate'], users: ['mentor-1'] }],
      children: [{ name: 'Week 1', children: [{ name: 'Day 1' }] }]
    }
  })
  const forum = res.forum
  t.equal(res.identifier, forum.identifier)
  t.equal(forum.name, 'Batch 1', 'name trimmed')
  t.same(forum.context, ctx)
  t.equal(forum.parent, null)
  t.equal(forum.public, false)
  t.equal(forum.url, `http://nodebb.test/category/${forum.identifier}`)
  t.equal(forum.groups.length, 1)
  const group = forum.groups[0]!
  t.match(group.identifier, new RegExp(`^${forum.identifier}-`), 'auto group named <forumId>-<random>')
  t.same(group.permissions, ['read', 'vote', 'post'])
  t.equal(group.memberCount, 1)
  t.equal(group.auto, true)
  t.same(forum.users, [{ identifier: 'mentor-1', permissions: ['read', 'vote', 'post', 'topic', 'moderate'], applyToChildren: false }])
  // applyToChildren on the group reaches the child and the grandchild; the mentor's entry did not ask for it
  const week = forum.children[0]!
  const day = week.children[0]!
  t.equal(week.parent, forum.identifier)
  t.equal(day.parent, week.identifier)
  t.same(week.groups.map((g: any) => [g.identifier, g.permissions]), [[group.identifier, ['read', 'vote', 'post']]])
  t.same(day.groups.map((g: any) => g.permissions), [['read', 'vote', 'post']])
  t.same(week.users, [])
  // NodeBB state itself
  t.same(held(h, forum.identifier, group.identifier, 'group'), privilegesForLevel('post'))
  t.same(held(h, forum.identifier, mentor), privilegesForLevel('moderate'))
  t.same(held(h, forum.identifier, learner), [], 'the learner holds access through the group only')
  t.same(held(h, forum.identifier, 'registered-users', 'group'), [], 'private: no grant to registered-users')
  t.same(held(h, forum.identifier, 'guests', 'group'), [])
  t.equal(await h.fake.db.isSortedSetMember(`group:${group.identifier}:members`, String(learner)), true)
})

t.test('create public: NodeBB defaults stay', async (t) => {
  const { h } = await seeded()
  const res = await h.call('post', P.forums, h.admin, { body: { name: 'Open', context: ctx, public: true } })
  t.equal(res.forum.public, true)
  t.ok(held(h, res.identifier, 'registered-users', 'group').includes('read'))
  t.ok(res.forum.groups.some((g: any) => g.identifier === 'registered-users' && g.permissions.includes('topic')))
})

t.test('privileges: last entry wins, own entries override inherited ones', async (t) => {
  const { h, learner } = await seeded()
  const res = await h.call('post', P.forums, h.admin, {
    body: {
      name: 'F',
      context: ctx,
      privileges: [
        { permissions: ['topic'], users: ['learner-1'], applyToChildren: true },
        { permissions: ['read'], users: ['learner-1'] }
      ],
      children: [{ name: 'C', privileges: [{ permissions: ['vote'], users: ['learner-1'] }] }, { name: 'D' }]
    }
  })
  t.same(held(h, res.identifier, learner), privilegesForLevel('read'))
  t.same(held(h, res.forum.children[0]!.identifier, learner), privilegesForLevel('vote'))
  t.same(held(h, res.forum.children[1]!.identifier, learner), privilegesForLevel('topic'))
})

t.test('fetch by context lists the context\'s forums with nested children', async (t) => {
  const { h } = await seeded()
  const a = await h.call('post', P.forums, h.admin, { body: { name: 'A', context: ctx, children: [{ name: 'A1' }] } })
  const b = await h.call('post', P.forums, h.admin, { body: { name: 'B', context: ctx } })
  // a forum created under A in the same context shows once, nested under A
  const a2 = await h.call('post', P.forums, h.admin, { body: { name: 'A2', context: ctx, parent: a.identifier } })
  await h.call('post', P.forums, h.admin, { body: { name: 'Other', context: { type: 'batch', identifier: 'b-2' } } })
  const res = await h.call('get', P.contextForums, h.admin, { params: ctx })
  t.equal(res.count, 2)
  t.same(res.forums.map((f: any) => f.identifier), [a.identifier, b.identifier])
  t.same(res.forums[0]!.children.map((c: any) => c.name), ['A1', 'A2'])
  t.equal(res.forums[0]!.children[1]!.identifier, a2.identifier)
  const none = await h.call('get', P.contextForums, h.admin, { params: { type: 'group', identifier: 'nobody' } })
  t.same(none, { forums: [], count: 0 })
})

t.test('validation happens before any write', async (t) => {
  const { h } = await seeded()
  h.fake.addGroup('Mentors')
  const before = h.fake.dump()
  const cases: Array<[string, unknown, string]> = [
    ['unknown user', { name: 'F', context: ctx, privileges: [{ permissions: ['read'], users: ['ghost'] }] }, 'USER_NOT_FOUND'],
    ['unknown member', { name: 'F', context: ctx, groups: [{ permissions: ['read'], members: ['learner-1', 'ghost2'] }] }, 'USER_NOT_FOUND'],
    ['unknown user in a grandchild', { name: 'F', context: ctx, children: [{ name: 'C', children: [{ name: 'G', privileges: [{ permissions: ['read'], users: ['ghost'] }] }] }] }, 'USER_NOT_FOUND'],
    ['unknown group', { name: 'F', context: ctx, privileges: [{ permissions: ['read'], groups: ['Nobody'] }] }, 'GROUP_NOT_FOUND'],
    ['system group', { name: 'F', context: ctx, privileges: [{ permissions: ['read'], groups: ['administrators'] }] }, 'FORBIDDEN'],
    ['registered-users', { name: 'F', context: ctx, privileges: [{ permissions: ['topic'], groups: ['registered-users'] }] }, 'FORBIDDEN'],
    ['a NodeBB group no administrator allowed', { name: 'F', context: ctx, privileges: [{ permissions: ['read'], groups: ['Mentors'] }] }, 'FORBIDDEN'],
    ['privilege group', { name: 'F', context: ctx, privileges: [{ permissions: ['read'], groups: ['cid1privilegesread'] }] }, 'GROUP_NOT_FOUND'],
    ['unknown parent', { name: 'F', context: ctx, parent: '999' }, 'PARENT_NOT_FOUND'],
    ['unknown permission', { name: 'F', context: ctx, groups: [{ permissions: ['admin'] }] }, 'INVALID_REQUEST'],
    ['unknown permission in a child', { name: 'F', context: ctx, children: [{ name: 'C', privileges: [{ permissions: ['superuser'], users: ['learner-1'] }] }] }, 'INVALID_REQUEST'],
    ['unknown field', { name: 'F', context: ctx, owner: 'x' }, 'INVALID_REQUEST'],
    ['missing context', { name: 'F' }, 'INVALID_REQUEST'],
    ['blank name', { name: '  ', context: ctx }, 'INVALID_REQUEST'],
    ['10 kB name', { name: 'x'.repeat(10240), context: ctx }, 'INVALID_REQUEST'],
    ['not an object', 'name=F', 'INVALID_REQUEST'],
    ['null', null, 'INVALID_REQUEST']
  ]
  for (const [why, body, code] of cases) {
    const err = await h.fail('post', P.forums, h.admin, { body })
    t.equal(err.code, code, why)
  }
  t.equal(h.fake.dump(), before, 'nothing was written')
  // a category that is not a Sunbird forum is not a parent either
  const cid = await h.fake.createCategory({ name: 'plain', description: '', parentCid: 0, isPrivate: false })
  const after = h.fake.dump()
  t.equal((await h.fail('post', P.forums, h.admin, { body: { name: 'F', context: ctx, parent: String(cid) } })).code, 'PARENT_NOT_FOUND')
  t.equal(h.fake.dump(), after)
})

t.test('unknown permission names are named in the message', async (t) => {
  const { h } = await seeded()
  const err = await h.fail('post', P.forums, h.admin, { body: { name: 'F', context: ctx, groups: [{ permissions: ['read', 'owner'] }] } })
  t.match(err.message, /"owner"/)
})

t.test('create under a parent needs moderate on the parent', async (t) => {
  const { h, learner, mentor } = await seeded()
  const parent = await h.call('post', P.forums, h.admin, {
    body: { name: 'P', context: ctx, privileges: [{ permissions: ['moderate'], users: ['mentor-1'] }, { permissions: ['topic'], users: ['learner-1'] }] }
  })
  const before = h.fake.dump()
  t.equal((await h.fail('post', P.forums, learner, { body: { name: 'C', context: ctx, parent: parent.identifier } })).code, 'FORBIDDEN')
  t.equal(h.fake.dump(), before)
  const child = await h.call('post', P.forums, mentor, { body: { name: 'C', context: ctx, parent: parent.identifier } })
  t.equal(child.forum.parent, parent.identifier)
})

t.test('update: rename, declarative levels, null removes, members replace, new children, applyToChildren', async (t) => {
  const { h, learner, learner2, mentor } = await seeded()
  const created = await h.call('post', P.forums, h.admin, {
    body: {
      name: 'F',
      context: ctx,
      groups: [{ permissions: ['topic'], members: ['learner-1'] }],
      privileges: [{ permissions: ['moderate'], users: ['mentor-1'] }, { permissions: ['moderate'], users: ['learner-2'], applyToChildren: true }],
      children: [{ name: 'C', children: [{ name: 'G' }] }]
    }
  })
  const id = created.identifier
  const group = created.forum.groups[0]!.identifier
  const child = created.forum.children[0]!
  const grandchild = child.children[0]!
  const res = await h.call('patch', P.forum, mentor, {
    params: { forumId: id },
    body: {
      name: 'F renamed',
      groups: [{ identifier: group, permissions: ['read'], members: ['learner-2'] }, { permissions: ['vote'] }],
      privileges: [{ permissions: ['post'], users: ['learner-2'], applyToChildren: 'true' }, { permissions: null, users: ['learner-1'] }],
      children: [{ name: 'New child' }]
    }
  })
  const f = res.forum
  t.equal(f.name, 'F renamed')
  t.same(held(h, id, group, 'group'), privilegesForLevel('read'), 'moving down rescinds the privileges above')
  t.equal(await h.fake.db.isSortedSetMember(`group:${group}:members`, String(learner)), false, 'members replaced')
  t.equal(await h.fake.db.isSortedSetMember(`group:${group}:members`, String(learner2)), true)
  t.equal(f.groups.length, 2, 'a new auto group was added')
  t.same(held(h, id, learner2), privilegesForLevel('post'))
  t.same(held(h, grandchild.identifier, learner2), privilegesForLevel('post'), 'applyToChildren reaches grandchildren')
  t.same(held(h, id, learner), [])
  t.same(held(h, id, mentor), privilegesForLevel('moderate'), 'members not named are left alone')
  t.equal(f.children.length, 2)
  const added = f.children.find((c: any) => c.name === 'New child')!
  t.same(held(h, added.identifier, learner2), privilegesForLevel('post'), 'new children get applyToChildren entries too')
  t.ok(f.updatedOn >= created.forum.updatedOn)
  // null removes access entirely
  await h.call('patch', P.forum, mentor, { params: { forumId: id }, body: { privileges: [{ permissions: null, users: ['learner-2'], applyToChildren: true }] } })
  t.same(held(h, id, learner2), [])
  t.same(held(h, grandchild.identifier, learner2), [])
})

t.test('update access: moderate may, post may not; others\' groups are not found', async (t) => {
  const { h, learner } = await seeded()
  const other = await h.call('post', P.forums, h.admin, { body: { name: 'B', context: ctx, groups: [{ permissions: ['read'] }] } })
  const f = await h.call('post', P.forums, h.admin, { body: { name: 'A', context: ctx, privileges: [{ permissions: ['post'], users: ['learner-1'] }] } })
  const before = h.fake.dump()
  t.equal((await h.fail('patch', P.forum, learner, { params: { forumId: f.identifier }, body: { name: 'hijack' } })).code, 'FORBIDDEN')
  t.equal((await h.fail('patch', P.forum, h.admin, { params: { forumId: f.identifier }, body: { groups: [{ identifier: other.forum.groups[0]!.identifier, permissions: ['moderate'] }] } })).code, 'GROUP_NOT_FOUND')
  t.equal((await h.fail('patch', P.forum, h.admin, { params: { forumId: '999' }, body: { name: 'x' } })).code, 'FORUM_NOT_FOUND')
  t.equal((await h.fail('patch', P.forum, h.admin, { params: { forumId: 'abc' }, body: { name: 'x' } })).code, 'INVALID_REQUEST')
  t.equal((await h.fail('patch', P.forum, h.admin, { params: { forumId: f.identifier }, body: {} })).code, 'INVALID_REQUEST')
  t.equal((await h.fail('patch', P.forum, h.admin, { params: { forumId: f.identifier }, body: { groups: [{ members: ['learner-1'] }] } })).code, 'INVALID_REQUEST', 'a new group needs permissions')
  t.equal((await h.fail('patch', P.forum, h.admin, { params: { forumId: f.identifier }, body: { privileges: [{ permissions: ['read'], groups: ['Global Moderators'] }] } })).code, 'FORBIDDEN')
  t.equal(h.fake.dump(), before, 'nothing was written')
})

t.test('read reflects NodeBB\'s actual state, drift included', async (t) => {
  const { h, learner } = await seeded()
  const f = await h.call('post', P.forums, h.admin, { body: { name: 'A', context: ctx, privileges: [{ permissions: ['read'], users: ['learner-1'] }] } })
  // an admin edits privileges in NodeBB's own privileges page
  await h.fake.givePrivileges(Number(f.identifier), ['topics:create', 'posts:upvote', 'posts:downvote'], [learner])
  const res = await h.call('get', P.forum, h.admin, { params: { forumId: f.identifier } })
  t.same(res.forums[0]!.users, [{ identifier: 'learner-1', permissions: ['read', 'vote'], applyToChildren: false, extra: ['topics:create'] }])
  t.equal((await h.fail('get', P.forum, h.admin, { params: { forumId: '404' } })).code, 'FORUM_NOT_FOUND')
})

t.test('delete purges the forum, its descendants, auto groups and index entries', async (t) => {
  const { h, learner, mentor } = await seeded()
  const before = h.fake.dump()
  const f = await h.call('post', P.forums, h.admin, {
    body: { name: 'A', context: ctx, groups: [{ permissions: ['post'], members: ['learner-1'], applyToChildren: true }], privileges: [{ permissions: ['moderate'], users: ['mentor-1'] }, { permissions: ['post'], users: ['learner-1'] }], children: [{ name: 'C', groups: [{ permissions: ['read'] }], children: [{ name: 'G' }] }] }
  })
  t.equal((await h.fail('delete', P.forum, learner, { params: { forumId: f.identifier } })).code, 'FORBIDDEN')
  const res = await h.call('delete', P.forum, mentor, { params: { forumId: f.identifier } })
  t.equal(res.identifier, f.identifier)
  t.equal(res.deleted.length, 3)
  t.equal(res.groupsRemoved.length, 2)
  t.equal(h.fake.dump(), before, 'no category, group, privilege or index entry is left')
  t.same(await h.call('get', P.contextForums, h.admin, { params: ctx }), { forums: [], count: 0 })
  t.equal((await h.fail('delete', P.forum, h.admin, { params: { forumId: f.identifier } })).code, 'FORUM_NOT_FOUND')
})

t.test('cleanup: NodeBB-side deletes leave no dangling ids', async (t) => {
  const { h, learner } = await seeded()
  const f = await h.call('post', P.forums, h.admin, { body: { name: 'A', context: ctx, groups: [{ permissions: ['read'] }], privileges: [{ permissions: ['read'], users: ['learner-1'] }], children: [{ name: 'C' }] } })
  const child = f.forum.children[0]!.identifier
  // a group destroyed in the ACP
  await h.fake.destroyGroups([f.forum.groups[0]!.identifier])
  let res = await h.call('get', P.forum, h.admin, { params: { forumId: f.identifier } })
  t.same(res.forums[0]!.groups, [])
  // a user deleted in the ACP
  await h.fake.deleteUser(learner)
  res = await h.call('get', P.forum, h.admin, { params: { forumId: f.identifier } })
  t.same(res.forums[0]!.users, [])
  t.equal((await h.fail('get', P.user, h.admin, { params: { identifier: 'learner-1' } })).code, 'USER_NOT_FOUND')
  // the parent category purged in the ACP: the child becomes a root of the context
  await h.fake.purgeCategory(Number(f.identifier), h.admin)
  const fetched = await h.call('get', P.contextForums, h.admin, { params: ctx })
  t.same(fetched.forums.map((x: any) => [x.identifier, x.parent]), [[child, null]])
  t.equal((await h.fail('get', P.forum, h.admin, { params: { forumId: f.identifier } })).code, 'FORUM_NOT_FOUND')
})

t.test('the defaultPublic setting decides when a request does not', async (t) => {
  const { h } = await seeded()
  h.fake.settings.defaultPublic = true
  const open = await h.call('post', P.forums, h.admin, { body: { name: 'Open', context: ctx } })
  t.equal(open.forum.public, true)
  const closed = await h.call('post', P.forums, h.admin, { body: { name: 'Closed', context: ctx, public: false } })
  t.equal(closed.forum.public, false)
  t.same(held(h, closed.identifier, 'registered-users', 'group'), [])
})
