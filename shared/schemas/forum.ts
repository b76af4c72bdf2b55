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
  /** Forum levels one request may describe: the forum itself and up to 4 levels of children. */
  depth: 5,
  /**
   * Member x forum grants (after applyToChildren is expanded) plus group memberships one request
   * may make: the most the adapter's MAX_GRANTS_PER_REQUEST may be, and what the plugin enforces.
   */
  grantsPerRequest: 10_000
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

/**
 * A child forum in a create or update request. A request describes at most `limits.depth` levels
 * of forums (the forum itself and 4 levels of children), written out level by level rather than as
 * one recursive schema: the depth limit is then part of the schema (a deeper request is a 400 from
 * validation, and validation never recurses without bound). Each level is registered by `$id`.
 */
const childFields = {
  name: DisplayName,
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  groups: Type.Optional(Type.Array(GroupInput, { maxItems: limits.groupsPerForum })),
  privileges: Type.Optional(Type.Array(PrivilegeInput, { maxItems: limits.privilegesPerForum }))
}
const childOptions = (level: number) => ({ additionalProperties: false, $id: `ForumChildInput${level}` }) as const
const ForumChildInput4 = Type.Object({
  ...childFields,
  children: Type.Optional(Type.Array(Type.Never(), { maxItems: 0, description: `Forums nest at most ${limits.depth} levels deep` }))
}, childOptions(4))
const ForumChildInput3 = Type.Object({ ...childFields, children: Type.Optional(Type.Array(ref(ForumChildInput4), { maxItems: limits.childrenPerForum })) }, childOptions(3))
const ForumChildInput2 = Type.Object({ ...childFields, children: Type.Optional(Type.Array(ref(ForumChildInput3), { maxItems: limits.childrenPerForum })) }, childOptions(2))
export const ForumChildInput = Type.Object({ ...childFields, children: Type.Optional(Type.Array(ref(ForumChildInput2), { maxItems: limits.childrenPerForum })) }, childOptions(1))
/** A child forum; deeper levels have the same shape with fewer levels below them, so each is one of these. */
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
  applyToChildren: Type.Boolean({ description: 'true when this level was given with applyToChildren here: forums created under this one later get it too' }),
  memberCount: Type.Integer({ minimum: 0 }),
  auto: Type.Boolean({ description: 'true for a group this forum created (`<forumId>-<random>`)' }),
  extra: Type.Optional(Type.Array(Type.String(), { description: 'Ladder privileges held beyond the level (drift)' }))
}, { additionalProperties: false })

export const ForumUser = Type.Object({
  identifier: SunbirdId,
  permissions: LevelList,
  applyToChildren: Type.Boolean({ description: 'true when this level was given with applyToChildren here: forums created under this one later get it too' }),
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

/** Read answers as seed 001 shows it: `forums`, an array of the one forum read. */
export const ForumReadResult = Type.Object({
  identifier: ForumId,
  forums: Type.Array(ref(Forum), { minItems: 1, maxItems: 1 })
}, { additionalProperties: false })
export type ForumReadResult = Static<typeof ForumReadResult>

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
export const referencedSchemas = [ForumChildInput4, ForumChildInput3, ForumChildInput2, ForumChildInput, Forum]
