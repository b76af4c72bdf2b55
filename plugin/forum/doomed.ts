import type { DoomedForum } from './plan'
import type { ForumNode } from './tree'

/**
 * A forum tree as the delete planner needs it: each auto group with its members and the
 * privileges it holds on every forum of the tree (`root`: a tree's own group may be named anywhere
 * in it), which is what undoing its destroy gives back.
 */
export function doomed (node: ForumNode, root: ForumNode): DoomedForum {
  const all: ForumNode[] = []
  const visit = (n: ForumNode): void => { all.push(n); n.children.forEach(visit) }
  visit(root)
  return {
    record: node.record,
    groups: node.autoGroups.map((g) => ({
      name: g.name,
      cid: g.cid,
      applyToChildren: g.applyToChildren,
      members: g.members,
      grants: all.flatMap((n) => {
        const held = n.holders.groups.get(g.name)
        return held === undefined || held.size === 0 ? [] : [{ cid: n.record.cid, privileges: [...held] }]
      })
    })),
    children: node.children.map((child) => doomed(child, root))
  }
}
