import type { GroupMembership, PrivilegeGrant, PrivilegeMember } from '../platform'

/**
 * How many NodeBB calls a batch of writes takes, and which. NodeBB's `groups.join(names, uid)` and
 * `groups.leave(names, uid)` take many groups but one user, and `privileges.categories.give(privileges,
 * cids, members)` walks its members one by one, each member one `groups.join` over every
 * (cid, privilege) it names. So the fewest calls are one per user (joins) and one per member and
 * privilege list (grants, every category given that list at once). The real platform and the tests'
 * fake both regroup through these functions, so they make the same calls.
 */

/** uid -> every group it joins (or leaves), in the order first named. */
export function membershipsByUser (memberships: GroupMembership[]): Map<number, string[]> {
  const out = new Map<number, string[]>()
  for (const { name, uids } of memberships) {
    for (const uid of uids) {
      const names = out.get(uid)
      if (names === undefined) out.set(uid, [name])
      else if (!names.includes(name)) names.push(name)
    }
  }
  return out
}

/** One NodeBB privileges call: one member, one privilege list, every category given it. */
export interface MemberGrant {
  member: PrivilegeMember
  privileges: string[]
  cids: number[]
}

/** The grants regrouped by member and privilege list, each with every category it applies to. */
export function grantsByMember (grants: PrivilegeGrant[]): MemberGrant[] {
  const out = new Map<string, MemberGrant>()
  for (const { cid, privileges, members } of grants) {
    const list = [...privileges].sort()
    for (const member of members) {
      // a uid and a group name never collide: the type is part of the key
      const key = `${typeof member}|${String(member)}|${list.join(',')}`
      const entry = out.get(key)
      if (entry === undefined) out.set(key, { member, privileges: list, cids: [cid] })
      else if (!entry.cids.includes(cid)) entry.cids.push(cid)
    }
  }
  return [...out.values()]
}

/**
 * The grants in two waves. NodeBB makes a category's privilege group (`cid:<cid>:privileges:<p>`)
 * on its first member, and concurrent first members would each make it again (a race NodeBB
 * tolerates, at a dozen commands a time): the first wave, one call after another, holds a call for
 * every (cid, privilege) pair; the second, all the rest, can then run concurrently.
 */
export function grantWaves (grants: MemberGrant[]): { first: MemberGrant[], rest: MemberGrant[] } {
  const covered = new Set<string>()
  const first: MemberGrant[] = []
  const rest: MemberGrant[] = []
  // widest first, so a few calls cover every pair
  const bySize = [...grants].sort((a, b) => b.privileges.length * b.cids.length - a.privileges.length * a.cids.length)
  for (const g of bySize) {
    const pairs = g.cids.flatMap((cid) => g.privileges.map((p) => `${cid}|${p}`))
    if (pairs.some((pair) => !covered.has(pair))) {
      first.push(g)
      for (const pair of pairs) covered.add(pair)
    } else {
      rest.push(g)
    }
  }
  return { first, rest }
}

/**
 * Runs the calls concurrently and waits for every one of them, so that when one fails none is
 * still writing while the caller undoes; then rethrows the first failure.
 */
export async function settleAll (calls: Array<() => Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(calls.map(async (call) => await call()))
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed !== undefined) throw failed.reason
}
