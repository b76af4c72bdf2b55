import t, { type Test } from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { appWithStandIn, type AppWithStandIn } from './stand-in-app'
import { securityHeaders } from '../../adapter/plugins/security'
import { testRedis } from './redis-test-db'
import {
  adminRole, apiConsumer, apiRsaPublicPem, apiRsaToken, apiSecret, apiToken, callerHeaders, realmKid, realmPublicPem, realmUrl,
  sign, strangerKey, userToken
} from '../tokens'

/**
 * The attack suite (issue 5): every forged, stale or misused credential gets 401/403 in the
 * envelope, and nothing is written in NodeBB (the fake platform's whole state is compared).
 */
const now = (): number => Math.floor(Date.now() / 1000)
const ctx = { type: 'batch', identifier: 'sec-1' }

interface World extends AppWithStandIn {
  forumA: string
  forumB: string
  /** Sends with exactly these headers (no defaults). */
  raw: (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) => ReturnType<AppWithStandIn['send']>
}

async function world (t: Test): Promise<World> {
  const w = await appWithStandIn(t)
  for (const id of ['mentor-a', 'mentor-b', 'poster', 'lurker']) {
    const res = await w.send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: id, username: id.replace('-', '') } } })
    t.equal(res.status, 200, res.raw)
  }
  const create = async (name: string, mentor: string) => {
    const res = await w.send({
      method: 'POST',
      url: '/api/forum/v1/create',
      payload: { request: { name, context: ctx, privileges: [{ permissions: ['moderate'], users: [mentor] }, { permissions: ['post'], users: ['poster'] }] } }
    })
    t.equal(res.status, 200, res.raw)
    return String((res.body.result as { identifier: string }).identifier)
  }
  const forumA = await create('A', 'mentor-a')
  const forumB = await create('B', 'mentor-b')
  return {
    ...w,
    forumA,
    forumB,
    raw: (method, url, headers, payload) => w.app.inject({ method, url, headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) })
      .then((res) => ({ status: res.statusCode, body: res.json(), headers: res.headers, raw: res.body }))
  }
}

const api = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })
const as = (sunbirdId: string, extra: { roles?: string[] } = {}): Record<string, string> => callerHeaders(sunbirdId, extra)

t.test('API token attacks: 401 in the envelope, nothing reaches NodeBB', async (t) => {
  const w = await world(t)
  const before = w.nodebb.fake.dump()
  const hsWithPublicKey = sign({ iss: 'api-rsa-1', exp: now() + 60 }, { alg: 'HS256', key: apiRsaPublicPem, header: { kid: 'api-rsa-1' } })
  const valid = apiToken()
  const [h, p, s] = valid.split('.') as [string, string, string]
  const tamperedPayload = Buffer.from(JSON.stringify({ iss: apiConsumer, exp: now() + 3600, admin: true })).toString('base64url')
  const attacks: Array<[string, Record<string, string>]> = [
    ['no token', {}],
    ['not a bearer', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ['garbage token', api('garbage')],
    ['three garbage parts', api('a.b.c')],
    ['wrong key', api(sign({ iss: apiConsumer, exp: now() + 60 }, { alg: 'HS256', key: 'x'.repeat(48), header: { kid: apiConsumer } }))],
    ['alg none', api(sign({ iss: apiConsumer, exp: now() + 60 }, { alg: 'none', header: { kid: apiConsumer } }))],
    ['HS256 signed with the RS256 public key', api(hsWithPublicKey)],
    ['RS256 signed by a stranger under a known kid', api(sign({ exp: now() + 60 }, { alg: 'RS256', key: strangerKey.privateKey, header: { kid: 'api-rsa-1' } }))],
    ['expired', api(apiToken({ exp: now() - 3600 }))],
    ['not yet valid', api(apiToken({ nbf: now() + 3600 }))],
    ['unknown kid', api(sign({ exp: now() + 60 }, { alg: 'HS256', key: apiSecret, header: { kid: 'nobody' } }))],
    ['tampered payload', api(`${h}.${tamperedPayload}.${s}`)],
    ['tampered signature', api(`${h}.${p}.${s.slice(0, -4)}AAAA`)],
    ['a user token in place of the API token', api(userToken('mentor-a'))]
  ]
  for (const [why, headers] of attacks) {
    for (const [method, url, payload] of [
      ['POST', '/api/user/v1/create', { request: { identifier: 'intruder', username: 'intruder' } }],
      ['PATCH', `/api/forum/v1/update/${w.forumA}`, { request: { name: 'pwned' } }],
      ['GET', `/api/forum/v1/read/${w.forumA}`, undefined]
    ] as const) {
      w.reset()
      const res = await w.raw(method, url, headers, payload)
      t.equal(res.status, 401, `${why}: ${method} ${url}`)
      t.equal(res.body.params?.err, 'UNAUTHORIZED', why)
      t.equal(res.body.responseCode, 'CLIENT_ERROR')
      t.equal(w.reached(), 0, `${why}: nothing reached NodeBB`)
    }
  }
  t.equal(w.nodebb.fake.dump(), before, 'nothing was written')
  // the RS256 API key works (a client consumer, so with a user token), so the refusals above are about the attacks, not the keys
  const ok = await w.raw('GET', `/api/forum/v1/read/${w.forumA}`, { ...api(apiRsaToken()), 'x-authenticated-user-token': userToken('mentor-a') })
  t.equal(ok.status, 200, ok.raw)
})

t.test('user token attacks: 401, nothing written', async (t) => {
  const w = await world(t)
  const before = w.nodebb.fake.dump()
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const good = userToken('mentor-a')
  const [h, , s] = good.split('.') as [string, string, string]
  const forgedClaims = Buffer.from(JSON.stringify({ iss: realmUrl, sub: 'f:x:mentor-b', exp: now() + 3600 })).toString('base64url')
  const attacks: Array<[string, string]> = [
    ['garbage', 'not-a-jwt'],
    ['wrong key', userToken('mentor-a', { key: stranger.privateKey })],
    ['alg none', sign({ iss: realmUrl, sub: 'f:x:mentor-a', exp: now() + 60 }, { alg: 'none', header: { kid: realmKid } })],
    ['HS256 signed with the realm public key', sign({ iss: realmUrl, sub: 'f:x:mentor-a', exp: now() + 60 }, { alg: 'HS256', key: realmPublicPem, header: { kid: realmKid } })],
    ['expired', userToken('mentor-a', { claims: { exp: now() - 600 } })],
    ['future nbf', userToken('mentor-a', { claims: { nbf: now() + 600 } })],
    ['wrong issuer', userToken('mentor-a', { claims: { iss: 'http://evil.test/auth/realms/sunbird' } })],
    ['no sub', userToken('mentor-a', { claims: { sub: undefined } })],
    ['unknown kid', userToken('mentor-a', { kid: 'rotated-away' })],
    ['tampered payload', `${h}.${forgedClaims}.${s}`],
    ['an API token in place of the user token', apiToken()]
  ]
  for (const [why, token] of attacks) {
    w.reset()
    const res = await w.raw('PATCH', `/api/forum/v1/update/${w.forumA}`, { ...api(apiToken()), 'x-authenticated-user-token': token }, { request: { name: 'pwned' } })
    t.equal(res.status, 401, `${why}: ${res.raw.slice(0, 200)}`)
    t.equal(res.body.params?.err, 'UNAUTHORIZED')
    t.equal(w.reached(), 0, `${why}: nothing reached NodeBB`)
  }
  t.equal(w.nodebb.fake.dump(), before)
  // within the clock skew an expired token still passes (and it is the same user)
  const skew = await w.raw('GET', `/api/forum/v1/read/${w.forumA}`, { ...api(apiToken()), 'x-authenticated-user-token': userToken('mentor-a', { claims: { exp: now() - 5 } }) })
  t.equal(skew.status, 200)
})

t.test('access: who may update, delete and create under a parent', async (t) => {
  const w = await world(t)
  const before = w.nodebb.fake.dump()
  const denied: Array<[string, 'PATCH' | 'POST' | 'DELETE', string, Record<string, string>, unknown, number, string]> = [
    ['a valid user token without the API token', 'PATCH', `/api/forum/v1/update/${w.forumA}`, { 'x-authenticated-user-token': userToken('mentor-a') }, { request: { name: 'x' } }, 401, 'UNAUTHORIZED'],
    ['update by a client consumer without a user token', 'PATCH', `/api/forum/v1/update/${w.forumA}`, api(apiRsaToken()), { request: { name: 'x' } }, 401, 'UNAUTHORIZED'],
    ['a post-level user updating a forum', 'PATCH', `/api/forum/v1/update/${w.forumA}`, as('poster'), { request: { name: 'x' } }, 403, 'FORBIDDEN'],
    ['a moderator of A updating B', 'PATCH', `/api/forum/v1/update/${w.forumB}`, as('mentor-a'), { request: { privileges: [{ permissions: ['moderate'], users: ['poster'] }] } }, 403, 'FORBIDDEN'],
    ['a moderator of A deleting B', 'DELETE', `/api/forum/v1/delete/${w.forumB}`, as('mentor-a'), undefined, 403, 'FORBIDDEN'],
    ['a user with no access deleting A', 'DELETE', `/api/forum/v1/delete/${w.forumA}`, as('lurker'), undefined, 403, 'FORBIDDEN'],
    ['a child under a parent the user does not moderate', 'POST', '/api/forum/v1/create', as('mentor-a'), { request: { name: 'sneaky', context: ctx, parent: w.forumB } }, 403, 'FORBIDDEN'],
    ['a child under a parent, a client consumer without a user token', 'POST', '/api/forum/v1/create', api(apiRsaToken()), { request: { name: 'sneaky', context: ctx, parent: w.forumA } }, 401, 'UNAUTHORIZED'],
    ['moving privileges to a system group', 'PATCH', `/api/forum/v1/update/${w.forumA}`, as('mentor-a'), { request: { privileges: [{ permissions: ['moderate'], groups: ['administrators'] }] } }, 403, 'FORBIDDEN'],
    ['giving registered-users access', 'PATCH', `/api/forum/v1/update/${w.forumA}`, as('mentor-a'), { request: { privileges: [{ permissions: ['read'], groups: ['registered-users'] }] } }, 403, 'FORBIDDEN'],
    ['escalating through applyToChildren on a forum not moderated', 'PATCH', `/api/forum/v1/update/${w.forumB}`, as('poster'), { request: { privileges: [{ permissions: ['moderate'], users: ['poster'], applyToChildren: true }] } }, 403, 'FORBIDDEN'],
    ['a user with no NodeBB account', 'PATCH', `/api/forum/v1/update/${w.forumA}`, as('ghost'), { request: { name: 'x' } }, 404, 'USER_NOT_FOUND'],
    ['an admin role the adapter does not trust', 'PATCH', `/api/forum/v1/update/${w.forumB}`, as('poster', { roles: ['CONTENT_CREATOR'] }), { request: { name: 'x' } }, 403, 'FORBIDDEN']
  ]
  for (const [why, method, url, headers, payload, status, err] of denied) {
    const res = await w.raw(method, url, headers, payload)
    t.equal(res.status, status, `${why}: ${res.raw.slice(0, 200)}`)
    t.equal(res.body.params?.err, err, why)
  }
  t.equal(w.nodebb.fake.dump(), before, 'nothing was written')

  // the same calls by the right people succeed
  const ok = await w.raw('PATCH', `/api/forum/v1/update/${w.forumA}`, as('mentor-a'), { request: { name: 'A renamed' } })
  t.equal(ok.status, 200, ok.raw)
  const child = await w.raw('POST', '/api/forum/v1/create', as('mentor-b'), { request: { name: 'B child', context: ctx, parent: w.forumB } })
  t.equal(child.status, 200, child.raw)
  const admin = await w.raw('DELETE', `/api/forum/v1/delete/${w.forumB}`, as('poster', { roles: [adminRole] }))
  t.equal(admin.status, 200, `an admin role may do everything: ${admin.raw.slice(0, 200)}`)
})

t.test('the unknown-kid JWKS refresh happens at most once per interval', async (t) => {
  const http = await import('node:http')
  let fetches = 0
  const jwk = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), kid: 'other', use: 'sig' }
  const server = http.createServer((_req, res) => { fetches++; res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ keys: [jwk] })) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const port = (server.address() as { port: number }).port
  const w = await appWithStandIn(t, { KEYCLOAK_KEYS_DIR: '', KEYCLOAK_JWKS_URL: `http://127.0.0.1:${port}/certs`, KEYCLOAK_JWKS_MIN_REFRESH_MS: '60000' })
  for (let i = 0; i < 3; i++) {
    const res = await w.app.inject({ method: 'GET', url: '/api/forum/v1/read/1', headers: { ...api(apiToken()), 'x-authenticated-user-token': userToken('x', { kid: `unknown-${i}` }) } })
    t.equal(res.statusCode, 401)
  }
  t.equal(fetches, 1, 'three unknown kids, one JWKS fetch')
})

t.test('a cached verified token still expires', async (t) => {
  const w = await appWithStandIn(t, { CLOCK_SKEW_SECONDS: '0' })
  const token = apiToken({ exp: now() + 2 })
  for (let i = 0; i < 3; i++) t.equal((await w.app.inject({ method: 'GET', url: '/api/forum/v1/read/404', headers: api(token) })).statusCode, 404, 'verified (then the forum is unknown)')
  await new Promise((resolve) => setTimeout(resolve, 2100))
  const late = await w.app.inject({ method: 'GET', url: '/api/forum/v1/read/404', headers: api(token) })
  t.equal(late.statusCode, 401, 'refused once its exp has passed, cache or not')
})

t.test('security headers on every answer; CORS only for configured origins', async (t) => {
  const closed = await appWithStandIn(t)
  const res = await closed.app.inject({ method: 'OPTIONS', url: '/api/forum/v1/fetch', headers: { origin: 'https://portal.example', 'access-control-request-method': 'POST' } })
  t.equal(res.headers['access-control-allow-origin'], undefined, 'CORS is off by default')
  const health = await closed.app.inject({ method: 'GET', url: '/health' })
  t.equal(health.headers['x-content-type-options'], 'nosniff')
  t.equal(health.headers['strict-transport-security'], undefined, 'no HSTS on an answer over plain http')
  t.notMatch(health.headers['content-security-policy'], /upgrade-insecure-requests/, 'the /docs page loads over plain http on a LAN address')
  t.match(health.headers['content-security-policy'], /(^|;)img-src 'self' data:(;|$)/, 'the CSP the /docs page needs')
  t.match(health.headers['content-security-policy'], /(^|;)default-src 'self'(;|$)/)
  t.equal(health.headers['x-frame-options'], 'SAMEORIGIN')
  t.equal(health.headers['x-powered-by'], undefined)
  // the same headers on a success, an error in the envelope, an unknown route and the docs page
  const helmetHeaders = ['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options',
    'cross-origin-opener-policy', 'cross-origin-resource-policy', 'referrer-policy', 'x-dns-prefetch-control']
  const answers = {
    success: await closed.send({ method: 'POST', url: '/api/forum/v1/fetch', payload: { request: { context: ctx } } }),
    refused: await closed.send({ method: 'GET', url: '/api/forum/v1/read/1', headers: { authorization: 'Bearer nope' } }),
    unknown: await closed.send({ method: 'GET', url: '/api/nowhere' })
  }
  t.equal(answers.success.status, 200)
  t.equal(answers.refused.status, 401)
  t.equal(answers.unknown.status, 404)
  const docs = await closed.app.inject({ method: 'GET', url: '/docs/json' })
  for (const [name, headers] of [...Object.entries(answers).map(([n, a]) => [n, a.headers] as const), ['docs', docs.headers] as const]) {
    for (const h of helmetHeaders) t.equal(headers[h], health.headers[h], `${name}: ${h}`)
  }
  const open = await appWithStandIn(t, { CORS_ORIGINS: 'https://portal.example' })
  const exposed = await open.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://portal.example' } })
  t.match(exposed.headers['access-control-expose-headers'], /x-request-id/, 'a browser caller can read the request id')
  const allowed = await open.app.inject({ method: 'OPTIONS', url: '/api/forum/v1/fetch', headers: { origin: 'https://portal.example', 'access-control-request-method': 'POST' } })
  t.equal(allowed.headers['access-control-allow-origin'], 'https://portal.example')
  const other = await open.app.inject({ method: 'OPTIONS', url: '/api/forum/v1/fetch', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } })
  t.not(other.headers['access-control-allow-origin'], 'https://evil.example')
})

t.test('HSTS on answers that went out over https (through a trusted proxy)', async (t) => {
  const proxied = await appWithStandIn(t, { TRUST_PROXY: 'true' })
  const https = await proxied.app.inject({ method: 'GET', url: '/health', headers: { 'x-forwarded-proto': 'https' } })
  t.match(https.headers['strict-transport-security'], /max-age=\d+/)
  const http = await proxied.app.inject({ method: 'GET', url: '/health', headers: { 'x-forwarded-proto': 'http' } })
  t.equal(http.headers['strict-transport-security'], undefined)
  const untrusted = await appWithStandIn(t)
  const claimed = await untrusted.app.inject({ method: 'GET', url: '/health', headers: { 'x-forwarded-proto': 'https' } })
  t.equal(claimed.headers['strict-transport-security'], undefined, 'an untrusted x-forwarded-proto is not believed')
})

t.test('the request id is echoed as x-request-id: the caller\'s when sane, else a new one', async (t) => {
  const w = await appWithStandIn(t)
  const given = await w.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'trace-42.a:b' } })
  t.equal(given.headers['x-request-id'], 'trace-42.a:b')
  const refused = await w.app.inject({ method: 'GET', url: '/api/nowhere', headers: { 'x-request-id': 'bad id\twith spaces' } })
  t.match(refused.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'an unsafe id is replaced (it would land in the logs)')
  const none = await w.app.inject({ method: 'GET', url: '/api/forum/v1/read/1', headers: { authorization: 'Bearer nope' } })
  t.match(none.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'on an error answer too')
})

t.test('rate limit per API consumer: 429 RATE_LIMITED in the envelope', async (t) => {
  const w = await appWithStandIn(t, { RATE_LIMIT_MAX: '3' })
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) statuses.push((await w.app.inject({ method: 'GET', url: '/api/forum/v1/read/404', headers: api(apiToken()) })).statusCode)
  t.same(statuses, [404, 404, 404, 429, 429])
  const limited = await w.app.inject({ method: 'GET', url: '/api/forum/v1/read/404', headers: api(apiToken()) })
  t.equal(limited.json().params.err, 'RATE_LIMITED')
  const other = await w.app.inject({ method: 'GET', url: '/api/forum/v1/read/404', headers: { ...api(apiRsaToken()), 'x-authenticated-user-token': userToken('mentor-a') } })
  t.not(other.statusCode, 429, 'another consumer has its own budget')
})

t.test('rate limit counters live in Redis when it is configured (shared by replicas)', async (t) => {
  const redis = await testRedis(t)
  const one = await appWithStandIn(t, { RATE_LIMIT_MAX: '3', REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix })
  const two = await appWithStandIn(t, { RATE_LIMIT_MAX: '3', REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix })
  const statuses: number[] = []
  for (const app of [one.app, two.app, one.app, two.app]) statuses.push((await app.inject({ method: 'GET', url: '/api/forum/v1/read/404', headers: api(apiToken()) })).statusCode)
  t.same(statuses, [404, 404, 404, 429], 'two adapters share one budget')
  const keys = (await redis.client.keys(`${redis.prefix}ratelimit:*`)).sort()
  t.same(keys.map((k) => k.slice(`${redis.prefix}ratelimit:`.length).split(':')[0]), ['address', 'consumer'], 'one counter per client address, one per consumer')
  for (const key of keys) t.ok(await redis.client.pTTL(key) > 0, 'the window expires')
})

t.test('securityHeaders: what helmet sets, read once; a failing helmet option is an error at start-up', async (t) => {
  const headers = securityHeaders({})
  t.equal(headers['x-content-type-options'], 'nosniff')
  t.notOk('x-powered-by' in headers)
  t.throws(() => securityHeaders({ contentSecurityPolicy: { directives: { 'script-src': [() => { throw new Error('no nonce here') }] } } }), /no nonce here/)
})
