import { noCaller, type CallerContext } from '../../../plugin/caller'
import { auditRecord, pluginRoutes, toApiError, type PluginRoute } from '../../../plugin/routes'
import { memorySettingsStore } from '../../../plugin/acp/settings'
import { AuditRecorder } from '../../../plugin/acp/audit-recorder'
import { Store } from '../../../plugin/store'
import { ApiError } from '../../../shared/errors'
import { apiErrorOf, harness, type CallArgs, type PluginHarness } from '../helper'

/** The plugin harness plus query strings and a settings store of its own, for the ACP routes. */
export interface AcpHarness extends PluginHarness {
  settings: ReturnType<typeof memorySettingsStore>
  acpRoutes: PluginRoute[]
  /** Calls a route with query parameters (the ACP's GETs take them). */
  query: (method: PluginRoute['method'], path: string, query?: Record<string, unknown>, body?: unknown) => Promise<any>
  queryFail: (method: PluginRoute['method'], path: string, query?: Record<string, unknown>, body?: unknown) => Promise<ApiError>
  /** The audit recorder over the harness's database. */
  recorder: AuditRecorder
  /**
   * Calls a route as the NodeBB mounting does and hands the outcome to the audit recorder: the
   * answer, or the error code it failed with.
   */
  audited: (method: PluginRoute['method'], path: string, uid: number, args?: CallArgs & { at?: number }) => Promise<{ result?: any, error: string | null }>
}

export function acpHarness (initialSettings: Record<string, unknown> = {}): AcpHarness {
  const h = harness()
  const settings = memorySettingsStore(initialSettings)
  const routes = pluginRoutes(h.fake, { settings })
  const find = (method: string, path: string): PluginRoute => {
    const route = routes.find((r) => r.method === method && r.path === path)
    if (route === undefined) throw new Error(`no route ${method} ${path}`)
    return route
  }
  const query: AcpHarness['query'] = async (method, path, q = {}, body = undefined) => {
    try {
      return await find(method, path).handler({ uid: h.admin, params: {}, query: q, body, caller: noCaller })
    } catch (err) {
      throw toApiError(err)
    }
  }
  const recorder = new AuditRecorder(h.fake, new Store(h.fake.db))
  const audited: AcpHarness['audited'] = async (method, path, uid, args = {}) => {
    const route = find(method, path)
    const caller: CallerContext = args.caller ?? noCaller
    let result: unknown
    let error: string | null = null
    try {
      result = await route.handler({ uid, params: args.params ?? {}, query: args.query ?? {}, body: args.body, caller })
    } catch (err) {
      error = toApiError(err).code
    }
    await recorder.record(auditRecord(route, { uid, params: args.params ?? {}, caller }, { at: args.at ?? Date.now(), ms: 1, msgid: caller.msgid, error, result }))
    return { result, error }
  }
  return {
    ...h,
    settings,
    acpRoutes: routes,
    query,
    queryFail: (method, path, q = {}, body = undefined) => apiErrorOf(query(method, path, q, body), `${method} ${path}`),
    recorder,
    audited
  }
}
