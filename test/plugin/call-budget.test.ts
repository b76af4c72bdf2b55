import t from 'tap'
import { harness, pluginPaths } from './helper'

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
  t.equal(calls.joinGroup, 18, 'one join call per group, whatever its member count')
  // per forum: one call per distinct (kind, level): 3 group levels + 1 user level
  t.equal(calls.givePrivileges, 6 * 4)
  t.equal(calls.rescindPrivileges, undefined)
})
