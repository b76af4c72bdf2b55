import t, { type Test } from 'tap'
import fc from 'fast-check'
import { appWithStandIn, type AppWithStandIn } from '../adapter/stand-in-app'
import { adminHeaders } from '../tokens'

/**
 * Issue 8, fuzzing: property-based requests for every adapter route (random JSON, deep nesting,
 * huge strings, unicode, `__proto__` / `constructor` keys, wrong types, odd path parameters).
 * Whatever comes in: never a 5xx, always the envelope with a responseCode that matches the HTTP
 * status, and a 4xx changes nothing in NodeBB (the stand-in's whole state is compared).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 250)
const responseCodeOf = (status: number): string => status === 200 ? 'OK' : status === 404 ? 'RESOURCE_NOT_FOUND' : status >= 500 ? 'SERVER_ERROR' : 'CLIENT_ERROR'
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

interface Sample {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  url: string
  /** A raw body (sent as is, content type JSON) or none. */
  payload?: string
}

// ---- arbitraries

const ladder = fc.constantFrom('read', 'vote', 'post', 'topic', 'moderate')
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', 'a:b', '../..', '%00', '\u0000', '\u202e', '\ud800', 'null', '__proto__', 'constructor', '1', '0', '-1', '99999999999999999999'),
  fc.integer({ min: 1000, max: 200000 }).map((n) => 'x'.repeat(n))
)
/** Any JSON value, and sometimes a deep one. */
const anyJson = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 3000 }).map((n) => { let v: unknown = 1; for (let i = 0; i < n; i++) v = i % 2 === 0 ? [v] : { a: v }; return v }) },
  { weight: 1, arbitrary: text }
)
/** A valid value or, often, something of the wrong type. */
// mostly valid, so that many requests pass validation and reach the plugin's own checks and writes
const maybe = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: anyJson })
const name = fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }) }, { weight: 1, arbitrary: text })
const sunbirdId = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('fz-1', 'fz-2', 'nobody') }, { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,20}$/) }, { weight: 1, arbitrary: text })
const context = maybe(fc.record({ type: maybe(fc.constantFrom('batch', 'group')), identifier: maybe(fc.constantFrom('fz-ctx', 'other')) }, { requiredKeys: ['type', 'identifier'] }))
const permissions = maybe(fc.oneof({ weight: 6, arbitrary: fc.array(ladder, { minLength: 1, maxLength: 5 }) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.array(text, { maxLength: 6 }) }))
const group = fc.record({ permissions, members: maybe(fc.array(sunbirdId, { maxLength: 4 })), applyToChildren: maybe(fc.constantFrom(true, false, 'true', 'false')) }, { requiredKeys: [] })
const updateGroup = fc.record({ permissions, members: maybe(fc.array(sunbirdId, { maxLength: 4 })), applyToChildren: maybe(fc.boolean()), identifier: maybe(fc.oneof(fc.constantFrom('1-x1', 'Mentors'), text)) }, { requiredKeys: [] })
const privilege = fc.record({ permissions, users: maybe(fc.array(sunbirdId, { maxLength: 4 })), groups: maybe(fc.array(fc.oneof(fc.constantFrom('Mentors', 'administrators', 'nope'), text), { maxLength: 3 })), applyToChildren: maybe(fc.boolean()) }, { requiredKeys: [] })
const child = fc.record({ name: maybe(name), groups: maybe(fc.array(group, { maxLength: 2 })), privileges: maybe(fc.array(privilege, { maxLength: 2 })) }, { requiredKeys: [] })
const forumFields = {
  name: maybe(name),
  description: maybe(text),
  context,
  parent: fc.option(maybe(fc.oneof(fc.constantFrom('1', '2', '0', '999'), text)), { nil: undefined, freq: 2 }),
  public: maybe(fc.boolean()),
  groups: maybe(fc.array(group, { maxLength: 3 })),
  privileges: maybe(fc.array(privilege, { maxLength: 3 })),
  children: maybe(fc.array(child, { maxLength: 3 }))
}
/** Requests valid in shape, so that the plugin's own checks (unknown users, groups, parents, system groups) and writes run. */
const plausibleMembers = fc.subarray(['fz-1', 'fz-2', 'nobody'])
const plausibleLevel = fc.oneof({ weight: 5, arbitrary: fc.array(ladder, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant(null) })
const plausibleGroup = fc.record({ permissions: fc.array(ladder, { minLength: 1, maxLength: 3 }), members: plausibleMembers, applyToChildren: fc.boolean() }, { requiredKeys: ['permissions'] })
const plausiblePrivilege = fc.record({ permissions: plausibleLevel, users: plausibleMembers, groups: fc.subarray(['Mentors', 'administrators', 'nope']), applyToChildren: fc.boolean() }, { requiredKeys: ['permissions'] })
const plausibleName = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
const plausibleForum = {
  name: plausibleName,
  context: fc.record({ type: fc.constantFrom('batch', 'group'), identifier: fc.constantFrom('fz-ctx', 'other') }),
  parent: fc.constantFrom('1', '2', '3', '999'),
  public: fc.boolean(),
  groups: fc.array(plausibleGroup, { maxLength: 2 }),
  privileges: fc.array(plausiblePrivilege, { maxLength: 2 }),
  children: fc.array(fc.record({ name: plausibleName, groups: fc.array(plausibleGroup, { maxLength: 1 }) }, { requiredKeys: ['name'] }), { maxLength: 2 })
}
const plausibleBody = (request: fc.Arbitrary<unknown>): fc.Arbitrary<string> => fc.record({ params: fc.option(fc.record({ msgid: fc.stringMatching(/^[a-z][a-z0-9]{3,12}$/) }), { nil: undefined }), request }, { requiredKeys: ['request'] }).map(serialise)

/** Keys that reach Object.prototype if anything merges a body naively. */
const poison = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '_uid')

/** A request object: structured (mostly plausible), or anything at all, with poisoned keys spliced in now and then. */
function requestOf (fields: Record<string, fc.Arbitrary<unknown>>, required: string[] = []): fc.Arbitrary<unknown> {
  const structured = fc.oneof(fc.record(fields, { requiredKeys: required }), fc.record(fields, { requiredKeys: [] }))
  const poisoned = fc.tuple(structured, poison, anyJson).map(([r, key, value]) => ({ __raw: true, r, key, value }))
  return fc.oneof({ weight: 8, arbitrary: structured }, { weight: 1, arbitrary: poisoned }, { weight: 1, arbitrary: anyJson })
}

/** The whole body: an envelope (with odd `params`), or not an envelope at all, serialised by hand so `__proto__` stays a key. */
function bodyOf (request: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const params = fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 4, arbitrary: fc.record({ msgid: maybe(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/)) }, { requiredKeys: [] }) }, { weight: 1, arbitrary: anyJson })
  const envelope = fc.record({ id: fc.option(maybe(fc.constant('api.x')), { nil: undefined }), ver: fc.option(maybe(fc.constant('1.0')), { nil: undefined }), params, request }, { requiredKeys: ['request'] }).map(serialise)
  return fc.oneof(
    { weight: 14, arbitrary: envelope },
    { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constantFrom('{', '{"request":', '[]', 'null', '{"request":{}}x', '\u0000', '{"__proto__":{"x":1},"request":{}}', '{"request":{"constructor":{"prototype":{"x":1}}}}')) }
  )
}

/** JSON text of an envelope whose `request` may carry a spliced key (JSON.stringify would make `__proto__` a prototype, not a key). */
function serialise (envelope: Record<string, unknown>): string {
  const fields = Object.entries(envelope).filter(([, v]) => v !== undefined).map(([k, v]) => {
    if (k === 'request' && v !== null && typeof v === 'object' && (v as { __raw?: boolean }).__raw === true) {
      const { r, key, value } = v as unknown as { r: Record<string, unknown>, key: string, value: unknown }
      const inner = JSON.stringify(r)
      const spliced = `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`
      return `"request":${inner === '{}' ? `{${spliced}}` : `{${spliced},${inner.slice(1)}`}`
    }
    return `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`
  })
  return `{${fields.join(',')}}`
}

/** A path parameter: plausible ids, anything encoded, or raw odd characters and broken escapes. */
const pathParam = fc.oneof(
  fc.constantFrom('1', '2', '3', '0', '01', '-1', '1e3', '9999999999999999', 'fz-1', 'nobody', '%', '%E0%A4%A', '..', '%2e%2e', '%2F', 'a%00b', '__proto__', 'constructor'),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 30 }).map((s) => { try { return encodeURIComponent(s) } catch { return 'x' } }),
  fc.stringMatching(/^[A-Za-z0-9%._~!$&'()*+,;=:@-]{1,40}$/),
  fc.integer({ min: 150, max: 400 }).map((n) => '1'.repeat(n))
)

const routes: Array<[string, fc.Arbitrary<Sample>]> = [
  ['POST /api/user/v1/create', fc.oneof(plausibleBody(fc.record({ identifier: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), username: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }) })), bodyOf(requestOf({ identifier: maybe(sunbirdId), username: maybe(fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{1,15}$/), fc.constantFrom('fz1', 'admin'), text)), fullname: maybe(name) }, ['identifier', 'username']))).map((payload) => ({ method: 'POST', url: '/api/user/v1/create', payload }))],
  ['GET /api/user/v1/read/:identifier', pathParam.map((p) => ({ method: 'GET', url: `/api/user/v1/read/${p}` }))],
  ['POST /api/forum/v1/create', fc.oneof(bodyOf(requestOf(forumFields, ['name', 'context'])), plausibleBody(fc.record(plausibleForum, { requiredKeys: ['name', 'context'] }))).map((payload) => ({ method: 'POST', url: '/api/forum/v1/create', payload }))],
  ['PATCH /api/forum/v1/update/:forumId', fc.tuple(fc.oneof(pathParam, fc.constantFrom('1', '2', '3', '4')), fc.oneof(bodyOf(requestOf({ name: forumFields.name, description: forumFields.description, groups: maybe(fc.array(updateGroup, { maxLength: 3 })), privileges: forumFields.privileges, children: forumFields.children })), plausibleBody(fc.record({ name: plausibleName, groups: fc.array(fc.oneof(plausibleGroup, fc.record({ identifier: fc.constantFrom('Mentors', '1-x1', 'nope'), permissions: plausibleLevel })), { maxLength: 2 }), privileges: plausibleForum.privileges, children: plausibleForum.children }, { requiredKeys: [] })))).map(([p, payload]) => ({ method: 'PATCH', url: `/api/forum/v1/update/${p}`, payload }))],
  ['POST /api/forum/v1/fetch', bodyOf(requestOf({ context }, ['context'])).map((payload) => ({ method: 'POST', url: '/api/forum/v1/fetch', payload }))],
  ['GET /api/forum/v1/read/:forumId', pathParam.map((p) => ({ method: 'GET', url: `/api/forum/v1/read/${p}` }))],
  ['DELETE /api/forum/v1/delete/:forumId', fc.tuple(pathParam, fc.option(bodyOf(requestOf({})), { nil: undefined })).map(([p, payload]) => ({ method: 'DELETE', url: `/api/forum/v1/delete/${p}`, ...(payload === undefined ? {} : { payload }) }))]
]

// ---- the property

async function world (t: Test): Promise<AppWithStandIn> {
  const w = await appWithStandIn(t, { RATE_LIMIT_MAX: '10000000' })
  w.nodebb.fake.addGroup('Mentors')
  w.nodebb.fake.settings.allowedGroups = ['Mentors']
  for (const id of ['fz-1', 'fz-2']) await w.send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: id, username: id.replace('-', '') } } })
  for (const name of ['A', 'B']) await w.send({ method: 'POST', url: '/api/forum/v1/create', payload: { request: { name, context: { type: 'batch', identifier: 'fz-ctx' }, groups: [{ permissions: ['post'], members: ['fz-1'] }], children: [{ name: 'c' }] } } })
  return w
}

/** Why an answer breaks the contract, or null. */
function broken (status: number, raw: string, before: string, after: string): string | null {
  if (status >= 500) return `status ${status}`
  let body: { id?: unknown, ver?: unknown, ets?: unknown, params?: { status?: unknown, err?: unknown, resmsgid?: unknown }, responseCode?: unknown }
  try {
    body = JSON.parse(raw)
  } catch {
    return 'not JSON'
  }
  if (typeof body.id !== 'string' || !body.id.startsWith('api.')) return `id ${String(body.id)}`
  if (typeof body.ver !== 'string') return 'no ver'
  if (typeof body.ets !== 'number') return 'no ets'
  if (typeof body.params?.resmsgid !== 'string' || !uuid.test(body.params.resmsgid)) return 'no resmsgid'
  if (body.params.status !== (status === 200 ? 'successful' : 'failed')) return `params.status ${String(body.params.status)} for ${status}`
  if ((status === 200) !== (body.params.err === null)) return `params.err ${String(body.params.err)} for ${status}`
  if (body.responseCode !== responseCodeOf(status)) return `responseCode ${String(body.responseCode)} for ${status}`
  if (status >= 400 && before !== after) return `a ${status} (${String(body.params.err)}) changed NodeBB's state`
  return null
}

for (const [name, sample] of routes) {
  t.test(`fuzz ${name}: never 5xx, always the envelope, no write on 4xx`, async (t) => {
    const w = await world(t)
    const headers = adminHeaders()
    const statuses = new Map<number, number>()
    const started = Date.now()
    await fc.assert(fc.asyncProperty(sample, async (s) => {
      const before = w.nodebb.fake.dump()
      const res = await w.app.inject({
        method: s.method,
        url: s.url,
        headers: { ...headers, ...(s.payload === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(s.payload === undefined ? {} : { payload: s.payload })
      })
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
      const problem = broken(res.statusCode, res.body, before, w.nodebb.fake.dump())
      if (problem !== null) throw new Error(`${problem}: ${res.body.slice(0, 300)}`)
    }), { numRuns: RUNS, seed: process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED) })
    t.pass(`${RUNS} runs in ${Date.now() - started} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`)
  })
}
