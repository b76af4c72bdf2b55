import { ApiError } from '../../shared/errors'
import { parsePermissions } from '../../shared/permission-ladder'
import { toBoolean } from '../../shared/schemas/common'
import type { ForumChildInput, GroupInput, GroupUpdateInput, PrivilegeInput } from '../../shared/schemas/forum'
import type { GroupSpec, NewForumSpec, PrivilegeSpec } from './plan'

/**
 * Requests -> the planner's specs: names trimmed, permission lists read as levels, Sunbird ids
 * replaced by uids. Pure: the ids are resolved (and checked) before, by the service.
 */

/** Every Sunbird id and group name a request names, to check before the first write. */
export interface References {
  sunbirdIds: Set<string>
  groupNames: Set<string>
}

type AnyGroupInput = GroupInput | GroupUpdateInput

interface Entries {
  groups?: AnyGroupInput[] | undefined
  privileges?: PrivilegeInput[] | undefined
  children?: ForumChildInput[] | undefined
}

/** The references of a request and all its children. */
export function collectReferences (request: Entries): References {
  const refs: References = { sunbirdIds: new Set(), groupNames: new Set() }
  const visit = (node: Entries): void => {
    for (const g of node.groups ?? []) for (const id of g.members ?? []) refs.sunbirdIds.add(id)
    for (const p of node.privileges ?? []) {
      for (const id of p.users ?? []) refs.sunbirdIds.add(id)
      for (const name of p.groups ?? []) refs.groupNames.add(name)
    }
    for (const child of node.children ?? []) visit(child)
  }
  visit(request)
  return refs
}

export function trimName (name: string): string {
  return name.trim()
}

export function groupSpec (g: AnyGroupInput, uidOf: Map<string, number>, isNew: boolean): GroupSpec {
  if (isNew && g.permissions === undefined) throw new ApiError('INVALID_REQUEST', 'a new group needs permissions')
  const level = g.permissions === undefined ? undefined : parsePermissions(g.permissions)
  return {
    ...('identifier' in g && g.identifier !== undefined ? { name: g.identifier } : {}),
    ...(level === undefined ? {} : { level }),
    applyToChildren: toBoolean(g.applyToChildren),
    ...(g.members === undefined ? {} : { memberUids: g.members.map((id) => uidOf.get(id) as number) })
  }
}

export function privilegeSpec (p: PrivilegeInput, uidOf: Map<string, number>): PrivilegeSpec {
  return {
    level: parsePermissions(p.permissions),
    applyToChildren: toBoolean(p.applyToChildren),
    uids: (p.users ?? []).map((id) => uidOf.get(id) as number),
    groupNames: p.groups ?? []
  }
}

export function newForumSpec (input: ForumChildInput, uidOf: Map<string, number>): NewForumSpec {
  return {
    name: trimName(input.name),
    description: input.description ?? '',
    groups: (input.groups ?? []).map((g) => groupSpec(g, uidOf, true)),
    privileges: (input.privileges ?? []).map((p) => privilegeSpec(p, uidOf)),
    children: (input.children ?? []).map((c) => newForumSpec(c, uidOf))
  }
}
