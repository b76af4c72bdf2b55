import t from 'tap'
import { harness, pluginPaths } from '../helper'

/**
 * NodeBB-level calls a create makes must stay bounded by the shape of the request, not by the
 * number of members: members with the same level on one forum share one privileges call.
 */
t.test('forum create with 5 children x 3 groups x 10 users: calls bounded by forums and groups', async (t) => {
  const h = harness()
  const users: string[] = []
  for (let i = 0; i < 30; i++) { await h.user(`u-${i}`); users.push(`u-${i}`) }
  const groups = (o: number) => [0, 1, 2].map((g) => ({ permissions: [['read', 'post', 'topic'][g] as string], members: users.slice(((o + g) * 10) % 30, ((o + g) * 10) % 30 + 10) }))
  h.fake.calls.clear()
  await h.call('post', pluginPaths.forums, h.admin, {
    body: {
      name: 'bench',
      context: { type: 'batch', identifier: 'b' },
      groups: groups(0),
      privileges: [{ permissions: ['moderate'], users: users.slice(0, 2) }],
      children: [0, 1, 2, 3, 4].map((c) => ({ name: `child ${c}`, groups: groups(c + 1), privileges: [{ permissions: ['post'], users: users.slice(10, 20) }] }))
    }
  })
  const calls = Object.fromEntries(h.fake.calls)
  t.equal(calls.createCategory, 6)
  t.equal(calls.createGroup, 18)
  t.equal(calls.joinGroups, 1, 'every membership of the tree in one batch')
  t.equal(calls['nodebb:groups.join'], 30, 'one NodeBB join per user (30 users), for all its groups, whatever the group count')
  t.equal(calls.givePrivilegesMany, 1, 'every grant of the tree in one batch')
  // NodeBB walks members one by one; one call per member and privilege list covers every forum given it:
  // 18 auto groups (one level each), 2 moderators on the root, 10 users with post on all 5 children
  t.equal(calls['nodebb:privileges.categories.give'], 18 + 2 + 10)
  t.equal(calls.rescindPrivileges, undefined)
  t.equal(calls.rescindPrivilegesMany, undefined)
})
