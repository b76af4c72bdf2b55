/**
 * The plugin's Write API routes, relative to NodeBB's `/api/v3/plugins`: one table for the plugin
 * that mounts them and the adapter that calls them.
 */
export const pluginPaths = {
  status: '/sunbird/status',
  users: '/sunbird/users',
  user: '/sunbird/users/:identifier',
  userUid: '/sunbird/users/:identifier/uid',
  forums: '/sunbird/forums',
  forum: '/sunbird/forums/:forumId',
  contextForums: '/sunbird/contexts/:type/:identifier/forums',
  drift: '/sunbird/drift',
  repair: '/sunbird/forums/:forumId/repair',
  activity: '/sunbird/activity',
  notifications: '/sunbird/notifications',
  userNotifications: '/sunbird/users/:identifier/notifications',
  userNotificationsRead: '/sunbird/users/:identifier/notifications/read'
} as const

/** The header that carries the envelope's msgid from the adapter to the plugin (percent-encoded). */
export const msgidHeader = 'x-sunbird-msgid'

/** Where NodeBB mounts the Write API's plugin routes. */
export const pluginMount = '/api/v3/plugins'
