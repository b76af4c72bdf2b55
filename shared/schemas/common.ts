import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { errorCodes, responseCodes } from '../errors'

/**
 * Building blocks shared by every request and result schema. Patterns are deliberately tight:
 * these strings become NodeBB db keys and group names, so nothing with control characters,
 * key separators of our own (`:` in ids) or unbounded length gets through the edge.
 */

/** A reference to a schema registered by `$id` (fastify.addSchema / TypeCompiler references), typed as it. */
export function ref<T extends TSchema> (schema: T): ReturnType<typeof Type.Unsafe<Static<T>>> {
  if (schema.$id === undefined) throw new Error('ref() needs a schema with an $id')
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id))
}

export const SunbirdId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9._@:-]*$',
  description: 'A Sunbird user id: a UUID as Sunbird stores it, or a full Keycloak subject (`f:<realm-id>:<uuid>`)'
})

export const ForumId = Type.String({
  minLength: 1,
  maxLength: 16,
  pattern: '^[1-9][0-9]*$',
  description: 'A forum identifier (the NodeBB category id, as a string)'
})

/** An auto group (`<forumId>-<random>`) or an existing NodeBB group, by name. */
export const GroupName = Type.String({
  minLength: 1,
  maxLength: 255,
  // no control characters, no leading/trailing white space, no `/` (NodeBB slugs) or `:` (privilege keys)
  pattern: '^[^\\s/:\\u0000-\\u001f\\u007f](?:[^/:\\u0000-\\u001f\\u007f]*[^\\s/:\\u0000-\\u001f\\u007f])?$',
  description: 'A group identifier: an auto group `<forumId>-<random>` or an existing NodeBB group name'
})

/** A display name; stored trimmed. */
export const DisplayName = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$',
  description: 'A name: 1-255 characters, not blank, no control characters; leading and trailing white space is trimmed'
})

export const Username = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
  description: 'The NodeBB username; NodeBB applies its own length and character rules'
})

export const Context = Type.Object({
  type: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9_.-]*$', description: 'e.g. batch, organisation, group' }),
  identifier: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]*$' })
}, { additionalProperties: false, description: 'The Sunbird context a forum belongs to' })
export type Context = Static<typeof Context>

/** A list of ladder names (highest wins) or null to remove access; names are checked by parsePermissions. */
export const Permissions = Type.Union([
  Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { minItems: 1, maxItems: 5 }),
  Type.Null()
], { description: 'Ladder names (read, vote, post, topic, moderate); the highest sets the level. null removes access.' })

/** Sunbird clients send booleans or the strings "true"/"false". */
export const ApplyToChildren = Type.Union([
  Type.Boolean(),
  Type.Literal('true'),
  Type.Literal('false')
], { description: 'Apply to every descendant forum too (default false)' })

export function toBoolean (value: boolean | 'true' | 'false' | undefined): boolean {
  return value === true || value === 'true'
}

export const Timestamp = Type.Integer({ minimum: 0, description: 'Milliseconds since the epoch' })

/** A msgid as Sunbird clients send it: any string up to 128 characters (UUIDs usually, not always). */
export const msgidMaxLength = 128

/**
 * `params` as Sunbird clients send it: only `msgid` is read; `did`, `key`, `sid`, `cid`, `uid` and
 * anything else are accepted and ignored, each may be null. An empty or null msgid is no msgid.
 */
export const RequestParams = Type.Union([
  Type.Object({
    msgid: Type.Optional(Type.Union([Type.String({ maxLength: msgidMaxLength }), Type.Null()], { description: 'Echoed in the answer; a write with a msgid runs at most once (see Idempotency)' }))
  }, { additionalProperties: true }),
  Type.Null()
])

/**
 * Wraps a `request` schema in the Sunbird request envelope. Everything outside `request` is lenient
 * (Sunbird's clients send `id`, `ver`, `ts`, `ets` and `params` in varying shapes, often null); only
 * `request` is strict, so a typo in it is a 400 rather than silently ignored.
 */
export function requestEnvelope<T extends TSchema> (request: T) {
  return Type.Object({
    id: Type.Optional(Type.Unknown({ description: 'Ignored (the answer carries the route\'s own id)' })),
    ver: Type.Optional(Type.Unknown({ description: 'Ignored' })),
    ts: Type.Optional(Type.Unknown({ description: 'Ignored' })),
    ets: Type.Optional(Type.Unknown({ description: 'Ignored' })),
    params: Type.Optional(RequestParams),
    request
  }, { additionalProperties: true })
}

/** The envelope of a route whose body is optional (DELETE): `request`, when sent, is an empty object. */
export function optionalRequestEnvelope () {
  const { request: _request, ...rest } = requestEnvelope(Type.Object({}, { additionalProperties: false })).properties
  return Type.Object({ ...rest, request: Type.Optional(Type.Object({}, { additionalProperties: false })) }, { additionalProperties: true })
}

export const ResponseParams = Type.Object({
  resmsgid: Type.String({ format: 'uuid' }),
  msgid: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('successful'), Type.Literal('failed')]),
  err: Type.Union([...errorCodes.map((code) => Type.Literal(code)), Type.Null()], { description: 'The catalogue code of a failure; null on success' }),
  errmsg: Type.Union([Type.String(), Type.Null()])
})
export type ResponseParams = Static<typeof ResponseParams>

export const ResponseCodeSchema = Type.Union(responseCodes.map((code) => Type.Literal(code)))

/** Everything of the response envelope but its `result`. */
export const EnvelopeHead = Type.Object({
  id: Type.String(),
  ver: Type.String(),
  ets: Type.Integer(),
  params: ResponseParams,
  responseCode: ResponseCodeSchema
})
export type EnvelopeHead = Static<typeof EnvelopeHead>

/** Wraps a `result` schema in the Sunbird response envelope. */
export function responseEnvelope<T extends TSchema> (result: T, description = 'Success') {
  return Type.Object({ ...EnvelopeHead.properties, result }, { description })
}

/** Every failure: the envelope with `params.err` set and an empty (or detail-carrying) result. */
export const ErrorEnvelope = responseEnvelope(
  Type.Object({}, { additionalProperties: true }),
  'Failure: `params.err` holds the catalogue code, `params.errmsg` the reason'
)

/** The failure answers every route declares, by status class. */
export const errorResponses = { '4xx': ErrorEnvelope, '5xx': ErrorEnvelope }
