import t, { type Test } from 'tap'
import { Writable } from 'node:stream'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { appWithStandIn, type AppWithStandIn } from './stand-in-app'
import { closedPort } from './nodebb-stand-in'
import { adminRole, apiRsaToken, apiToken, callerHeaders, realmId, sign, strangerKey, userToken } from '../tokens'
import { allowList } from '../../adapter/discussion/allow-list'
import { resolvePassthrough } from '../../adapter/discussion/resolve'

/**
 * The discussion passthrough (issue 14), against the NodeBB stand-in: what is forwarded, as whom,
 * what NodeBB sees of the caller, what comes back, and everything that must never reach NodeBB.
 */
interface World extends AppWithStandIn {
  learnerUid: number
  get: (url: string, headers?: Record<string, string>) => Promise<Awaited<ReturnType<typeof raw>>>
}

async function raw (app: FastifyInstance, options: InjectOptions) {
  const res = await app.inject(options)
  let body: any = null
  try { body = res.json() } catch {}
  return { status: res.statusCode, headers: res.headers, raw: res.body, body }
}

/** A client consumer (the portal) with the learner's token. */
const learner = (id = 'learner-1', options: Parameters<typeof userToken>[1] = {}): Record<string, string> => ({
  authorization: `Bearer ${apiRsaToken()}`,
  'x-authenticated-user-token': userToken(id, options)
})

async function world (t: Test, overrides: Record<string, string> = {}, logger?: object): Promise<World> {
  const w = await appWithStandIn(t, overrides, logger === undefined ? {} : { logger })
  const created = await w.send({ method: 'POST', url: '/api/user/v1/create', headers: callerHeaders(), payload: { request: { identifier: 'learner-1', username: 'learner1' } } })
  t.equal(created.status, 200, created.raw)
  w.reset()
  return {
    ...w,
    learnerUid: created.body.result.uid as number,
    get: async (url, headers = learner()) => await raw(w.app, { method: 'GET', url, headers })
  }
}

t.test('a listed read goes to NodeBB as the learner, and NodeBB\'s answer comes back as it was sent', async (t) => {
  const w = await world(t)
  const res = await w.get('/discussion/api/v3/topics/12?page=2&sort=oldest_to_newest')
  t.equal(res.status, 200)
  const call = w.nodebb.calls.at(-1)
  t.equal(call?.method, 'GET')
  t.equal(call?.path, '/api/v3/topics/12', 'the prefix is gone, the path as listed')
  t.equal(call?.query, `_uid=${w.learnerUid}&page=2&sort=oldest_to_newest`, 'the learner\'s uid first, the query as sent')
  t.equal(call?.headers.authorization, `Bearer ${w.nodebb.token}`, 'the master token')
  t.same(res.body, { echo: { method: 'GET', path: '/api/v3/topics/12', query: `_uid=${w.learnerUid}&page=2&sort=oldest_to_newest`, uid: String(w.learnerUid), body: null } })
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.notOk(res.headers['set-cookie'], 'NodeBB\'s session cookie (the master token logged in as the user) is never passed on')
  t.notOk(res.headers['x-powered-by'])

  // byte for byte, whatever the status and the content type
  w.nodebb.forum = () => ({ status: 403, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"status":{"code":"forbidden","message":"[[error:no-privileges]]"},"response":{}}' })
  const refused = await w.get('/discussion/api/v3/categories/5/topics')
  t.equal(refused.status, 403, 'NodeBB\'s own refusal, as NodeBB sent it')
  t.equal(refused.raw, '{"status":{"code":"forbidden","message":"[[error:no-privileges]]"},"response":{}}')
  w.nodebb.forum = () => ({ status: 502, headers: { 'content-type': 'text/html' }, body: Buffer.from([0x3c, 0x70, 0x3e, 0xff, 0x00, 0x3c]) })
  const html = await w.app.inject({ method: 'GET', url: '/discussion/api/recent', headers: learner() })
  t.equal(html.statusCode, 502)
  t.equal(html.headers['content-type'], 'text/html')
  t.same([...html.rawPayload], [0x3c, 0x70, 0x3e, 0xff, 0x00, 0x3c], 'not parsed, not re-encoded')
})

t.test('writes: the learner\'s uid in the body NodeBB reads first; credentials and cookies never reach NodeBB', async (t) => {
  const w = await world(t)
  const res = await raw(w.app, {
    method: 'POST',
    url: '/discussion/api/v3/topics/12?keep=yes&uid=1&x=_uid',
    headers: { ...learner(), cookie: 'express.sid=admin-session', 'x-csrf-token': 'stolen', 'content-type': 'application/json', 'x-forwarded-for': '10.0.0.1' },
    payload: JSON.stringify({ content: 'My reply', _uid: 1, toPid: 3 })
  })
  t.equal(res.status, 200, res.raw)
  const call = w.nodebb.calls.at(-1)
  t.equal(call?.path, '/api/v3/topics/12')
  t.equal(call?.query, `_uid=${w.learnerUid}&keep=yes&uid=1&x=_uid`, 'keys that are not _uid, and _uid as a value, pass as sent')
  t.same(JSON.parse(call?.raw ?? ''), { content: 'My reply', toPid: 3, _uid: w.learnerUid }, 'the body\'s _uid is the learner\'s')
  t.equal(call?.uid, String(w.learnerUid))
  for (const header of ['cookie', 'x-csrf-token', 'x-authenticated-user-token', 'x-forwarded-for']) t.notOk(call?.headers[header], `${header} dropped`)
  t.equal(call?.headers.authorization, `Bearer ${w.nodebb.token}`, 'the caller\'s authorization replaced by the master token')

  // body-less DELETE and PUT: NodeBB would read a `_uid` from the body first, so the learner's goes there
  for (const [method, url] of [['DELETE', '/discussion/api/v3/posts/7/state'], ['PUT', '/discussion/api/v3/topics/12/lock'], ['DELETE', '/discussion/api/v3/topics/12/follow']] as const) {
    const bare = await raw(w.app, { method, url, headers: learner() })
    t.equal(bare.status, 200, `${method} ${url}: ${bare.raw}`)
    const sent = w.nodebb.calls.at(-1)
    t.same(JSON.parse(sent?.raw ?? 'null'), { _uid: w.learnerUid }, `${method} ${url}: a JSON body with the learner's uid`)
    t.equal(sent?.headers['content-type'], 'application/json')
    t.equal(sent?.query, `_uid=${w.learnerUid}`)
  }

  const admin = await raw(w.app, { method: 'PUT', url: '/discussion/api/v3/posts/7/vote', headers: { ...learner('boss', { roles: [adminRole] }), 'content-type': 'application/json' }, payload: { delta: 1 } })
  t.equal(admin.status, 200, admin.raw)
  t.not(w.nodebb.calls.at(-1)?.uid, String(w.nodebb.admin), 'an ADMIN_ROLES user acts as themselves here, never as the service uid')
})

t.test('off the list, by any spelling: 404 in the envelope, and nothing reaches NodeBB', async (t) => {
  const w = await world(t)
  const attacks: Array<[string, string]> = [
    ['GET', '/discussion/api/admin/config'],
    ['GET', '/discussion/api/admin/manage/users'],
    ['POST', '/discussion/api/v3/users/1/tokens'],
    ['GET', '/discussion/api/v3/users/1'],
    ['PUT', '/discussion/api/v3/users/1'],
    ['DELETE', '/discussion/api/v3/users/1'],
    ['PUT', '/discussion/api/v3/users/1/password'],
    ['PUT', '/discussion/api/v3/users/1/settings'],
    ['GET', '/discussion/api/v3/plugins/sunbird/users/learner-1'],
    ['POST', '/discussion/api/v3/plugins/sunbird/forums'],
    ['GET', '/discussion/api/v3/chats'],
    ['GET', '/discussion/api/v3/chats/1/messages'],
    ['GET', '/discussion/api/config'],
    ['GET', '/discussion/api/user/learner1/settings'],
    ['GET', '/discussion/api/user/uid/1'],
    ['POST', '/discussion/api/v3/categories'],
    ['PUT', '/discussion/api/v3/categories/1/privileges/read'],
    ['DELETE', '/discussion/api/v3/topics/12'],
    ['DELETE', '/discussion/api/v3/posts/7'],
    ['PUT', '/discussion/api/v3/posts/7/owner'],
    ['PUT', '/discussion/api/v3/topics/12/move'],
    ['GET', '/discussion/api/v3/topics/abc'],
    ['GET', '/discussion/api/v3/topics/-1'],
    ['GET', '/discussion/api/v3/topics/1e3'],
    ['GET', '/discussion/api/topic/12/slug/notanumber'],
    ['GET', '/discussion/api/v3/topics/../users/1/tokens'],
    ['GET', '/discussion/api/v3/topics/12/../../users/1'],
    ['GET', '/discussion/api/v3/topics/%2e%2e/users/1'],
    ['GET', '/discussion/api/v3/topics/%2E%2E/%2E%2E/admin/config'],
    ['GET', '/discussion/api/v3/topics/.%2e/users/1'],
    ['GET', '/discussion/api/v3/topics/12%2F..%2F..%2Fusers%2F1'],
    ['GET', '/discussion/api/v3/topics/12%2f..%2fusers'],
    ['GET', '/discussion/api/v3/topics/%252e%252e/users/1'],
    ['GET', '/discussion/api/user/%252e%252e'],
    ['GET', '/discussion/api/user/..%5c..%5cadmin'],
    ['GET', '/discussion/api/user/a%5Cb'],
    ['GET', '/discussion//api/v3/topics/12'],
    ['GET', '/discussion/api//v3/topics/12'],
    ['GET', '/discussion/api/v3/topics//12'],
    ['GET', '/discussion/%61pi/v3/topics/12'],
    ['GET', '/discussion/API/v3/topics/12'],
    ['GET', '/discussion/api/V3/topics/12'],
    ['GET', '/discussion/api/tags/a%00b'],
    ['GET', '/discussion/api/tags/%0d%0aX-Injected:%201'],
    ['GET', '/discussion/api/categories/../admin'],
    ['GET', '/discussion/api'],
    ['GET', '/discussion/'],
    ['GET', '/discussion/api/v3/topics/12/../../../../../../etc/passwd'],
    ['GET', `/discussion/api/tags/${'x'.repeat(300)}`],
    ['POST', '/discussion/api/v3/topics/12/../../users/1/tokens']
  ]
  for (const [method, url] of attacks) {
    const res = await raw(w.app, { method: method as InjectOptions['method'], url, headers: { ...learner(), 'content-type': 'application/json' }, ...(method === 'GET' ? {} : { payload: '{}' }) })
    t.ok([404, 400].includes(res.status), `${method} ${url}: ${res.status}`)
    t.ok(['NOT_FOUND', 'INVALID_REQUEST'].includes(res.body?.params?.err), `${method} ${url}: in the envelope`)
  }
  t.equal(w.reached(), 0, 'nothing reached NodeBB, not even the uid lookup')
})

t.test('the resolver, on raw paths as they arrive over HTTP (inject would tidy some of them)', async (t) => {
  const refused = [
    '/api/v3/topics/./12', '/api/v3/topics/12#frag', '/api/v3/topics/12/.', '/api/v3/topics/12/', 'api/v3/topics/12', '',
    '/api/v3/topics/%2e/12', '/api/v3/topics/12%3F_uid=1', '/api/v3/topics/12%23x', '/api/v3/topics/%', '/api/v3/topics/%zz',
    '/api/user/%E0%A4', '/api/v3/topics/12\\..\\..\\users', '/api/v3/topics/\u0000', '/api/v3/topics/１２'
  ]
  for (const path of refused) t.equal(resolvePassthrough('GET', path), null, JSON.stringify(path))
  t.same(resolvePassthrough('GET', '/api/user/%E0%A4%B0%E0%A4%B5%E0%A4%BF?x=%5Fuid&a=1'), { entry: allowList.find((e) => e.name === 'user.profile'), path: '/api/user/%E0%A4%B0%E0%A4%B5%E0%A4%BF', query: 'x=%5Fuid&a=1', legacy: null, params: { userslug: 'रवि' } }, 'a Unicode slug, re-encoded; the query as sent (query.ts checks it)')
  t.same(resolvePassthrough('GET', '/api/tags/a%20b')?.path, '/api/tags/a%20b')
  t.same(resolvePassthrough('GET', '/api/tags/a+b')?.path, '/api/tags/a%2Bb', 'rebuilt from what matched, never copied')
  t.equal(resolvePassthrough('DELETE', '/api/v3/topics/12'), null, 'purge is not listed')
  t.equal(resolvePassthrough('DELETE', '/api/v3/topics/12/state')?.entry.name, 'topic.delete')
})

t.test('every allow-list row forwards only with its own method', async (t) => {
  const w = await world(t)
  const sample = (path: string): string => path.replace(/:(cid|tid|pid|index)/g, '12').replace(/:\w+/g, 'some-slug')
  for (const entry of allowList) {
    w.reset()
    const res = await raw(w.app, { method: entry.method, url: `/discussion${sample(entry.path)}`, headers: learner(), ...(entry.method === 'GET' ? {} : { payload: {} }) })
    t.equal(res.status, 200, `${entry.method} ${entry.path}`)
    t.equal(w.nodebb.calls.at(-1)?.path, sample(entry.path))
    for (const other of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      if (other === entry.method || allowList.some((e) => e.path === entry.path && e.method === other)) continue
      w.reset()
      const wrong = await raw(w.app, { method: other, url: `/discussion${sample(entry.path)}`, headers: learner() })
      t.equal(wrong.status, 404, `${other} ${entry.path} is not listed`)
      t.equal(w.reached(), 0)
    }
  }
})

t.test('tokens: both verified as on every /api route, and a user is required', async (t) => {
  const w = await world(t)
  const now = Math.floor(Date.now() / 1000)
  const cases: Array<[string, Record<string, string>]> = [
    ['no tokens', {}],
    ['a trusted service\'s API token alone (the passthrough acts only as a user)', { authorization: `Bearer ${apiToken()}` }],
    ['a client\'s API token alone', { authorization: `Bearer ${apiRsaToken()}` }],
    ['a user token alone', { 'x-authenticated-user-token': userToken('learner-1') }],
    ['a forged user token', { authorization: `Bearer ${apiRsaToken()}`, 'x-authenticated-user-token': userToken('learner-1', { key: strangerKey.privateKey }) }],
    ['an expired user token', { authorization: `Bearer ${apiRsaToken()}`, 'x-authenticated-user-token': userToken('learner-1', { claims: { exp: now - 3600 } }) }],
    ['an ID token', { authorization: `Bearer ${apiRsaToken()}`, 'x-authenticated-user-token': userToken('learner-1', { claims: { typ: 'ID' } }) }],
    ['alg none', { authorization: `Bearer ${apiRsaToken()}`, 'x-authenticated-user-token': sign({ sub: `f:${realmId}:learner-1`, typ: 'Bearer', exp: now + 60 }, { alg: 'none' }) }],
    ['an expired API token', { authorization: `Bearer ${apiRsaToken({ exp: now - 3600 })}`, 'x-authenticated-user-token': userToken('learner-1') }],
    ['the NodeBB master token as the API token', { authorization: 'Bearer master-token-7f3e9c1a-stand-in', 'x-authenticated-user-token': userToken('learner-1') }]
  ]
  for (const [why, headers] of cases) {
    const res = await w.get('/discussion/api/v3/topics/12', headers)
    t.equal(res.status, 401, why)
    t.equal(res.body?.params?.err, 'UNAUTHORIZED', why)
  }
  t.equal(w.reached(), 0)
})

t.test('a user with no account is created on first use from preferred_username (AUTO_CREATE_USERS)', async (t) => {
  const w = await world(t)
  const headers = learner('newbie-7', { claims: { preferred_username: 'Newbie Seven' } })
  const res = await w.get('/discussion/api/recent', headers)
  t.equal(res.status, 200, res.raw)
  const uid = Number(w.nodebb.calls.at(-1)?.uid)
  t.equal(await w.nodebb.fake.db.getObjectField('sunbird:uid-by-sunbird-id', 'newbie-7'), String(uid), 'mapped under the Sunbird id')
  t.equal(await w.nodebb.fake.db.getObjectField(`user:${uid}`, 'username'), 'Newbie-Seven', 'named from preferred_username, made valid')
  const again = await w.get('/discussion/api/recent', headers)
  t.equal(again.status, 200)
  t.equal(w.nodebb.calls.filter((c) => c.method === 'PUT').length, 1, 'created once; later calls find the user (cached)')

  // many first calls at once: one user
  const racing = await Promise.all(Array.from({ length: 6 }, async () => await w.get('/discussion/api/recent', learner('racer-1'))))
  t.same(racing.map((r) => r.status), [200, 200, 200, 200, 200, 200])
  t.equal(new Set(w.nodebb.calls.filter((c) => c.path === '/api/recent').slice(-6).map((c) => c.uid)).size, 1, 'every racing call acted as one uid')
})

t.test('AUTO_CREATE_USERS off: USER_NOT_FOUND, nothing written, nothing forwarded', async (t) => {
  const w = await world(t, { AUTO_CREATE_USERS: 'false' })
  const before = w.nodebb.fake.dump()
  const res = await w.get('/discussion/api/recent', learner('stranger-3'))
  t.equal(res.status, 404)
  t.equal(res.body.params.err, 'USER_NOT_FOUND')
  t.equal(res.body.id, 'api.discussions.discussion')
  t.equal(w.nodebb.fake.dump(), before)
  t.notOk(w.nodebb.calls.some((c) => !c.path.startsWith('/api/v3/plugins/')), 'nothing forwarded')
})

t.test('bodies: too large, wrong type, not a JSON object, uploads', async (t) => {
  const w = await world(t, { BODY_LIMIT: '2048' })
  const send = async (method: 'POST' | 'PUT', url: string, headers: Record<string, string>, payload: string | Buffer) => await raw(w.app, { method, url, headers: { ...learner(), ...headers }, payload })
  const json = { 'content-type': 'application/json' }
  const file = Buffer.concat([Buffer.from('--b\r\nContent-Disposition: form-data; name="files[]"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]), Buffer.from('\r\n--b--\r\n')])
  const refusals: Array<[string, Awaited<ReturnType<typeof send>>, number, string]> = [
    ['JSON over BODY_LIMIT', await send('POST', '/discussion/api/v3/topics/12', json, JSON.stringify({ content: 'x'.repeat(4000) })), 413, 'PAYLOAD_TOO_LARGE'],
    ['text/plain', await send('POST', '/discussion/api/v3/topics/12', { 'content-type': 'text/plain' }, 'hello'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a form (NodeBB would read its _uid)', await send('POST', '/discussion/api/v3/topics/12', { 'content-type': 'application/x-www-form-urlencoded' }, '_uid=1&content=x'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['malformed JSON', await send('POST', '/discussion/api/v3/topics/12', json, '{"content":'), 400, 'INVALID_REQUEST'],
    ['__proto__', await send('POST', '/discussion/api/v3/topics/12', json, '{"__proto__":{"x":1}}'), 400, 'INVALID_REQUEST'],
    ['a JSON array', await send('POST', '/discussion/api/v3/topics/12', json, '[{"_uid":1}]'), 400, 'INVALID_REQUEST'],
    ['a JSON string', await send('PUT', '/discussion/api/v3/posts/7', json, '"x"'), 400, 'INVALID_REQUEST'],
    ['a JSON number', await send('PUT', '/discussion/api/v3/posts/7', json, '1'), 400, 'INVALID_REQUEST'],
    ['multipart to a write route', await send('POST', '/discussion/api/v3/topics/12', { 'content-type': 'multipart/form-data; boundary=b' }, file), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['an upload (off the list: NodeBB 4.11 would keep the file)', await send('POST', '/discussion/api/post/upload', { 'content-type': 'multipart/form-data; boundary=b' }, file), 404, 'NOT_FOUND'],
    ['an upload that is JSON', await send('POST', '/discussion/api/post/upload', json, '{}'), 404, 'NOT_FOUND']
  ]
  for (const [why, res, status, err] of refusals) {
    t.equal(res.status, status, why)
    t.equal(res.body?.params?.err, err, why)
  }
  t.notOk(w.nodebb.calls.some((c) => !c.path.startsWith('/api/v3/plugins/')), 'nothing forwarded')
  const nothing = await send('PUT', '/discussion/api/v3/posts/7', json, 'null')
  t.equal(nothing.status, 200, 'a JSON null is no body')
  t.same(JSON.parse(w.nodebb.calls.at(-1)?.raw ?? ''), { _uid: w.learnerUid })
})

t.test('NodeBB down or slow: 503 in the envelope; a write sent and unanswered is OUTCOME_UNKNOWN', async (t) => {
  const w = await world(t, { NODEBB_WRITE_TIMEOUT_MS: '300', NODEBB_TIMEOUT_MS: '300' })
  await w.get('/discussion/api/recent') // the learner's uid is now cached
  w.nodebb.slowMs = 1500
  w.nodebb.failNext('slow')
  const read = await w.get('/discussion/api/recent')
  t.equal(read.status, 503)
  t.equal(read.body.params.err, 'UPSTREAM_UNAVAILABLE')
  w.nodebb.failNext('slow')
  const write = await raw(w.app, { method: 'POST', url: '/discussion/api/v3/topics/12', headers: { ...learner(), 'content-type': 'application/json' }, payload: { content: 'x' } })
  t.equal(write.status, 503)
  t.equal(write.body.params.err, 'OUTCOME_UNKNOWN')
  t.notMatch(write.body.params.errmsg, /msgid/, 'no msgid to retry with here: the message says to look first')

  const port = await closedPort()
  const down = await appWithStandIn(t, { NODEBB_URL: `http://127.0.0.1:${port}` })
  const res = await raw(down.app, { method: 'GET', url: '/discussion/api/recent', headers: learner() })
  t.equal(res.status, 503)
  t.equal(res.body.params.err, 'UPSTREAM_UNAVAILABLE')
  t.notMatch(res.raw, /127\.0\.0\.1/, 'NodeBB\'s address is not told to the caller')
})

t.test('rate limited per consumer as the other routes; metrics by allow-list row; no token in any log line', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _e, done) { lines.push(chunk.toString()); done() } })
  const w = await world(t, { RATE_LIMIT_MAX: '6', LOG_LEVEL: 'trace' }, { level: 'trace', stream })
  const headers = learner()
  for (let i = 0; i < 3; i++) t.equal((await w.get(`/discussion/api/v3/topics/${100 + i}`, headers)).status, 200)
  t.equal((await w.get('/discussion/api/admin/config', headers)).status, 404)
  let limited = null
  for (let i = 0; i < 5 && limited === null; i++) {
    const res = await w.get('/discussion/api/recent', headers)
    if (res.status === 429) limited = res
  }
  t.equal(limited?.body.params.err, 'RATE_LIMITED')
  const metrics = (await w.app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /sunbird_adapter_requests_total\{method="GET",route="discussion:v3.topic",status="2xx",err=""\} 3/)
  t.match(metrics, /route="discussion:off-list",status="4xx",err="NOT_FOUND"/)
  t.match(metrics, /sunbird_adapter_nodebb_request_duration_seconds_count\{method="GET",route="discussion:v3.topic",outcome="ok"\} 3/)
  t.notMatch(metrics, /topics\/10[0-2]/, 'never the raw path')
  const log = lines.join('')
  t.ok(log.length > 0)
  for (const secret of [w.nodebb.token, headers.authorization?.slice(7) as string, headers['x-authenticated-user-token'] as string]) t.notOk(log.includes(secret), 'no token logged')
})
