/**
 * The plugin's Write API routes the adapter calls, relative to `/api/v3/plugins`. They mirror
 * `pluginPaths` in plugin/routes.ts (a test holds the two equal); the adapter keeps its own copy so
 * that it does not import the plugin's services into its process.
 */
export const nodebbPaths = {
  status: '/sunbird/status',
  users: '/sunbird/users',
  user: '/sunbird/users/:identifier',
  userUid: '/sunbird/users/:identifier/uid',
  forums: '/sunbird/forums',
  forum: '/sunbird/forums/:forumId',
  contextForums: '/sunbird/contexts/:type/:identifier/forums'
} as const

export type NodebbPath = typeof nodebbPaths[keyof typeof nodebbPaths]

/** Where the Write API's plugin routes are mounted in NodeBB. */
export const pluginMount = '/api/v3/plugins'

/** A path template with its `:name` segments filled in, each percent-encoded. */
export function fillPath (template: string, params: Record<string, string> = {}): string {
  return template.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`no value for :${name} in ${template}`)
    return encodeURIComponent(value)
  })
}
