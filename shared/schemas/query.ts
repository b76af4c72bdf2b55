import { KindGuard, type TObject, type TSchema } from '@sinclair/typebox'

/**
 * A GET route's request as its query string, read and written through the request's own schema,
 * so the adapter (which writes it) and the plugin (which reads it back) agree on one encoding:
 * booleans as `true`/`false`, integers as digits, arrays comma separated, and an object property
 * as one parameter per field under the names `nested` gives. What does not parse stays as given,
 * for the schema to refuse with its own message.
 */

/** Query parameters NodeBB itself adds or reads on every API call (the acting uid, the language, a cache buster). */
export const transportQueryFields: ReadonlySet<string> = new Set(['_uid', 'lang', '_'])

/** An object property's fields, each under its own query parameter (e.g. context.type as `contextType`). */
export type NestedQueryNames = Record<string, Record<string, string>>

/** One parameter by its property's schema (an Optional keeps its kind: TypeBox marks it beside it). */
function fromText (schema: TSchema | undefined, value: unknown): unknown {
  if (schema === undefined) return value
  if (KindGuard.IsBoolean(schema)) return value === 'true' ? true : value === 'false' ? false : value
  if (KindGuard.IsInteger(schema)) return typeof value === 'string' && /^[0-9]{1,16}$/.test(value) ? Number(value) : value
  if (KindGuard.IsArray(schema)) return typeof value === 'string' ? value.split(',') : value
  return value
}

/** The query string back into a request object (not yet validated: the schema does that). */
export function requestFromQuery (schema: TObject, query: Record<string, unknown>, nested: NestedQueryNames = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const nestedNames = new Set(Object.values(nested).flatMap((fields) => Object.values(fields)))
  for (const [k, v] of Object.entries(query)) {
    if (transportQueryFields.has(k) || nestedNames.has(k) || v === undefined || v === '') continue
    out[k] = fromText(schema.properties[k], v)
  }
  for (const [property, fields] of Object.entries(nested)) {
    const given = Object.entries(fields).filter(([, name]) => query[name] !== undefined)
    if (given.length > 0) out[property] = Object.fromEntries(Object.entries(fields).map(([field, name]) => [field, query[name]]))
  }
  return out
}

/** A request as its query string: the inverse of requestFromQuery. */
export function queryFromRequest (request: object, nested: NestedQueryNames = {}): Record<string, string> {
  const q: Record<string, string> = {}
  for (const [k, v] of Object.entries(request) as Array<[string, unknown]>) {
    if (v === undefined) continue
    const names = nested[k]
    if (names !== undefined) {
      for (const [field, name] of Object.entries(names)) q[name] = String((v as Record<string, unknown>)[field])
    } else {
      q[k] = Array.isArray(v) ? v.join(',') : String(v)
    }
  }
  return q
}
