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
  userNotificationsRead: '/sunbird/users/:identifier/notifications/read',
  /** Sunbird's existing portal: a forum under an ACP-allowed parent category, and a context's forums removed. */
  legacyForums: '/sunbird/legacy/forums',
  legacyForumsRemove: '/sunbird/legacy/forums/remove'
} as const

/**
 * What the adapter tells the plugin about a call beyond `_uid`, each header percent-encoded: the
 * envelope's msgid, the API consumer, the Sunbird user acting (their token's subject; absent when a
 * trusted service acts on its own) and the idempotency TTL. Only the master token (the adapter)
 * and administrators reach the plugin's routes, so they are trusted as sent.
 */
export const callerHeaders = {
  msgid: 'x-sunbird-msgid',
  consumer: 'x-sunbird-consumer',
  user: 'x-sunbird-user',
  /** How long a msgid is remembered (IDEMPOTENCY_TTL_SECONDS), so the plugin's records last as the adapter's do. */
  ttl: 'x-sunbird-idempotency-ttl'
} as const
export const msgidHeader = callerHeaders.msgid

/** Where NodeBB mounts the Write API's plugin routes. */
export const pluginMount = '/api/v3/plugins'
