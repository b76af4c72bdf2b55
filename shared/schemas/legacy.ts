import { Type, type Static } from '@sinclair/typebox'
import { Context, DisplayName, SunbirdId, Username } from './common'

/**
 * The bodies Sunbird's existing UI and portal send to the old plugins' routes (docs/legacy-ui.md),
 * as their sources build them. `request` stays strict like every other route's; the fields the
 * old plugins read are required as they were.
 */

/** A category id as the UI sends it: a number, or digits in a string (the portal's form config). */
export const LegacyCid = Type.Union([
  Type.Integer({ minimum: 1, maximum: 1e15 }),
  Type.String({ pattern: '^[1-9][0-9]{0,14}$' })
], { description: 'A NodeBB category id, as a number or a string of digits' })

const CidList = Type.Array(LegacyCid, { minItems: 1, maxItems: 100, description: 'At most 100 category ids' })

function envelopeOf<T extends ReturnType<typeof Type.Object>> (request: T) {
  return Type.Object({ request }, { additionalProperties: true })
}

/** `POST /user/v1/create` (nodebb-plugin-sunbird-oidc): the token's own user. */
export const LegacyUserCreate = envelopeOf(Type.Object({
  username: Username,
  identifier: SunbirdId,
  fullname: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()]))
}, { additionalProperties: false }))

/** `POST /forum/v2/read`: the forums of one context type, for one identifier or several. */
export const LegacyForumRead = envelopeOf(Type.Object({
  type: Context.properties.type,
  identifier: Type.Union([Context.properties.identifier, Type.Array(Context.properties.identifier, { minItems: 1, maxItems: 100 })])
}, { additionalProperties: false }))

/**
 * `POST /forum/v3/create` (the portal's form config for a group or batch): a bare body, not an
 * envelope. The form carries more than the old plugin read (`id`, `uid`, privileges copied from a
 * category); those are ignored, and say so in docs/legacy-ui.md.
 */
export const LegacyForumCreate = Type.Object({
  category: Type.Object({
    name: DisplayName,
    pid: LegacyCid,
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    context: Type.Array(Context, { minItems: 1, maxItems: 1, description: 'The one context the forum belongs to' })
  }, { additionalProperties: true })
}, { additionalProperties: true })

/** `POST /forum/v2/remove`: a context's mapping to these forums. */
export const LegacyForumRemove = envelopeOf(Type.Object({
  sbType: Context.properties.type,
  sbIdentifier: Context.properties.identifier,
  cid: CidList
}, { additionalProperties: false }))

/** `POST /category/list` and `POST /forum/tags`. */
export const LegacyCidsRequest = envelopeOf(Type.Object({ cids: CidList }, { additionalProperties: false }))

/** `POST /tags/list`. */
export const LegacyTagsList = envelopeOf(Type.Object({
  cid: CidList,
  tag: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\u0000-\\u001f\\u007f/]+$' })
}, { additionalProperties: false }))

export type LegacyUserCreate = Static<typeof LegacyUserCreate>
export type LegacyForumRead = Static<typeof LegacyForumRead>
export type LegacyForumCreate = Static<typeof LegacyForumCreate>
export type LegacyForumRemove = Static<typeof LegacyForumRemove>
export type LegacyCidsRequest = Static<typeof LegacyCidsRequest>
export type LegacyTagsList = Static<typeof LegacyTagsList>

/** What the plugin's legacy create and remove routes take (the adapter resolves the acting user). */
export const LegacyForumCreatePlugin = Type.Object({
  name: DisplayName,
  parentCid: Type.Integer({ minimum: 1 }),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  context: Context
}, { additionalProperties: false })
export type LegacyForumCreatePlugin = Static<typeof LegacyForumCreatePlugin>

export const LegacyForumRemovePlugin = Type.Object({
  context: Context,
  cids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 100 })
}, { additionalProperties: false })
export type LegacyForumRemovePlugin = Static<typeof LegacyForumRemovePlugin>
