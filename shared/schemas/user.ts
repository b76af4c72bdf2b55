import { Type, type Static } from '@sinclair/typebox'
import { Context, ForumId, SunbirdId, Username } from './common'

export const UserCreateRequest = Type.Object({
  identifier: SunbirdId,
  username: Username,
  fullname: Type.Optional(Type.String({ maxLength: 255, pattern: '^[^\\u0000-\\u001f\\u007f]*$' }))
}, { additionalProperties: false })
export type UserCreateRequest = Static<typeof UserCreateRequest>

export const UserCreateResult = Type.Object({
  identifier: SunbirdId,
  uid: Type.Integer({ minimum: 1, description: 'The NodeBB uid' }),
  username: Type.String()
}, { additionalProperties: false })
export type UserCreateResult = Static<typeof UserCreateResult>

/**
 * The plugin's "ensure" (PUT /sunbird/users/:identifier, the identifier a user token's subject): the
 * user it maps, or one created from `username` (a wish: made valid and unique for NodeBB).
 */
export const UserEnsureRequest = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\u0000-\\u001f\\u007f]+$', description: 'The wished username (a token\'s preferred_username)' })
}, { additionalProperties: false })
export type UserEnsureRequest = Static<typeof UserEnsureRequest>

export const UserEnsureResult = Type.Object({
  identifier: SunbirdId,
  uid: Type.Integer({ minimum: 1 }),
  created: Type.Boolean()
}, { additionalProperties: false })
export type UserEnsureResult = Static<typeof UserEnsureResult>

export const UserIdentifierParams = Type.Object({ identifier: SunbirdId }, { additionalProperties: false })

export const UserForumAccess = Type.Object({
  identifier: ForumId,
  name: Type.String(),
  context: Context,
  permissions: Type.Array(Type.String(), { description: 'The expanded ladder the user reaches, directly or through groups' })
}, { additionalProperties: false })

export const UserReadResult = Type.Object({
  user: Type.Object({
    identifier: SunbirdId,
    uid: Type.Integer({ minimum: 1 }),
    username: Type.String(),
    fullname: Type.Union([Type.String(), Type.Null()])
  }, { additionalProperties: false }),
  forums: Type.Array(UserForumAccess)
}, { additionalProperties: false })
export type UserReadResult = Static<typeof UserReadResult>
