import { expandLevel, levelFromPrivileges } from '../../shared/permission-ladder'
import type { Forum } from '../../shared/schemas/forum'
import type { ForumNode } from './tree'
import { memberKey } from './member-key'

/** Staff groups hold moderator rights on every category by NodeBB's defaults; listing them says nothing. */
const staffGroups = new Set(['administrators', 'Global Moderators'])

export interface ViewContext {
  sunbirdIdByUid: Map<number, string>
  memberCounts: Map<string, number>
  url: (cid: number) => string
}

/** Whether forums created below inherit the member's level here (undefined: nothing recorded). */
function inherits (node: ForumNode, key: string): boolean | undefined {
  const value = node.inherit[key]
  return value === undefined ? undefined : value !== 'none'
}

/** Every uid and group name a view of these trees will need looked up. */
export function viewLookups (nodes: ForumNode[]): { uids: Set<number>, groups: Set<string> } {
  const uids = new Set<number>()
  const groups = new Set<string>()
  const visit = (node: ForumNode): void => {
    for (const uid of node.holders.users.keys()) uids.add(uid)
    for (const name of node.holders.groups.keys()) if (!staffGroups.has(name)) groups.add(name)
    for (const g of node.autoGroups) groups.add(g.name)
    node.children.forEach(visit)
  }
  nodes.forEach(visit)
  return { uids, groups }
}

/**
 * The DESIGN forum shape, built from NodeBB's actual privilege state: a member holding a partial
 * ladder shows its highest complete level and the extra privileges. Users without a Sunbird id
 * (NodeBB-only accounts) are not listed: the API names users by Sunbird id only.
 */
export function forumView (node: ForumNode, ctx: ViewContext): Forum {
  const auto = new Map(node.autoGroups.map((g) => [g.name, g]))
  const groupNames = new Set([...node.autoGroups.map((g) => g.name), ...[...node.holders.groups.keys()].filter((n) => !staffGroups.has(n))])
  const groups = [...groupNames].map((name) => {
    const { level, extra } = levelFromPrivileges(node.holders.groups.get(name) ?? [])
    return {
      identifier: name,
      permissions: expandLevel(level),
      applyToChildren: inherits(node, memberKey({ groupName: name })) ?? auto.get(name)?.applyToChildren ?? false,
      memberCount: ctx.memberCounts.get(name) ?? 0,
      auto: auto.has(name),
      ...(extra.length > 0 ? { extra } : {})
    }
  }).sort((a, b) => Number(b.auto) - Number(a.auto) || a.identifier.localeCompare(b.identifier))
  const users = [...node.holders.users.entries()].flatMap(([uid, held]) => {
    const identifier = ctx.sunbirdIdByUid.get(uid)
    if (identifier === undefined) return []
    const { level, extra } = levelFromPrivileges(held)
    return [{ identifier, permissions: expandLevel(level), applyToChildren: inherits(node, memberKey({ uid })) ?? false, ...(extra.length > 0 ? { extra } : {}) }]
  }).sort((a, b) => a.identifier.localeCompare(b.identifier))
  return {
    identifier: String(node.record.cid),
    name: node.name,
    context: node.record.context,
    parent: node.record.parent === null ? null : String(node.record.parent),
    url: ctx.url(node.record.cid),
    public: node.record.isPublic,
    groups,
    users,
    children: node.children.map((child) => forumView(child, ctx)),
    createdOn: node.record.createdOn,
    updatedOn: node.record.updatedOn
  }
}
