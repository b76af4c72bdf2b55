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
 * The grants in waves, each wave's calls concurrent, the waves one after another. NodeBB makes a
 * category's privilege group (`cid:<cid>:privileges:<p>`) on its first member, and concurrent first
 * members would each make it again (a race NodeBB tolerates, at a dozen commands a time). So a call
 * that names a (cid, privilege) pair no earlier call named goes into the first wave where no other
 * call names any of its pairs; the calls whose pairs are all named before go into the last wave.
 */
export function grantWaves (grants: MemberGrant[]): MemberGrant[][] {
  const covered = new Set<string>()
  const waves: Array<{ calls: MemberGrant[], pairs: Set<string> }> = []
  const rest: MemberGrant[] = []
  // widest first, so a few calls name every pair
  const bySize = [...grants].sort((a, b) => b.privileges.length * b.cids.length - a.privileges.length * a.cids.length)
  for (const g of bySize) {
    const pairs = g.cids.flatMap((cid) => g.privileges.map((p) => `${cid}|${p}`))
    if (pairs.every((pair) => covered.has(pair))) {
      rest.push(g)
      continue
    }
    let wave = waves.find((w) => !pairs.some((pair) => w.pairs.has(pair)))
    if (wave === undefined) {
      wave = { calls: [], pairs: new Set() }
      waves.push(wave)
    }
    wave.calls.push(g)
    for (const pair of pairs) { wave.pairs.add(pair); covered.add(pair) }
  }
  return [...waves.map((w) => w.calls), ...(rest.length > 0 ? [rest] : [])]
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
