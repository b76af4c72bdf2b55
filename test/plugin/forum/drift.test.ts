import t from 'tap'
import { harness, pluginPaths } from '../helper'
import { forumDrift } from '../../../plugin/forum/drift'
import { memberKey, parseMemberKey } from '../../../plugin/forum/member-key'
import { privilegesForLevel } from '../../../shared/permission-ladder'

const ctx = { type: 'batch', identifier: 'b' }
const P = pluginPaths

t.test('drift: a manual edit in NodeBB is found, shown and repaired', async (t) => {
  const h = harness()
  const learner = await h.user('sb-1')
  const f = await h.call('post', P.forums, h.admin, {
    body: { name: 'A', context: ctx, groups: [{ permissions: ['topic'] }], privileges: [{ permissions: ['post'], users: ['sb-1'] }] }
  })
  const cid = Number(f.identifier)
  const group = f.forum.groups[0]!.identifier
  t.same(await h.call('get', P.drift, h.admin), { forums: [], count: 0 }, 'a fresh forum has no drift')
  const clean = h.fake.dump()

  // an admin gives the learner moderate and takes topic creation from the group, in NodeBB's privileges page
  await h.fake.givePrivileges(cid, ['moderate', 'purge'], [learner])
  await h.fake.rescindPrivileges(cid, ['groups:topics:create'], [group])
  const report = await h.call('get', P.drift, h.admin)
  t.equal(report.count, 1)
  t.equal(report.forums[0]!.identifier, f.identifier)
  t.same(report.forums[0]!.members, [
    { key: `g:${group}`, recorded: 'topic', actual: { permissions: ['read', 'vote', 'post'], extra: ['topics:tag', 'topics:delete'] }, missing: ['topics:create'], extra: [] },
    { key: `u:${learner}`, recorded: 'post', actual: { permissions: ['read', 'vote', 'post'], extra: ['purge', 'moderate'] }, missing: [], extra: ['purge', 'moderate'] }
  ])

  const repaired = await h.call('post', P.repair, h.admin, { params: { forumId: f.identifier } })
  t.equal(repaired.repaired, 2)
  t.same(repaired.forum.users, [{ identifier: 'sb-1', permissions: ['read', 'vote', 'post'], applyToChildren: false }])
  t.same(await h.call('get', P.drift, h.admin), { forums: [], count: 0 })
  t.equal(h.fake.dump().replace(/"updatedOn","\d+"/g, ''), clean.replace(/"updatedOn","\d+"/g, ''), 'NodeBB is back where the plugin left it')
  const again = await h.call('post', P.repair, h.admin, { params: { forumId: f.identifier } })
  t.equal(again.repaired, 0, 'repairing a clean forum changes nothing')
  t.equal((await h.fail('post', P.repair, h.admin, { params: { forumId: '999' } })).code, 'FORUM_NOT_FOUND')
})

t.test('drift: a forum made before the topic level included topics:delete is found, and repair grants it', async (t) => {
  const h = harness()
  const learner = await h.user('sb-1')
  const f = await h.call('post', P.forums, h.admin, { body: { name: 'Old', context: ctx, groups: [{ permissions: ['topic'] }], privileges: [{ permissions: ['topic'], users: ['sb-1'] }] } })
  const cid = Number(f.identifier)
  const group = f.forum.groups[0]!.identifier
  // what the plugin granted for `topic` before: no topics:delete
  await h.fake.rescindPrivileges(cid, ['topics:delete'], [learner])
  await h.fake.rescindPrivileges(cid, ['groups:topics:delete'], [group])
  const report = await h.call('get', P.drift, h.admin)
  t.same(report.forums[0]!.members.map((m: { key: string, missing: string[] }) => [m.key, m.missing]), [[`g:${group}`, ['topics:delete']], [`u:${learner}`, ['topics:delete']]])
  t.equal((await h.call('post', P.repair, h.admin, { params: { forumId: f.identifier } })).repaired, 2)
  t.same(await h.call('get', P.drift, h.admin), { forums: [], count: 0 }, 'the upgrade is one repair per forum')
})

t.test('drift: unrecorded members are NodeBB\'s own; removed access is recorded as none', async (t) => {
  const h = harness()
  const learner = await h.user('sb-1')
  const f = await h.call('post', P.forums, h.admin, { body: { name: 'A', context: ctx, privileges: [{ permissions: ['read'], users: ['sb-1'] }] } })
  await h.call('patch', P.forum, h.admin, { params: { forumId: f.identifier }, body: { privileges: [{ permissions: null, users: ['sb-1'] }] } })
  const other = h.fake.addUser('nodebb-only')
  await h.fake.givePrivileges(Number(f.identifier), privilegesForLevel('read'), [other])
  t.same(await h.call('get', P.drift, h.admin), { forums: [], count: 0 })
  t.same(forumDrift({}, { users: new Map([[learner, new Set(['read'])]]), groups: new Map() }), [])
})

t.test('member keys: what the executor writes, drift and repair read back; other keys are not members', async (t) => {
  for (const member of [{ uid: 7 }, { groupName: 'sb-12-ab' }, { groupName: 'name:with:colons' }]) {
    t.same(parseMemberKey(memberKey(member)), member, memberKey(member))
  }
  for (const bad of ['', 'u:', 'u:0', 'u:-3', 'u:1.5', 'u:abc', 'g:', 'x:7', '7']) t.equal(parseMemberKey(bad), null, JSON.stringify(bad))
  const holders = { users: new Map([[7, new Set(privilegesForLevel('read'))]]), groups: new Map<string, Set<string>>() }
  const drift = forumDrift({ 'u:7': 'post', 'x:7': 'post', 'u:abc': 'moderate' }, holders)
  t.same(drift.map((d) => d.key), ['u:7'], 'a key the plugin never writes is skipped, not read as a group')
})
