import { Type, type Static } from '@sinclair/typebox'
import {
  ApplyToChildren, Context, DisplayName, ForumId, GroupName, Permissions, SunbirdId, Timestamp, ref
} from './common'

/** Limits that keep one request's plan (and its undo log) bounded. */
export const limits = {
  groupsPerForum: 20,
  privilegesPerForum: 50,
  membersPerEntry: 1000,
  childrenPerForum: 50,
  forumsPerRequest: 200,
  depth: 5
} as const

export const GroupInput = Type.Object({
  permissions: Permissions,
  applyToChildren: Type.Optional(ApplyToChildren),
  members: Type.Optional(Type.Array(SunbirdId, { maxItems: limits.membersPerEntry, uniqueItems: true }))
}, { additionalProperties: false })
export type GroupInput = Static<typeof GroupInput>

export const PrivilegeInput = Type.Object({
  permissions: Permissions,
  users: Type.Optional(Type.Array(SunbirdId, { maxItems: limits.membersPerEntry, uniqueItems: true })),
  groups: Type.Optional(Type.Array(GroupName, { maxItems: limits.groupsPerForum, uniqueItems: true })),
  applyToChildren: Type.Optional(ApplyToChildren)
}, { additionalProperties: false })
export type PrivilegeInput = Static<typeof PrivilegeInput>

/** A child forum in a create or update request; children nest (registered by $id, referenced). */
export const ForumChildInput = Type.Recursive((This) => Type.Object({
  name: DisplayName,
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  groups: Type.Optional(Type.Array(GroupInput, { maxItems: limits.groupsPerForum })),
  privileges: Type.Optional(Type.Array(PrivilegeInput, { maxItems: limits.privilegesPerForum })),
  children: Type.Optional(Type.Array(This, { maxItems: limits.childrenPerForum }))
}, { additionalProperties: false }), { $id: 'ForumChildInput' })
export type ForumChildInput = Static<typeof ForumChildInput>

export const ForumCreateRequest = Type.Object({
  name: DisplayName,
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  context: Context,
  parent: Type.Optional(ForumId),
  public: Type.Optional(Type.Boolean({ description: 'Leave NodeBB\'s default grants (registered users, guests) in place; default false' })),
  groups: Type.Optional(Type.Array(GroupInput, { maxItems: limits.groupsPerForum })),
  privileges: Type.Optional(Type.Array(PrivilegeInput, { maxItems: limits.privilegesPerForum })),
  children: Type.Optional(Type.Array(ref(ForumChildInput), { maxItems: limits.childrenPerForum }))
}, { additionalProperties: false })
export type ForumCreateRequest = Static<typeof ForumCreateRequest>

/** In an update, a group entry with `identifier` changes that group; without, it creates one. */
export const GroupUpdateInput = Type.Object({
  identifier: Type.Optional(GroupName),
  permissions: Type.Optional(Permissions),
  applyToChildren: Type.Optional(ApplyToChildren),
  members: Type.Optional(Type.Array(SunbirdId, { maxItems: limits.membersPerEntry, uniqueItems: true }))
}, { additionalProperties: false })
export type GroupUpdateInput = Static<typeof GroupUpdateInput>

export const ForumUpdateRequest = Type.Object({
  name: Type.Optional(DisplayName),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  groups: Type.Optional(Type.Array(GroupUpdateInput, { maxItems: limits.groupsPerForum })),
  privileges: Type.Optional(Type.Array(PrivilegeInput, { maxItems: limits.privilegesPerForum })),
  children: Type.Optional(Type.Array(ref(ForumChildInput), { maxItems: limits.childrenPerForum }))
}, { additionalProperties: false, minProperties: 1 })
export type ForumUpdateRequest = Static<typeof ForumUpdateRequest>

export const ForumFetchRequest = Type.Object({
  context: Context
}, { additionalProperties: false })
export type ForumFetchRequest = Static<typeof ForumFetchRequest>

export const ForumIdParams = Type.Object({ forumId: ForumId }, { additionalProperties: false })

const LevelList = Type.Array(Type.String(), { description: 'The expanded ladder, lowest first, e.g. ["read","vote","post"]' })

export const ForumGroup = Type.Object({
  identifier: Type.String(),
  permissions: LevelList,
  applyToChildren: Type.Boolean(),
  memberCount: Type.Integer({ minimum: 0 }),
  auto: Type.Boolean({ description: 'true for a group this forum created (`<forumId>-<random>`)' }),
  extra: Type.Optional(Type.Array(Type.String(), { description: 'Ladder privileges held beyond the level (drift)' }))
}, { additionalProperties: false })

export const ForumUser = Type.Object({
  identifier: SunbirdId,
  permissions: LevelList,
  extra: Type.Optional(Type.Array(Type.String(), { description: 'Ladder privileges held beyond the level (drift)' }))
}, { additionalProperties: false })

export const Forum = Type.Recursive((This) => Type.Object({
  identifier: ForumId,
  name: Type.String(),
  context: Context,
  parent: Type.Union([ForumId, Type.Null()]),
  url: Type.String({ description: 'The NodeBB category page' }),
  public: Type.Boolean(),
  groups: Type.Array(ForumGroup),
  users: Type.Array(ForumUser),
  children: Type.Array(This),
  createdOn: Timestamp,
  updatedOn: Timestamp
}, { additionalProperties: false }), { $id: 'Forum' })
export type Forum = Static<typeof Forum>

export const ForumResult = Type.Object({
  identifier: ForumId,
  forum: ref(Forum)
}, { additionalProperties: false })
export type ForumResult = Static<typeof ForumResult>

export const ForumFetchResult = Type.Object({
  forums: Type.Array(ref(Forum)),
  count: Type.Integer({ minimum: 0 })
}, { additionalProperties: false })
export type ForumFetchResult = Static<typeof ForumFetchResult>

export const ForumDeleteResult = Type.Object({
  identifier: ForumId,
  deleted: Type.Array(ForumId, { description: 'The forum and every descendant removed' }),
  groupsRemoved: Type.Array(Type.String())
}, { additionalProperties: false })
export type ForumDeleteResult = Static<typeof ForumDeleteResult>

/** Schemas referenced by `$id`; register them once (fastify.addSchema, TypeCompiler references). */
export const referencedSchemas = [ForumChildInput, Forum]
