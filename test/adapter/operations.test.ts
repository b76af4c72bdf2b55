import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { appWithStandIn } from './stand-in-app'
import { closedPort } from './nodebb-stand-in'
import { testRedis } from './redis-test-db'
import { checkNodebbAtStart } from '../../adapter/startup-check'

function capture () {
  const lines: Array<{ level: number, msg: string } & Record<string, unknown>> = []
  return { lines, logger: { level: 'trace', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } } }
}

t.test('/ready: NodeBB and Redis up', async (t) => {
  const redis = await testRedis(t)
  const { send, reached } = await appWithStandIn(t, { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix })
  const res = await send({ method: 'GET', url: '/ready' })
  t.equal(res.status, 200, res.raw)
  t.equal(res.body.id, 'api.discussions.ready')
  t.same(res.body.result, { ready: true, checks: { nodebb: 'ok', redis: 'ok' } })
  t.equal(reached(), 1, 'one status call')
})

t.test('/ready: NodeBB down, token refused, plugin missing: ok/fail to the caller, the reason to the log', async (t) => {
  const log = capture()
  const port = await closedPort()
  const down = await appWithStandIn(t, { NODEBB_URL: `http://127.0.0.1:${port}` }, { logger: log.logger })
  const res = await down.send({ method: 'GET', url: '/ready' })
  t.equal(res.status, 503)
  t.equal(res.body.params.err, 'UPSTREAM_UNAVAILABLE')
  t.equal(res.body.responseCode, 'SERVER_ERROR')
  t.same(res.body.result, { ready: false, checks: { nodebb: 'fail', redis: 'disabled' } })
  t.notMatch(res.raw, new RegExp(String(port)), 'the unauthenticated caller learns neither NodeBB\'s address nor the error')
  t.ok(log.lines.some((l) => l.msg === 'not ready' && /cannot reach NodeBB at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/.test(String(l.nodebb))), 'the reason is in the log')

  const refusedLog = capture()
  const refused = await appWithStandIn(t, { NODEBB_TOKEN: 'wrong-token' }, { logger: refusedLog.logger })
  const r2 = await refused.send({ method: 'GET', url: '/ready' })
  t.equal(r2.status, 503)
  t.same(r2.body.result, { ready: false, checks: { nodebb: 'fail', redis: 'disabled' } })
  t.ok(refusedLog.lines.some((l) => /refused the master token/.test(String(l.nodebb))))
  t.notMatch(r2.raw, /wrong-token/)
  t.notOk(refusedLog.lines.some((l) => JSON.stringify(l).includes('wrong-token')), 'the token is never logged')

  const other = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"status":{"code":"ok","message":"OK"},"response":{"plugin":"something-else"}}') })
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => { other.closeAllConnections(); other.close(resolve) }))
  const wrong = await appWithStandIn(t, { NODEBB_URL: `http://127.0.0.1:${(other.address() as AddressInfo).port}` })
  const r3 = await wrong.send({ method: 'GET', url: '/ready' })
  t.equal(r3.status, 503)
  t.same(r3.body.result, { ready: false, checks: { nodebb: 'fail', redis: 'disabled' } })
})

t.test('/metrics: Prometheus text with requests by route and outcome and the NodeBB histogram', async (t) => {
  const { send, app } = await appWithStandIn(t)
  await send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'u-1', username: 'learner1' } } })
  await send({ method: 'POST', url: '/api/user/v1/create', payload: { request: { identifier: 'u-1', username: 'learner1' } } })
  await send({ method: 'GET', url: '/api/forum/v1/read/x' })
  await send({ method: 'GET', url: '/nowhere/1' })
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const text = res.body
  t.match(text, '# TYPE sunbird_adapter_requests_total counter')
  t.match(text, 'sunbird_adapter_requests_total{method="POST",route="/api/user/v1/create",status="2xx",err=""} 1')
  t.match(text, 'sunbird_adapter_requests_total{method="POST",route="/api/user/v1/create",status="4xx",err="USER_EXISTS"} 1')
  t.match(text, 'sunbird_adapter_requests_total{method="GET",route="/api/forum/v1/read/:forumId",status="4xx",err="INVALID_REQUEST"} 1')
  t.match(text, 'sunbird_adapter_requests_total{method="GET",route="unmatched",status="4xx",err="NOT_FOUND"} 1', 'unknown URLs share one series')
  t.match(text, '# TYPE sunbird_adapter_nodebb_request_duration_seconds histogram')
  // prom-client writes `le` first; the series are the same to Prometheus
  t.match(text, /sunbird_adapter_nodebb_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/sunbird\/users",outcome="ok"\} \d+/)
  t.match(text, 'sunbird_adapter_nodebb_request_duration_seconds_bucket{le="+Inf",method="POST",route="/sunbird/users",outcome="ok"} 1')
  t.match(text, 'sunbird_adapter_nodebb_request_duration_seconds_count{method="POST",route="/sunbird/users",outcome="USER_EXISTS"} 1')
  t.match(text, /sunbird_adapter_nodebb_request_duration_seconds_sum\{method="POST",route="\/sunbird\/users",outcome="ok"\} [0-9.e-]+/)
  t.notMatch(text, /u-1|learner1/, 'no ids or names in labels')
  // prom-client's default process metrics beside the adapter's own
  t.match(text, '# TYPE process_cpu_user_seconds_total counter')
  t.match(text, /\nnodejs_eventloop_lag_seconds [0-9.e-]+\n/)
  t.match(text, /\nnodejs_heap_size_used_bytes \d+\n/)
  t.equal(text.split('\n').filter((l) => l === '# TYPE sunbird_adapter_requests_total counter').length, 1, 'each metric once')
})

t.test('start-up check: says clearly what is wrong, at error level', async (t) => {
  const ok = capture()
  const a = await appWithStandIn(t, {}, { logger: ok.logger })
  t.same(await checkNodebbAtStart(a.app), { ok: true, version: '0.1.0' })
  t.ok(ok.lines.some((l) => l.level === 30 && /takes the master token; plugin version 0\.1\.0/.test(l.msg)))

  const refused = capture()
  const b = await appWithStandIn(t, { NODEBB_TOKEN: 'wrong-token' }, { logger: refused.logger })
  t.match(await checkNodebbAtStart(b.app), { ok: false, kind: 'token-refused' })
  t.ok(refused.lines.some((l) => l.level === 50 && /^NodeBB refused the master token/.test(l.msg)), 'error: NodeBB refused the master token')

  const down = capture()
  const port = await closedPort()
  const c = await appWithStandIn(t, { NODEBB_URL: `http://127.0.0.1:${port}` }, { logger: down.logger })
  t.match(await checkNodebbAtStart(c.app), { ok: false, kind: 'unreachable' })
  t.ok(down.lines.some((l) => l.level === 50 && l.msg.startsWith(`cannot reach NodeBB at http://127.0.0.1:${port}`)), 'error: cannot reach NodeBB at URL')
  t.equal((await c.send({ method: 'GET', url: '/health' })).status, 200, 'and the adapter keeps serving')

  const slow = capture()
  const d = await appWithStandIn(t, { NODEBB_TIMEOUT_MS: '150' }, { logger: slow.logger })
  d.nodebb.slowMs = 500
  d.nodebb.failNext('slow')
  t.match(await checkNodebbAtStart(d.app), { ok: false, kind: 'timeout' })
  t.ok(slow.lines.some((l) => l.level === 50 && /did not answer within 150 ms/.test(l.msg)))

  const missing = capture()
  const e = await appWithStandIn(t, { NODEBB_TOKEN: '' }, { logger: missing.logger })
  await checkNodebbAtStart(e.app)
  t.ok(missing.lines.some((l) => l.level === 50 && /^NODEBB_TOKEN is not set/.test(l.msg)))

  const garbage = capture()
  const f = await appWithStandIn(t, {}, { logger: garbage.logger })
  f.nodebb.failNext('nodebb-500')
  t.match(await checkNodebbAtStart(f.app), { ok: false, kind: 'status' })
  t.ok(garbage.lines.some((l) => l.level === 50 && /is not usable: NodeBB answered \/sunbird\/status with HTTP 500/.test(l.msg)))
})
