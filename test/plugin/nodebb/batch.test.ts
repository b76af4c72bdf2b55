import t from 'tap'
import { grantsByMember, grantWaves, membershipsByUser } from '../../../plugin/nodebb/batch'

t.test('memberships regroup by user: one NodeBB join per user, for all its groups', async (t) => {
  const byUser = membershipsByUser([{ name: 'a', uids: [1, 2] }, { name: 'b', uids: [2, 3] }, { name: 'a', uids: [2] }])
  t.same([...byUser], [[1, ['a']], [2, ['a', 'b']], [3, ['b']]])
})

t.test('grants regroup by member and privilege list, every category at once; a uid and a group named alike stay apart', async (t) => {
  const calls = grantsByMember([
    { cid: 1, privileges: ['read', 'find'], members: [7, '7'] },
    { cid: 2, privileges: ['find', 'read'], members: [7] },
    { cid: 2, privileges: ['moderate'], members: [7] }
  ])
  t.same(calls, [
    { member: 7, privileges: ['find', 'read'], cids: [1, 2] },
    { member: '7', privileges: ['find', 'read'], cids: [1] },
    { member: 7, privileges: ['moderate'], cids: [2] }
  ])
})

t.test('waves: no two concurrent calls name the same new (cid, privilege) pair; calls naming only known pairs go last', async (t) => {
  const waves = grantWaves(grantsByMember([
    { cid: 1, privileges: ['a', 'b'], members: [1, 2, 3] },
    { cid: 2, privileges: ['a'], members: [4] },
    { cid: 1, privileges: ['b', 'c'], members: [5] }
  ]))
  t.equal(waves.flat().length, 5, 'every call once')
  const named = new Set<string>()
  for (const [i, wave] of waves.entries()) {
    const last = i === waves.length - 1
    const inWave = new Set<string>()
    for (const call of wave) {
      const pairs = call.cids.flatMap((cid) => call.privileges.map((p) => `${cid}|${p}`))
      if (last) t.ok(pairs.every((p) => named.has(p)), 'the last wave names only pairs made before it')
      else t.notOk(pairs.some((p) => inWave.has(p)), 'no pair twice in one wave')
      for (const p of pairs) inWave.add(p)
    }
    for (const p of inWave) named.add(p)
  }
  t.same(waves.map((w) => w.length), [2, 1, 2], 'the widest call and the disjoint one together, the overlapping one next, the rest last')
})
