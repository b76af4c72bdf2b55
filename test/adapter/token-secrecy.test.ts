import t from 'tap'
import type { PinoLoggerOptions } from 'fastify/types/logger'
import { loggerOptions } from '../../adapter/server'
import { testConfig } from '../helper'
import { appWithStandIn, type AppWithStandIn } from './stand-in-app'
import { closedPort } from './nodebb-stand-in'
import { checkNodebbAtStart } from '../../adapter/startup-check'
import { adminRole, apiToken, userToken } from '../tokens'

/** The production logger options (redaction included) at trace level, writing into `lines`. */
function traceLogger (lines: string[]) {
  const base = loggerOptions(testConfig({ LOG_LEVEL: 'trace' })) as PinoLoggerOptions
  return { ...base, level: 'trace', stream: { write: (line: string) => { lines.push(line) } } }
}

async function exercise (s: AppWithStandIn): Promise<string[]> {
  const bodies: string[] = []
  const calls = [
    { method: 'POST' as const, url: '/api/user/v1/create', payload: { params: { msgid: 'm-1' }, request: { identifier: 'u-1', username: 'learner1' } } },
    { method: 'POST' as const, url: '/api/user/v1/create', payload: { params: { msgid: 'm-1' }, request: { identifier: 'u-1', username: 'learner1' } } },
    { method: 'GET' as const, url: '/api/user/v1/read/u-1' },
    { method: 'POST' as const, url: '/api/forum/v1/create', payload: { request: { name: 'A', context: { type: 'batch', identifier: 'b' } } } },
    { method: 'GET' as const, url: '/api/forum/v1/read/999' },
    { method: 'GET' as const, url: '/api/forum/v1/read/x' },
    { method: 'GET' as const, url: '/ready' },
    { method: 'GET' as const, url: '/metrics' },
    { method: 'GET' as const, url: '/docs/json' }
  ]
  for (const call of calls) bodies.push((await s.send(call)).raw)
  s.nodebb.failNext('nodebb-400')
  bodies.push((await s.send({ method: 'GET', url: '/api/forum/v1/read/1' })).raw)
  s.nodebb.failNext('html')
  bodies.push((await s.send({ method: 'POST', url: '/api/forum/v1/fetch', payload: { request: { context: { type: 'batch', identifier: 'b' } } } })).raw)
  await checkNodebbAtStart(s.app)
  return bodies
}

t.test('the master token appears in no log line (trace level) and no response', async (t) => {
  const lines: string[] = []
  const s = await appWithStandIn(t, { LOG_LEVEL: 'trace' }, { logger: traceLogger(lines) })
  const token = s.nodebb.token
  const bodies = await exercise(s)
  // and if someone logs the config, or an object that carries the token
  s.app.log.info({ config: s.app.config }, 'config')
  s.app.log.info(s.app.config, 'config at the top level')
  s.app.log.info({ headers: { authorization: `Bearer ${token}` } }, 'headers')
  t.ok(lines.length > 30, `${lines.length} log lines written`)
  t.ok(lines.some((l) => l.includes('"level":10')), 'trace lines were written')
  t.ok(lines.some((l) => l.includes('NodeBB call')), 'NodeBB calls were logged')
  t.ok(lines.some((l) => l.includes('[redacted]')), 'redaction ran')
  for (const line of lines) t.notOk(line.includes(token), `log line free of the token: ${line.slice(0, 120)}`)
  for (const body of bodies) t.notOk(body.includes(token), 'response free of the token')
})

t.test('nor when NodeBB refuses it or cannot be reached', async (t) => {
  const lines: string[] = []
  const refusedToken = 'refused-token-3b9d2f0e'
  const refused = await appWithStandIn(t, { NODEBB_TOKEN: refusedToken }, { logger: traceLogger(lines) })
  const bodies = await exercise(refused)
  const downToken = 'down-token-a1c4e5'
  const down = await appWithStandIn(t, { NODEBB_TOKEN: downToken, NODEBB_URL: `http://127.0.0.1:${await closedPort()}` }, { logger: traceLogger(lines) })
  bodies.push(...await exercise(down))
  t.ok(lines.some((l) => l.includes('NodeBB refused the master token')))
  t.ok(lines.some((l) => l.includes('cannot reach NodeBB')))
  for (const line of lines) t.notOk(line.includes(refusedToken) || line.includes(downToken), `log line free of the token: ${line.slice(0, 120)}`)
  for (const body of bodies) t.notOk(body.includes(refusedToken) || body.includes(downToken), 'response free of the token')
})

t.test('a token that cannot go into a header is refused at start, without echoing it', async (t) => {
  t.throws(() => testConfig({ NODEBB_TOKEN: 'abc def\n' }), /NODEBB_TOKEN/)
  try {
    testConfig({ NODEBB_TOKEN: 'secret value' })
  } catch (err) {
    t.notMatch((err as Error).message, /secret value/)
  }
})

t.test('API and user tokens appear in no log line and no response, accepted or refused', async (t) => {
  const lines: string[] = []
  const s = await appWithStandIn(t, { LOG_LEVEL: 'trace' }, { logger: traceLogger(lines) })
  const api = apiToken()
  const user = userToken('test-admin', { roles: [adminRole] })
  const expired = apiToken({ exp: Math.floor(Date.now() / 1000) - 3600 })
  const forged = userToken('mentor', { kid: 'unknown-kid' })
  const bodies: string[] = []
  for (const headers of [
    { authorization: `Bearer ${api}`, 'x-authenticated-user-token': user },
    { authorization: `Bearer ${expired}` },
    { authorization: `Bearer ${api}`, 'x-authenticated-user-token': forged }
  ]) {
    for (const call of [
      { method: 'POST' as const, url: '/api/forum/v1/create', payload: { request: { name: 'A', context: { type: 'batch', identifier: 'b' } } } },
      { method: 'PATCH' as const, url: '/api/forum/v1/update/1', payload: { request: { name: 'B' } } },
      { method: 'GET' as const, url: '/api/forum/v1/read/1' }
    ]) bodies.push((await s.app.inject({ ...call, headers })).body)
  }
  s.app.log.info({ req: { headers: { authorization: `Bearer ${api}`, 'x-authenticated-user-token': user } } }, 'a careless log call')
  t.ok(lines.length > 20, `${lines.length} lines`)
  for (const token of [api, user, expired, forged]) {
    const signature = token.split('.')[2] as string
    for (const line of lines) t.notOk(line.includes(signature), `log line free of a token: ${line.slice(0, 100)}`)
    for (const body of bodies) t.notOk(body.includes(signature), 'response free of a token')
  }
})
