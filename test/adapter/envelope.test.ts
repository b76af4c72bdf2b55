import t, { type Test } from 'tap'
import { build, testConfig, type EnvelopeBody } from '../helper'
import { ApiError } from '../../shared/errors'

const uuid = /^[0-9a-f-]{36}$/

function envelopeOf (t: Test, body: string, status: number, err: string, responseCode: string): EnvelopeBody {
  const e = JSON.parse(body) as EnvelopeBody
  t.equal(e.ver, '1.0')
  t.equal(typeof e.ets, 'number')
  t.match(e.params.resmsgid, uuid)
  t.equal(e.params.status, 'failed')
  t.equal(e.params.err, err)
  t.equal(typeof e.params.errmsg, 'string')
  t.equal(e.responseCode, responseCode)
  t.same(e.result, {})
  return e
}

t.test('GET /health answers in the envelope', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/health' })
  t.equal(res.statusCode, 200)
  const e = res.json() as EnvelopeBody
  t.equal(e.id, 'api.discussions.health')
  t.equal(e.params.status, 'successful')
  t.equal(e.responseCode, 'OK')
  t.same(e.result, { healthy: true })
})

t.test('unknown route: 404 NOT_FOUND in the envelope', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/api/forum/v1/nothing-here' })
  t.equal(res.statusCode, 404)
  const e = envelopeOf(t, res.body, 404, 'NOT_FOUND', 'RESOURCE_NOT_FOUND')
  t.equal(e.id, 'api.discussions')
  t.match(res.headers['content-type'], /application\/json/)
})

t.test('known path, wrong method: 405 with Allow', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'DELETE', url: '/health' })
  t.equal(res.statusCode, 405)
  envelopeOf(t, res.body, 405, 'METHOD_NOT_ALLOWED', 'CLIENT_ERROR')
  t.equal(res.headers.allow, 'GET')
})

t.test('body errors on a JSON route', async (t) => {
  const app = await build(t, {
    config: testConfig({ BODY_LIMIT: '2048' }),
    before: (f) => {
      f.post('/echo', { config: { apiId: 'api.discussions.echo' } }, async (request, reply) => reply.envelope({ got: request.body }))
      f.get('/crash', async () => { throw new Error('secret internal detail at /srv/x.js:12') })
      f.get('/refuse', async () => { throw new ApiError('FORUM_NOT_FOUND', 'Forum 9 not found', { identifier: '9' }) })
    }
  })

  t.test('malformed JSON: 400 INVALID_REQUEST', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"request": ' })
    t.equal(res.statusCode, 400)
    const e = envelopeOf(t, res.body, 400, 'INVALID_REQUEST', 'CLIENT_ERROR')
    t.equal(e.id, 'api.discussions.echo', 'the route is known, so its id is used')
  })

  t.test('oversized body: 413 PAYLOAD_TOO_LARGE', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ request: { name: 'x'.repeat(4096) } }) })
    t.equal(res.statusCode, 413)
    envelopeOf(t, res.body, 413, 'PAYLOAD_TOO_LARGE', 'CLIENT_ERROR')
  })

  t.test('wrong content type: 415', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/plain' }, payload: 'hello' })
    t.equal(res.statusCode, 415)
    envelopeOf(t, res.body, 415, 'UNSUPPORTED_MEDIA_TYPE', 'CLIENT_ERROR')
  })

  t.test('no content type: read as JSON', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/echo', payload: '{"request":{"a":1},"params":{"msgid":"m-1"}}' })
    t.equal(res.statusCode, 200)
    const e = res.json() as EnvelopeBody
    t.same(e.result, { got: { request: { a: 1 }, params: { msgid: 'm-1' } } })
    t.equal(e.params.msgid, 'm-1', 'msgid echoed')
  })

  t.test('__proto__ keys are refused, not merged', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"request":{"__proto__":{"admin":true}}}' })
    t.equal(res.statusCode, 400)
    envelopeOf(t, res.body, 400, 'INVALID_REQUEST', 'CLIENT_ERROR')
    t.equal(({} as Record<string, unknown>).admin, undefined)
  })

  t.test('a crash: 500 INTERNAL_ERROR without internals', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/crash' })
    t.equal(res.statusCode, 500)
    const e = envelopeOf(t, res.body, 500, 'INTERNAL_ERROR', 'SERVER_ERROR')
    t.equal(e.params.errmsg, 'Internal error')
    t.notMatch(res.body, /secret|srv|\.js/)
  })

  t.test('an ApiError keeps its code, message and details', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/refuse' })
    t.equal(res.statusCode, 404)
    const e = res.json() as EnvelopeBody
    t.equal(e.params.err, 'FORUM_NOT_FOUND')
    t.equal(e.params.errmsg, 'Forum 9 not found')
    t.same(e.result, { identifier: '9' })
  })

  t.test('a msgid is any text, echoed as JSON (never as markup a browser would run)', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ params: { msgid: '<script>alert(1)</script>' }, request: {} }) })
    t.equal(res.statusCode, 200)
    t.equal((res.json() as EnvelopeBody).params.msgid, '<script>alert(1)</script>')
    t.match(res.headers['content-type'], /^application\/json/)
    t.equal(res.headers['x-content-type-options'], 'nosniff')
  })
})

t.test('routes live under ROUTE_PREFIX; operations stay at the root', async (t) => {
  const app = await build(t, { config: testConfig({ ROUTE_PREFIX: '/discussions' }) })
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/discussions/api/nothing' })).statusCode, 404)
})

t.test('OpenAPI is served at /docs', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const doc = res.json() as { openapi: string, paths: Record<string, unknown> }
  t.match(doc.openapi, /^3\./)
  t.ok(doc.paths['/health'])
  const ui = await app.inject({ method: 'GET', url: '/docs' })
  t.ok(ui.statusCode === 200 || ui.statusCode === 302)
})

t.test('the 405 router matches paths as the app does: a trailing slash is the same path', async (t) => {
  const app = await build(t)
  const slash = await app.inject({ method: 'GET', url: '/api/forum/v1/fetch/' })
  t.equal(slash.statusCode, 405, 'GET /fetch/ is the known path under another method, as GET /fetch is')
  t.equal(slash.headers.allow, 'POST')
  t.equal((await app.inject({ method: 'GET', url: '/api/forum/v1/fetch' })).statusCode, 405)
})
