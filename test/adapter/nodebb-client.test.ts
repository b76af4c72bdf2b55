import t, { type Test } from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pluginRoutes } from '../../plugin/routes'
import { createFakePlatform } from '../plugin/fake-platform'
import { nodebbPaths, fillPath } from '../../adapter/nodebb/paths'
import { createNodebbClient } from '../../adapter/plugins/nodebb-client'
import { adapterMetrics } from '../../adapter/metrics'
import { UpstreamUnavailableError } from '../../adapter/nodebb/answer'
import { testConfig } from '../helper'
import { appWithStandIn } from './stand-in-app'
import { closedPort } from './nodebb-stand-in'

const forumRead = { method: 'GET' as const, url: '/api/forum/v1/read/1' }
const userCreate = { method: 'POST' as const, url: '/api/user/v1/create', payload: { request: { identifier: 'u-1', username: 'learner1' } } }

/** A bare HTTP server answering every request with `handler`; records paths. */
async function rawNodebb (t: { teardown: (fn: () => unknown) => void }, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const paths: string[] = []
  const server = createServer((req, res) => { paths.push(req.url ?? ''); req.resume(); req.on('end', () => handler(req, res)) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths }
}

function unavailable (t: Test, res: { status: number, body: { params: { err: string | null, errmsg: string | null }, responseCode: string } }, what: string): void {
  t.equal(res.status, 503, `${what}: 503`)
  t.equal(res.body.params.err, 'UPSTREAM_UNAVAILABLE', what)
  t.equal(res.body.responseCode, 'SERVER_ERROR', what)
  t.equal(res.body.params.errmsg, 'The forum service is unavailable', `${what}: no internals in the message`)
}

t.test('every path the adapter calls is mounted by the plugin', async (t) => {
  const mounted = new Set(pluginRoutes(createFakePlatform()).map((r) => r.path))
  for (const [name, path] of Object.entries(nodebbPaths)) t.ok(mounted.has(path), `${name} (${path}) is a plugin route`)
  t.equal(fillPath(nodebbPaths.contextForums, { type: 'a b', identifier: 'x/y' }), '/sunbird/contexts/a%20b/x%2Fy/forums')
  t.throws(() => fillPath(nodebbPaths.forum, {}), /forumId/)
})

t.test('NodeBB down (closed port): 503; GET and DELETE retried, POST and PATCH not', async (t) => {
  const port = await closedPort()
  const { send, app } = await appWithStandIn(t, { NODEBB_URL: `http://127.0.0.1:${port}` })
  unavailable(t, await send(forumRead), 'GET')
  unavailable(t, await send(userCreate), 'POST')
  unavailable(t, await send({ method: 'DELETE', url: '/api/forum/v1/delete/1' }), 'DELETE')
  unavailable(t, await send({ method: 'PATCH', url: '/api/forum/v1/update/1', payload: { request: { name: 'x' } } }), 'PATCH')
  const metrics = await app.metrics.render()
  const count = (method: string, route: string): string | undefined => new RegExp(`sunbird_adapter_nodebb_request_duration_seconds_count\\{method="${method}",route="${route}",outcome="unreachable"\\} (\\d+)`).exec(metrics)?.[1]
  t.equal(count('GET', '/sunbird/forums/:forumId'), '3', 'GET: 1 + 2 retries')
  t.equal(count('DELETE', '/sunbird/forums/:forumId'), '3', 'DELETE: nothing was sent, so retried')
  t.equal(count('POST', '/sunbird/users'), '1', 'POST: never re-sent')
  t.equal(count('PATCH', '/sunbird/forums/:forumId'), '1', 'PATCH: never re-sent')
})

t.test('NodeBB slow past the timeout: 503, not retried', async (t) => {
  const { send, nodebb, reached } = await appWithStandIn(t, { NODEBB_TIMEOUT_MS: '200' })
  nodebb.slowMs = 1000
  nodebb.failNext('slow')
  const started = Date.now()
  unavailable(t, await send(forumRead), 'slow GET')
  t.ok(Date.now() - started < 900, 'answered at the timeout, not when NodeBB finally did')
  t.equal(reached(), 1, 'a timeout is not retried')
})

t.test('NodeBB misbehaving', async (t) => {
  const { send, nodebb, reached, reset } = await appWithStandIn(t)

  nodebb.failNext('nodebb-500')
  unavailable(t, await send(userCreate), 'NodeBB 500 on a POST')
  t.equal(reached(), 1, 'a POST is not re-sent')

  reset()
  nodebb.failNext('nodebb-503')
  const retried = await send({ method: 'GET', url: '/api/user/v1/read/nobody' })
  t.equal(retried.body.params.err, 'USER_NOT_FOUND', 'a GET after a 503 is retried and gets the real answer')
  t.equal(reached(), 2)

  reset()
  nodebb.failNext('html', 3)
  unavailable(t, await send(forumRead), 'a proxy\'s HTML 502, three times')
  t.equal(reached(), 3, 'GET: at most 2 retries')

  reset()
  nodebb.failNext('garbage-200')
  unavailable(t, await send(forumRead), 'a 200 with a body that is not JSON')
  t.equal(reached(), 1, 'a garbage body is not retried')

  reset()
  nodebb.failNext('reset')
  t.equal((await send(forumRead)).body.params.err, 'FORUM_NOT_FOUND', 'a GET after a dropped connection is retried')
  t.equal(reached(), 2)

  reset()
  nodebb.failNext('reset')
  const dropped = await send({ ...userCreate, payload: { request: { identifier: 'u-9', username: 'learner9' } } })
  t.same([dropped.status, dropped.body.params.err], [503, 'OUTCOME_UNKNOWN'], 'a POST after a dropped connection: it may have been made')
  t.notMatch(dropped.raw, /ECONNRESET|socket|127\.0\.0\.1/, 'a POST after a dropped connection: no internals in the answer')
  t.equal(reached(), 1, 'a POST is not re-sent after a byte may have reached NodeBB')

  reset()
  nodebb.failNext('nodebb-400')
  const ours = await send(forumRead)
  t.equal(ours.status, 500, 'a NodeBB 400 without the plugin\'s code is our bug')
  t.equal(ours.body.params.err, 'INTERNAL_ERROR')
  t.equal(ours.body.params.errmsg, 'Internal error')
})

t.test('NodeBB refusing the token: 503, and the warning says why', async (t) => {
  const lines: string[] = []
  const { send } = await appWithStandIn(t, { NODEBB_TOKEN: 'not-the-master-token' }, { logger: { level: 'warn', stream: { write: (line: string) => { lines.push(line) } } } })
  unavailable(t, await send(forumRead), 'token refused')
  t.match(lines.join(''), /NodeBB refused the master token \(HTTP 401\)/)
  t.notMatch(lines.join(''), /not-the-master-token/, 'the token is not logged')
})

t.test('NodeBB without the plugin (404), and a plugin code the adapter does not know', async (t) => {
  const missing = await rawNodebb(t, (_req, res) => { res.writeHead(404, { 'content-type': 'application/json' }); res.end('{"status":{"code":"not-found","message":"Invalid API call"},"response":{}}') })
  const a = await appWithStandIn(t, { NODEBB_URL: missing.url + '/forum/' })
  unavailable(t, await a.send(forumRead), 'route missing')
  t.same(missing.paths, ['/forum/api/v3/plugins/sunbird/forums/1?_uid=1'], 'NODEBB_URL\'s path is kept (NodeBB under a relative path), not retried')

  const newer = await rawNodebb(t, (_req, res) => { res.writeHead(418, { 'content-type': 'application/json' }); res.end('{"status":{"code":"teapot","message":"x"},"response":{"error":"SOMETHING_NEW"}}') })
  const b = await appWithStandIn(t, { NODEBB_URL: newer.url })
  const res = await b.send(forumRead)
  t.equal(res.status, 500)
  t.equal(res.body.params.err, 'INTERNAL_ERROR')
})

t.test('the client on its own: answers, errors, close', async (t) => {
  const server = await rawNodebb(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(req.url?.includes('status') === true ? '{"status":{"code":"ok","message":"OK"},"response":{"plugin":"p"}}' : '{"status":{"code":"ok","message":"OK"}}')
  })
  const config = testConfig({ NODEBB_URL: server.url, NODEBB_TOKEN: 'tok' })
  const silent = { trace () {}, debug () {}, info () {}, warn () {}, error () {}, fatal () {}, child () { return silent }, level: 'silent', silent () {} }
  const client = createNodebbClient(config, adapterMetrics(), silent as never)
  t.same(await client.call('GET', nodebbPaths.status, { uid: 1 }), { plugin: 'p' })
  const err = await client.call('GET', nodebbPaths.forum, { uid: 1, params: { forumId: '1' } }).catch((e: unknown) => e)
  t.ok(err instanceof UpstreamUnavailableError && err.kind === 'bad-body', 'a 200 without `response` is not an answer')
  await client.close()
  const closed = await client.call('GET', nodebbPaths.status, { uid: 1 }).catch((e: unknown) => e)
  t.ok(closed instanceof UpstreamUnavailableError && closed.kind === 'closed', 'after close: unavailable (closed)')
  t.equal(client.where, server.url)
})
