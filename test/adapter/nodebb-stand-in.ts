import type { RecordOptions } from '../../plugin/idempotency/records'
import { callerOf, type CallerContext } from '../../plugin/caller'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import FindMyWay, { type HTTPMethod } from 'find-my-way'
import { parse as parseQuery } from 'qs'
import { pluginRoutes, toApiError } from '../../plugin/routes'
import { createFakePlatform, type FakePlatform } from '../plugin/fake-platform'
import { memorySettingsStore } from '../../plugin/acp/settings'
import { ActivityService } from '../../plugin/activity/service'
import { Store } from '../../plugin/store'

/**
 * A real HTTP stand-in for NodeBB with the plugin active: master-token + `_uid` auth as NodeBB's
 * authenticate middleware does it, the plugin's own route table (plugin/routes.ts) over the fake
 * platform, and answers in the Write API's `{status, response}` shape as plugin/nodebb/api-routes.ts
 * and NodeBB's formatApiResponse write them. Every request is recorded, so tests can say "nothing
 * reached NodeBB".
 */

/** NodeBB-level misbehaviour for the next request(s). */
export type Trouble =
  | 'slow' // answers after `slowMs`
  | 'reset' // destroys the connection before answering
  | 'html' // 502 with a proxy's HTML page
  | 'garbage-200' // 200 with a body that is not JSON
  | 'nodebb-500' // NodeBB's own 500 (no plugin code)
  | 'nodebb-503' // NodeBB in maintenance mode
  | 'nodebb-400' // NodeBB refusing the call itself

export interface RecordedCall {
  method: string
  path: string
  uid: string | undefined
  body: unknown
  status: number
  /** The `x-sunbird-msgid` header (the plugin's audit log reads it). */
  msgid: string | undefined
  /** What the plugin was told of the caller, decoded. */
  caller: CallerContext
  /** The query string as received (without `?`). */
  query: string
  headers: IncomingMessage['headers']
  /** The body as received, byte for byte. */
  raw: string
}

/** What the stand-in answers on a NodeBB path outside the plugin's (the discussion passthrough's target). */
export interface ForumAnswer {
  status: number
  headers: Record<string, string | string[]>
  body: string | Buffer
}

export interface StandIn {
  url: string
  token: string
  fake: FakePlatform
  /** The plugin's activity service (what NodeBB's action hooks call), for recording in tests. */
  activity: ActivityService
  /** The administrator the adapter acts as (NODEBB_SERVICE_UID). */
  admin: number
  calls: RecordedCall[]
  /**
   * NodeBB's own routes (anything outside /api/v3/plugins), once the master token and `_uid` are
   * accepted: by default a JSON echo of what arrived, with a session cookie as NodeBB sets one.
   */
  forum: (call: RecordedCall & { uid: string }) => ForumAnswer
  /** The next `n` requests misbehave this way. */
  failNext: (trouble: Trouble, n?: number) => void
  slowMs: number
  close: () => Promise<void>
}

const nodebbStatusCodes: Record<number, string> = { 400: 'bad-request', 401: 'not-authorised', 403: 'forbidden', 404: 'not-found', 409: 'conflict', 500: 'internal-server-error', 503: 'service-unavailable' }

function send (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** NodeBB's own failure shape (helpers.generateError): no `response.error`. */
function nodebbError (res: ServerResponse, status: number, message: string): void {
  send(res, status, { status: { code: nodebbStatusCodes[status] ?? 'internal-server-error', message }, response: {} })
}

async function readBody (req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export interface StandInOptions {
  token?: string
  /** Another stand-in's platform and database: a NodeBB restarted on the same database. */
  fake?: FakePlatform
  /** The plugin's idempotency record timing (tests shorten it). */
  idempotency?: RecordOptions
}

export async function startStandIn (options: StandInOptions = {}): Promise<StandIn> {
  const token = options.token ?? 'master-token-7f3e9c1a-stand-in'
  const fake = options.fake ?? createFakePlatform()
  const admin = options.fake === undefined ? fake.addUser('admin', { admin: true }) : 1
  let suffix = 0
  const router = FindMyWay()
  const settings = memorySettingsStore()
  const activity = new ActivityService(fake, new Store(fake.db), settings)
  for (const route of pluginRoutes(fake, { suffix: () => `x${(++suffix).toString(36)}`, settings, activity, ...(options.idempotency === undefined ? {} : { idempotency: options.idempotency }) })) {
    router.on(route.method.toUpperCase() as HTTPMethod, `/api/v3/plugins${route.path}`, () => {}, route)
  }
  const troubles: Trouble[] = []
  const sockets = new Set<Socket>()

  const standIn: StandIn = {
    url: '',
    token,
    fake,
    activity,
    admin,
    calls: [],
    forum: (call) => ({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'set-cookie': 'express.sid=s%3Astand-in-session; Path=/; HttpOnly', 'x-powered-by': 'NodeBB' },
      body: JSON.stringify({ echo: { method: call.method, path: call.path, query: call.query, uid: call.uid, body: call.body ?? null } })
    }),
    slowMs: 1500,
    failNext (trouble, n = 1) { for (let i = 0; i < n; i++) troubles.push(trouble) },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }

  async function handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in')
    const raw = await readBody(req)
    let body: Record<string, unknown> = {}
    // NodeBB parses JSON bodies before it authenticates
    try {
      if (raw !== '') body = JSON.parse(raw) as Record<string, unknown>
    } catch {
      return nodebbError(res, 400, 'Unexpected token in JSON')
    }
    // as NodeBB's authenticate middleware reads it: its query parser (qs, src/webserver.js), then
    // `body._uid || req.query._uid`, then parseInt of that (an array `['1', '5']` is uid 1)
    const nodebbQuery = parseQuery(url.search.slice(1), { arrayLimit: 50 })
    const uidValue: unknown = Object.hasOwn(body, '_uid') || Object.hasOwn(nodebbQuery, '_uid') ? (body._uid ?? '') || nodebbQuery._uid : undefined
    const record: RecordedCall = { method: req.method ?? '', path: url.pathname, uid: uidValue === undefined ? undefined : String(uidValue), body: raw === '' ? undefined : body, status: 0, msgid: req.headers['x-sunbird-msgid'] as string | undefined, caller: callerOf(req.headers), query: url.search.slice(1), headers: req.headers, raw }
    standIn.calls.push(record)
    res.on('finish', () => { record.status = res.statusCode })

    const trouble = troubles.shift()
    switch (trouble) {
      case 'slow': await new Promise((resolve) => setTimeout(resolve, standIn.slowMs)); break
      case 'reset': req.socket.destroy(); return
      case 'html':
        res.writeHead(502, { 'content-type': 'text/html' })
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>')
        return
      case 'garbage-200':
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"status":{"code":"ok"')
        return
      case 'nodebb-500': return nodebbError(res, 500, 'Internal Server Error')
      case 'nodebb-503': return nodebbError(res, 503, 'Forum in maintenance mode')
      case 'nodebb-400': return nodebbError(res, 400, 'Bad request')
    }

    // NodeBB's authenticate: a master token needs `_uid`; anything else is not logged in
    const header = req.headers.authorization
    if (header !== `Bearer ${token}`) return nodebbError(res, 401, 'A valid login session was not found. Please log in and try again.')
    if (uidValue === undefined) return nodebbError(res, 400, 'A master token was received without a corresponding `_uid` in the request body')
    const uid = parseInt(String(uidValue), 10)
    if (!(uid > 0)) return nodebbError(res, 401, 'A valid login session was not found. Please log in and try again.')

    if (!url.pathname.startsWith('/api/v3/plugins/')) {
      const answer = standIn.forum({ ...record, uid: String(uid) })
      res.writeHead(answer.status, answer.headers)
      res.end(answer.body)
      return
    }
    const found = router.find(req.method as HTTPMethod, url.pathname)
    if (found === null) return nodebbError(res, 404, 'Invalid API call')
    const route = found.store as ReturnType<typeof pluginRoutes>[number]
    const { _uid: _ignored, ...rest } = body
    const query = Object.fromEntries(url.searchParams)
    try {
      const result = await route.handler({ uid, params: found.params as Record<string, string>, query, body: rest, caller: callerOf(req.headers) })
      send(res, 200, { status: { code: 'ok', message: 'OK' }, response: result ?? {} })
    } catch (err) {
      const apiError = toApiError(err)
      send(res, apiError.status, {
        status: { code: nodebbStatusCodes[apiError.status] ?? 'error', message: apiError.message },
        response: { error: apiError.code, ...(apiError.details === undefined ? {} : { details: apiError.details }) }
      })
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => { if (!res.headersSent) nodebbError(res, 500, 'stand-in crashed') })
  })
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return standIn
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
