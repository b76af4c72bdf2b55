import { ApiError } from '../../shared/errors'
import { pluginPaths } from '../../shared/plugin-paths'
import { ActivityCreateRequest, ActivityListRequest, activityRequestFromQuery } from '../../shared/schemas/activity'
import { requestFromQuery } from '../../shared/schemas/query'
import { NotificationListRequest, NotificationMarkReadRequest, NotificationSendRequest } from '../../shared/schemas/notification'
import { UserIdentifierParams } from '../../shared/schemas/user'
import type { PluginRoute } from '../routes'
import { validate } from '../validate'
import type { NotificationService } from '../notification-service'
import type { ActivityService } from './service'

/** Plugin-only routes (the ACP and operators read them; the adapter does not call them). */
export const activityPaths = {
  webhookStatus: '/sunbird/webhooks/status'
} as const

function bodyObject (body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('INVALID_REQUEST', 'body must be an object')
  return body as Record<string, unknown>
}

export function activityRoutes (activity: ActivityService, notifications: NotificationService): PluginRoute[] {
  return [
    {
      method: 'get',
      path: pluginPaths.activity,
      handler: async ({ query, uid }) => activity.list(validate(ActivityListRequest, activityRequestFromQuery(query), 'query'), uid)
    },
    {
      // an app's own event (seed 000); exactly once per msgid through the plugin's records
      method: 'post',
      path: pluginPaths.activity,
      once: true,
      handler: async ({ body, uid }) => activity.create(validate(ActivityCreateRequest, body, 'body'), uid)
    },
    {
      method: 'get',
      path: activityPaths.webhookStatus,
      handler: async () => activity.outbox.status()
    },
    {
      method: 'post',
      path: pluginPaths.notifications,
      once: true,
      handler: async ({ body, uid }) => notifications.send(validate(NotificationSendRequest, body, 'body'), uid)
    },
    {
      method: 'get',
      path: pluginPaths.userNotifications,
      handler: async ({ params, query, uid }) => {
        const { identifier } = validate(UserIdentifierParams, params, 'params')
        return notifications.list(validate(NotificationListRequest, { user: identifier, ...requestFromQuery(NotificationListRequest, query) }, 'query'), uid)
      }
    },
    {
      method: 'put',
      path: pluginPaths.userNotificationsRead,
      once: true,
      handler: async ({ params, body, uid }) => {
        const { identifier } = validate(UserIdentifierParams, params, 'params')
        return notifications.markRead(validate(NotificationMarkReadRequest, { ...bodyObject(body), user: identifier }, 'body'), uid)
      }
    }
  ]
}
