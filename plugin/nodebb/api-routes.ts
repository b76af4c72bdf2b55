import type { RequestHandler, Router, Request, Response } from 'express'
import { nodebbRequire } from './require'
import { ApiError, isApiError } from '../../shared/errors'
import { auditRecord, toApiError, type PluginRoute, type RouteCall } from '../routes'
import type { AuditInput } from '../acp/audit-recorder'
import { callerOf } from '../caller'

interface RouteHelpers {
  setupApiRoute: (router: Router, verb: string, path: string, middlewares: RequestHandler[], controller: (req: Request, res: Response) => Promise<void>) => void
}

interface ControllerHelpers {
  formatApiResponse: (status: number, res: Response, payload?: unknown) => Promise<void>
}

export interface ApiRoutesParams {
  router: Router
  middleware: Record<string, RequestHandler>
}

/** NodeBB's status codes for its `{status: {code}}` field, so our failures read like NodeBB's own. */
const nodebbStatusCodes: Record<number, string> = {
  400: 'bad-request',
  401: 'not-authorised',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  500: 'internal-server-error',
  503: 'service-unavailable'
}

export interface CallerCheck {
  /** true when the request may use the plugin's routes (master token, or an administrator). */
  isTrustedCaller: (req: Request) => Promise<boolean>
}

export interface CallRecorder {
  record: (input: AuditInput) => Promise<void>
}

/**
 * Mounts the plugin's route table under NodeBB's Write API (`/api/v3/plugins/...`) through
 * setupApiRoute, so NodeBB's token auth runs first, then answers in NodeBB's `{status, response}`
 * shape with our catalogue code in `response.error` on failure. Every call, answered or refused,
 * is then given to the recorder (the audit log); recording runs after the answer is sent and
 * its failure is only logged.
 */
export function mountRoutes (params: ApiRoutesParams, routes: readonly PluginRoute[], callers: CallerCheck, log: (msg: string, err?: unknown) => void, recorder?: CallRecorder): void {
  const routeHelpers = nodebbRequire<RouteHelpers>('./src/routes/helpers')
  const controllerHelpers = nodebbRequire<ControllerHelpers>('./src/controllers/helpers')
  const ensureLoggedIn = params.middleware.ensureLoggedIn
  const middlewares = ensureLoggedIn === undefined ? [] : [ensureLoggedIn]

  for (const route of routes) {
    routeHelpers.setupApiRoute(params.router, route.method, route.path, middlewares, async (req, res) => {
      const started = Date.now()
      const uid = Number((req as Request & { uid?: number }).uid ?? 0)
      const caller = callerOf(req.headers)
      let error: string | null = null
      let result: unknown
      let trusted = false
      try {
        if (!await callers.isTrustedCaller(req)) throw new ApiError('FORBIDDEN', 'Only the Sunbird adapter (master token) or an administrator may call this route')
        trusted = true
        const call: RouteCall = {
          uid,
          params: req.params as Record<string, string>,
          query: req.query as Record<string, unknown>,
          caller,
          body: stripNodebbFields(req.body)
        }
        result = await route.handler(call)
        await controllerHelpers.formatApiResponse(200, res, result)
      } catch (err) {
        const apiError = toApiError(err)
        error = apiError.code
        if (!isApiError(err)) log(`[sunbird] ${route.method.toUpperCase()} ${route.path} failed`, err)
        res.status(apiError.status).json({
          status: { code: nodebbStatusCodes[apiError.status] ?? 'error', message: apiError.message },
          response: { error: apiError.code, ...(apiError.details === undefined ? {} : { details: apiError.details }) }
        })
      }
      if (recorder === undefined) return
      try {
        const at = Date.now()
        // what an untrusted caller says of itself is not written down as fact
        await recorder.record(auditRecord(route, { uid, params: (req.params ?? {}) as Record<string, unknown>, ...(trusted ? { caller } : {}) }, { at, ms: at - started, msgid: trusted ? caller.msgid : null, error, result }))
      } catch (err) {
        log(`[sunbird] could not record ${route.method.toUpperCase()} ${route.path} in the audit log`, err)
      }
    })
  }
}

/** NodeBB's own fields (`_uid`, upload `files`) are transport, not part of our request. */
function stripNodebbFields (body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body
  const { _uid: _ignored, ...rest } = body as Record<string, unknown>
  return rest
}
