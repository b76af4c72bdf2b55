/**
 * The plugin's Write API routes as plain data: a method, a path under /api/v3/plugins and a
 * handler from a call to a result. NodeBB mounting lives in nodebb/api-routes.ts; tests and the
 * adapter's HTTP stand-in mount the same table on their own servers.
 */
export interface RouteCall {
  /** The acting NodeBB uid (`_uid` with the master token). */
  uid: number
  params: Record<string, string>
  query: Record<string, unknown>
  body: unknown
}

export interface PluginRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  path: string
  handler: (call: RouteCall) => Promise<unknown>
}

export const PLUGIN_VERSION = '0.1.0'

/** Routes that need no NodeBB state; the rest are added by the services that own them. */
export function baseRoutes (): PluginRoute[] {
  return [
    {
      method: 'get',
      path: '/sunbird/status',
      handler: async () => ({ plugin: 'nodebb-plugin-sunbird-discussions', version: PLUGIN_VERSION })
    }
  ]
}
