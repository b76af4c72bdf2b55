import t, { type Test } from 'tap'
import fc from 'fast-check'
import {
  diffPrivileges, expandLevel, fromNodebbPrivilege, isLevel, ladderLevels, ladderPrivileges, levelFromPrivileges,
  levelOwnPrivileges, levelRank, parsePermissions, privilegesForLevel, toNodebbPrivileges, type Level
} from '../../shared/permission-ladder'
import { ApiError } from '../../shared/errors'

/** Runs a property and records it as one assertion, so a property failure fails the test. */
function check (t: Test, name: string, property: fc.IPropertyWithHooks<any> | fc.IRawProperty<any>): void {
  fc.assert(property as fc.IRawProperty<unknown>)
  t.pass(name)
}

const levelArb = fc.constantFrom(...ladderLevels)
const levelOrNullArb = fc.option(levelArb, { nil: null })
// any set of ladder privileges plus some that are not on the ladder
const heldArb = fc.subarray([...ladderPrivileges, 'topics:schedule', 'chat', 'find'])
const kindArb = fc.constantFrom('user' as const, 'group' as const)

t.test('the ladder matches DESIGN', async (t) => {
  t.same([...ladderLevels], ['read', 'vote', 'post', 'topic', 'moderate'])
  t.same(privilegesForLevel('read'), ['find', 'read', 'topics:read'])
  t.same(privilegesForLevel('post'), ['find', 'read', 'topics:read', 'posts:upvote', 'posts:downvote', 'topics:reply', 'posts:edit', 'posts:delete'])
  t.same(levelOwnPrivileges.topic, ['topics:create', 'topics:tag', 'topics:delete'], 'a topic starter may delete their own topics, as NodeBB\'s defaults allow')
  t.same(levelOwnPrivileges.moderate, ['posts:view_deleted', 'purge', 'moderate', 'posts:history'])
  t.equal(ladderPrivileges.length, 15)
  t.equal(new Set(ladderPrivileges).size, 15, 'no privilege belongs to two levels')
  t.same(privilegesForLevel(null), [])
})

t.test('parsePermissions: highest member wins, null removes, unknown names are named', async (t) => {
  t.equal(parsePermissions(['topic']), 'topic')
  t.equal(parsePermissions(['read', 'moderate', 'vote']), 'moderate')
  t.equal(parsePermissions(['post', 'read']), 'post')
  t.equal(parsePermissions(null), null)
  t.throws(() => parsePermissions([]), { code: 'INVALID_REQUEST' })
  t.throws(() => parsePermissions('read' as unknown as string[]), { code: 'INVALID_REQUEST' })
  try {
    parsePermissions(['read', 'admin', 'Topic'])
    t.fail('should throw')
  } catch (err) {
    t.ok(err instanceof ApiError)
    t.equal((err as ApiError).code, 'INVALID_REQUEST')
    t.match((err as ApiError).message, /"admin", "Topic"/)
    t.same((err as ApiError).details, { unknown: ['admin', 'Topic'] })
  }
})

t.test('expansion is monotone: a higher level grants a superset', async (t) => {
  check(t, 'monotone', fc.property(levelArb, levelArb, (a, b) => {
    const [lo, hi] = levelRank(a) <= levelRank(b) ? [a, b] : [b, a]
    const hiSet = new Set(privilegesForLevel(hi))
    return privilegesForLevel(lo).every((p) => hiSet.has(p)) && expandLevel(hi).length >= expandLevel(lo).length
  }))
  t.same(expandLevel('post'), ['read', 'vote', 'post'])
  t.same(expandLevel(null), [])
})

t.test('diff applied to any current set yields exactly the desired ladder set', async (t) => {
  check(t, 'diff reaches the desired set', fc.property(heldArb, levelOrNullArb, kindArb, (held, desired, kind) => {
    const current = toNodebbPrivileges(held, kind)
    const { give, rescind } = diffPrivileges(current, desired)
    const after = new Set(held.filter((p) => !rescind.includes(p)))
    for (const p of give) after.add(p)
    const ladderAfter = [...after].filter((p) => ladderPrivileges.includes(p)).sort()
    const outside = [...after].filter((p) => !ladderPrivileges.includes(p)).sort()
    const outsideBefore = held.filter((p) => !ladderPrivileges.includes(p)).sort()
    return JSON.stringify(ladderAfter) === JSON.stringify([...privilegesForLevel(desired)].sort()) &&
      JSON.stringify(outside) === JSON.stringify(outsideBefore) &&
      give.every((p) => !held.includes(p)) && rescind.every((p) => held.includes(p))
  }))
  t.same(diffPrivileges(['groups:find', 'groups:read', 'groups:topics:read', 'groups:moderate'], 'read'), { give: [], rescind: ['moderate'] })
  t.same(diffPrivileges(['find', 'topics:schedule'], null), { give: [], rescind: ['find'] })
})

t.test('reverse(expand(level)) = level, with no drift', async (t) => {
  check(t, 'reverse of expand', fc.property(levelOrNullArb, kindArb, (level, kind) => {
    const held = levelFromPrivileges(toNodebbPrivileges(privilegesForLevel(level), kind))
    return held.level === level && held.extra.length === 0
  }))
})

t.test('reverse reports the highest complete level and the extra privileges', async (t) => {
  t.same(levelFromPrivileges(['find', 'read', 'topics:read', 'topics:create']), { level: 'read', extra: ['topics:create'] })
  t.same(levelFromPrivileges(['find', 'read']), { level: null, extra: ['find', 'read'] })
  t.same(levelFromPrivileges([...privilegesForLevel('vote'), 'topics:reply', 'moderate']), { level: 'vote', extra: ['topics:reply', 'moderate'] })
  check(t, 'reverse is the highest complete level', fc.property(heldArb, (held) => {
    const { level, extra } = levelFromPrivileges(held)
    // the level's privileges are all held; the next level's are not all held
    const granted = privilegesForLevel(level)
    const next = level === null ? ladderLevels[0] : ladderLevels[levelRank(level) + 1]
    const nextComplete = next !== undefined && privilegesForLevel(next).every((p) => held.includes(p))
    return granted.every((p) => held.includes(p)) && !nextComplete && extra.every((p) => held.includes(p) && !granted.includes(p))
  }))
})

t.test('NodeBB names: groups: prefix for groups, bare for users', async (t) => {
  t.same(toNodebbPrivileges(['find', 'read'], 'group'), ['groups:find', 'groups:read'])
  t.same(toNodebbPrivileges(['find'], 'user'), ['find'])
  t.equal(fromNodebbPrivilege('groups:topics:read'), 'topics:read')
  t.equal(fromNodebbPrivilege('topics:read'), 'topics:read')
  t.ok(isLevel('vote'))
  t.notOk(isLevel('vote '))
  t.notOk(isLevel(3))
  const level: Level = 'moderate'
  t.equal(levelRank(level), 4)
})
