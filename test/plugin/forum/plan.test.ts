import t, { type Test } from 'tap'
import fc from 'fast-check'
import { planCreate, planUpdate, type ForumState, type Op, type NewForumSpec } from '../../../plugin/forum/plan'
import { ladderLevels, ladderPrivileges, privilegesForLevel, type Level } from '../../../shared/permission-ladder'

const ctx = { type: 'batch', identifier: 'b' }
const suffixes = (): { suffix: () => string } => { let i = 0; return { suffix: () => `r${i++}` } }
const leaf = (name: string, extra: Partial<NewForumSpec> = {}): NewForumSpec => ({ name, description: '', groups: [], privileges: [], children: [], ...extra })
const state = (cid: number, extra: Partial<ForumState> = {}): ForumState => ({ cid, name: `F${cid}`, users: new Map(), groups: new Map(), autoGroups: new Map(), inherit: {}, children: [], ...extra })
const kinds = (ops: Op[]): string[] => ops.map((o) => o.op)

function check (t: Test, name: string, property: fc.IRawProperty<unknown>): void {
  fc.assert(property)
  t.pass(name)
}

t.test('create: categories parent first, then records, groups, members, privileges', async (t) => {
  const plan = planCreate({
    forum: leaf('root', {
      groups: [{ level: 'post', applyToChildren: true, memberUids: [5, 6] }],
      privileges: [{ level: 'moderate', applyToChildren: false, uids: [7], groupNames: ['Mentors'] }],
      children: [leaf('child', { children: [leaf('grandchild')] })]
    }),
    context: ctx,
    parentCid: null,
    isPublic: false,
    creator: 1,
    inherited: []
  }, suffixes())
  t.equal(plan.rootRef, 'f0')
  t.same(kinds(plan.ops).slice(0, 7), ['createCategory', 'createCategory', 'createCategory', 'recordForum', 'recordForum', 'recordForum', 'createGroup'], 'by phase: categories (by depth), records, groups')
  const firstGive = kinds(plan.ops).indexOf('give')
  t.ok(kinds(plan.ops).indexOf('joinGroup') < firstGive && kinds(plan.ops).slice(firstGive).every((k, i, all) => k === 'give' || !all.slice(i).includes('give')), 'members joined before the gives, and the gives of the whole tree in one run')
  const creates = plan.ops.filter((o) => o.op === 'createCategory') as Array<Extract<Op, { op: 'createCategory' }>>
  t.same(creates.map((c) => [c.ref, c.parent]), [['f0', null], ['f1', { ref: 'f0' }], ['f2', { ref: 'f1' }]])
  t.ok(creates.every((c) => c.isPrivate))
  const records = plan.ops.filter((o) => o.op === 'recordForum') as Array<Extract<Op, { op: 'recordForum' }>>
  t.same(records.map((r) => r.indexInContext), [true, false, false], 'only the root goes into the context index')
  const gives = plan.ops.filter((o) => o.op === 'give') as Array<Extract<Op, { op: 'give' }>>
  // root: group (post), user 7 (moderate), group Mentors (moderate): users and groups in separate calls
  const onRoot = gives.filter((g) => 'ref' in g.forum && g.forum.ref === 'f0')
  t.equal(onRoot.length, 3)
  t.same(gives.filter((g) => 'ref' in g.forum && g.forum.ref === 'f2').map((g) => [g.privileges, g.members]),
    [[privilegesForLevel('post'), [{ group: { forum: { ref: 'f0' }, suffix: 'r0' } }]]], 'applyToChildren reaches the grandchild')
  t.notOk(plan.ops.some((o) => o.op === 'rescind'), 'a new forum has nothing to rescind')
})

t.test('create: members sharing a level on one forum share one give call', async (t) => {
  const plan = planCreate({
    forum: leaf('root', { privileges: [{ level: 'read', applyToChildren: false, uids: [1, 2, 3], groupNames: [] }, { level: 'read', applyToChildren: false, uids: [4], groupNames: ['A', 'B'] }] }),
    context: ctx,
    parentCid: 9,
    isPublic: true,
    creator: 1,
    inherited: []
  }, suffixes())
  const gives = plan.ops.filter((o) => o.op === 'give') as Array<Extract<Op, { op: 'give' }>>
  t.equal(gives.length, 2)
  t.same(gives[0]?.members, [{ uid: 1 }, { uid: 2 }, { uid: 3 }, { uid: 4 }])
  t.same(gives[1]?.members, [{ group: { name: 'A' } }, { group: { name: 'B' } }])
  const create = plan.ops[0] as Extract<Op, { op: 'createCategory' }>
  t.same(create.parent, { cid: 9 })
  t.equal(create.isPrivate, false)
})

t.test('update: nothing asked, nothing planned', async (t) => {
  const plan = planUpdate({ forum: state(3), context: ctx, isPublic: false, actor: 1, name: 'F3', groups: [], privileges: [], children: [], inherited: [] }, suffixes())
  t.same(plan.ops, [])
})

t.test('update: rename, members replaced, level moved down rescinds first', async (t) => {
  const forum = state(3, {
    users: new Map([[7, new Set(privilegesForLevel('moderate'))]]),
    groups: new Map([['3-abc', new Set(privilegesForLevel('topic'))]]),
    autoGroups: new Map([['3-abc', { members: new Set([1, 2]), applyToChildren: false }]])
  })
  const plan = planUpdate({
    forum,
    context: ctx,
    isPublic: false,
    actor: 1,
    name: 'New name',
    groups: [{ name: '3-abc', level: 'read', applyToChildren: true, memberUids: [2, 4] }],
    privileges: [{ level: 'post', applyToChildren: false, uids: [7], groupNames: [] }],
    children: [],
    inherited: []
  }, suffixes())
  t.same(kinds(plan.ops), ['rename', 'setGroupApplyToChildren', 'leaveGroup', 'joinGroup', 'rescind', 'rescind', 'recordLevels', 'recordInherit', 'touchForum'])
  t.same((plan.ops.find((o) => o.op === 'recordInherit') as Extract<Op, { op: 'recordInherit' }>).entries, [{ member: { group: { name: '3-abc' } }, value: 'read' }], 'only the group given with applyToChildren is recorded for later children; the user entry changes nothing recorded')
  t.same((plan.ops[2] as Extract<Op, { op: 'leaveGroup' }>).uids, [1])
  t.same((plan.ops[3] as Extract<Op, { op: 'joinGroup' }>).uids, [4])
  const rescinds = plan.ops.filter((o) => o.op === 'rescind') as Array<Extract<Op, { op: 'rescind' }>>
  const minus = (a: Level, b: Level): string[] => privilegesForLevel(a).filter((p) => !privilegesForLevel(b).includes(p))
  t.same(rescinds.map((r) => r.privileges), [minus('topic', 'read'), minus('moderate', 'post')])
  t.same(rescinds.map((r) => r.members), [[{ group: { name: '3-abc' } }], [{ uid: 7 }]])
})

t.test('update: null removes, level unchanged plans nothing for that member', async (t) => {
  const forum = state(3, { users: new Map([[7, new Set(privilegesForLevel('vote'))], [8, new Set(privilegesForLevel('read'))]]) })
  const plan = planUpdate({
    forum,
    context: ctx,
    isPublic: false,
    actor: 1,
    groups: [],
    privileges: [{ level: null, applyToChildren: false, uids: [7], groupNames: [] }, { level: 'read', applyToChildren: false, uids: [8], groupNames: [] }],
    children: [],
    inherited: []
  }, suffixes())
  t.same(kinds(plan.ops), ['rescind', 'recordLevels', 'touchForum'])
  t.same((plan.ops[0] as Extract<Op, { op: 'rescind' }>).privileges, privilegesForLevel('vote'))
  t.same((plan.ops[1] as Extract<Op, { op: 'recordLevels' }>).levels, [{ member: { uid: 7 }, level: null }, { member: { uid: 8 }, level: 'read' }], 'declared levels are recorded, unchanged ones too')
})

t.test('update: applyToChildren reaches existing descendants and new children', async (t) => {
  const forum = state(1, { children: [state(2, { children: [state(3)] })] })
  const plan = planUpdate({
    forum,
    context: ctx,
    isPublic: false,
    actor: 1,
    groups: [],
    privileges: [{ level: 'topic', applyToChildren: true, uids: [5], groupNames: [] }],
    children: [leaf('new')],
    inherited: []
  }, suffixes())
  const targets = (plan.ops.filter((o) => o.op === 'give') as Array<Extract<Op, { op: 'give' }>>).map((g) => 'cid' in g.forum ? String(g.forum.cid) : g.forum.ref)
  t.same(targets.sort(), ['1', '2', '3', 'f0'])
})

/** Applies give/rescind ops for one forum to a member's held set, as NodeBB would. */
function applyTo (held: Set<string>, ops: Op[], member: { uid: number } | { name: string }): Set<string> {
  const after = new Set(held)
  for (const op of ops) {
    if (op.op !== 'give' && op.op !== 'rescind') continue
    const hit = op.members.some((m) => 'uid' in member ? 'uid' in m && m.uid === member.uid : 'group' in m && 'name' in m.group && m.group.name === member.name)
    if (!hit) continue
    for (const p of op.privileges) op.op === 'give' ? after.add(p) : after.delete(p)
  }
  return after
}

t.test('property: after an update, each named member holds exactly its declared level', async (t) => {
  const levelArb = fc.option(fc.constantFrom<Level>(...ladderLevels), { nil: null })
  const heldArb = fc.subarray([...ladderPrivileges])
  check(t, 'declarative levels', fc.property(
    fc.array(fc.record({ uid: fc.integer({ min: 1, max: 6 }), held: heldArb, level: levelArb }), { minLength: 1, maxLength: 8 }),
    (entries) => {
      const users = new Map<number, Set<string>>()
      for (const e of entries) users.set(e.uid, new Set(e.held))
      const plan = planUpdate({
        forum: state(1, { users }),
        context: ctx,
        isPublic: false,
        actor: 1,
        groups: [],
        privileges: entries.map((e) => ({ level: e.level, applyToChildren: false, uids: [e.uid], groupNames: [] })),
        children: [],
        inherited: []
      }, suffixes())
      // the last entry naming a uid wins
      const last = new Map(entries.map((e) => [e.uid, e.level]))
      return [...last].every(([uid, level]) => {
        const after = applyTo(users.get(uid) ?? new Set(), plan.ops, { uid })
        return JSON.stringify([...after].sort()) === JSON.stringify(privilegesForLevel(level).sort())
      })
    }
  ))
})

t.test('inheritance: a forum created under a parent gets what the parent and its ancestors gave with applyToChildren; its own entries win', async (t) => {
  const inherited = [
    { key: 'u:7', level: 'moderate' as const },
    { key: 'g:Mentors', level: 'topic' as const },
    { key: 'u:8', level: 'read' as const },
    { key: 'u:8', level: null },
    { key: 'not a key', level: 'read' as const }
  ]
  const plan = planCreate({
    forum: leaf('child', { privileges: [{ level: 'post', applyToChildren: false, uids: [7], groupNames: [] }], children: [leaf('grandchild')] }),
    context: ctx,
    parentCid: 4,
    isPublic: false,
    creator: 1,
    inherited
  }, suffixes())
  const recorded = plan.ops.filter((o) => o.op === 'recordLevels') as Array<Extract<Op, { op: 'recordLevels' }>>
  t.same(recorded[0]?.levels, [{ member: { uid: 7 }, level: 'post' }, { member: { group: { name: 'Mentors' } }, level: 'topic' }, { member: { uid: 8 }, level: null }], 'the child: its own entry wins over the inherited one; a later removal wins over an earlier grant')
  t.same(recorded[1]?.levels, [{ member: { uid: 7 }, level: 'moderate' }, { member: { group: { name: 'Mentors' } }, level: 'topic' }, { member: { uid: 8 }, level: null }], 'the grandchild inherits too; the child\'s own entry did not ask to reach it')
  t.notOk(plan.ops.some((o) => o.op === 'recordInherit'), 'nothing new to record for later children: the ancestors keep what they gave')
  t.equal(plan.grants, 6, 'what the grant limit counts: members with a level on each forum')

  const update = planUpdate({ forum: state(4, { inherit: { 'u:7': 'moderate' } }), context: ctx, isPublic: false, actor: 1, groups: [], privileges: [], children: [leaf('new')], inherited }, suffixes())
  const levels = (update.ops.find((o) => o.op === 'recordLevels') as Extract<Op, { op: 'recordLevels' }>).levels
  t.same(levels, [{ member: { uid: 7 }, level: 'moderate' }, { member: { group: { name: 'Mentors' } }, level: 'topic' }, { member: { uid: 8 }, level: null }], 'a child added by update inherits the same way')
  t.same(kinds(update.ops).filter((k) => k === 'recordLevels').length, 1, 'existing forums are not given inherited levels again (a later change below stays)')
})
