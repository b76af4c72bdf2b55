import { noCaller } from '../../plugin/caller'
import { pluginRoutes, toApiError, type PluginRoute } from '../../plugin/routes'
import { memorySettingsStore } from '../../plugin/acp/settings'
import { ApiError } from '../../shared/errors'
import { apiErrorOf, harness, type PluginHarness } from './helper'

/** The plugin harness plus query strings and a settings store of its own, for the ACP routes. */
export interface AcpHarness extends PluginHarness {
  settings: ReturnType<typeof memorySettingsStore>
  acpRoutes: PluginRoute[]
  /** Calls a route with query parameters (the ACP's GETs take them). */
  query: (method: PluginRoute['method'], path: string, query?: Record<string, unknown>, body?: unknown) => Promise<any>
  queryFail: (method: PluginRoute['method'], path: string, query?: Record<string, unknown>, body?: unknown) => Promise<ApiError>
}

export function acpHarness (initialSettings: Record<string, unknown> = {}): AcpHarness {
  const h = harness()
  const settings = memorySettingsStore(initialSettings)
  const routes = pluginRoutes(h.fake, { settings })
  const query: AcpHarness['query'] = async (method, path, q = {}, body = undefined) => {
    const route = routes.find((r) => r.method === method && r.path === path)
    if (route === undefined) throw new Error(`no route ${method} ${path}`)
    try {
      return await route.handler({ uid: h.admin, params: {}, query: q, body, caller: noCaller })
    } catch (err) {
      throw toApiError(err)
    }
  }
  return {
    ...h,
    settings,
    acpRoutes: routes,
    query,
    queryFail: (method, path, q = {}, body = undefined) => apiErrorOf(query(method, path, q, body), `${method} ${path}`)
  }
}
