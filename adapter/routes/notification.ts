import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { apiIds } from '../../shared/envelope'
import { ApiError } from '../../shared/errors'
import { errorResponses, requestEnvelope, responseEnvelope } from '../../shared/schemas/common'
import {
  NotificationListRequest, NotificationListResult, NotificationMarkReadRequest, NotificationMarkReadResult,
  NotificationSendRequest, NotificationSendResult, sendTargetProblem
} from '../../shared/schemas/notification'
import { nodebbPaths } from '../nodebb/paths'
import { queryFromRequest } from '../../shared/schemas/query'
import { callerSecurity } from './security-schemes'

/** Notifications: NodeBB's own (its bell), for Sunbird users. */
const notificationRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/api/notification/v1/send', {
    config: { apiId: apiIds.notificationSend, idempotent: true },
    schema: {
      tags: ['notifications'],
      security: callerSecurity,
      summary: 'Send a notification',
      description: 'A NodeBB notification to `users` (Sunbird ids) or to every member of `forum` with at least read. An unknown user: USER_NOT_FOUND listing them, nothing sent. Sending to users needs a service or an administrator; to a forum, `moderate` on it. `from` is the caller unless a service or administrator names another user.',
      body: requestEnvelope(NotificationSendRequest),
      response: { 200: responseEnvelope(NotificationSendResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const problem = sendTargetProblem(request.body.request)
    if (problem !== null) throw new ApiError('INVALID_REQUEST', problem)
    const actor = await fastify.actor(request)
    const result = await fastify.nodebb.call<NotificationSendResult>('POST', nodebbPaths.notifications, { uid: actor.uid, body: request.body.request, request })
    return reply.envelope(result)
  })

  fastify.post('/api/notification/v1/list', {
    config: { apiId: apiIds.notificationList },
    schema: {
      tags: ['notifications'],
      security: callerSecurity,
      summary: 'List a user\'s notifications',
      description: 'The user\'s NodeBB notifications (NodeBB\'s own included), newest first, with read state. A user may list only their own.',
      body: requestEnvelope(NotificationListRequest),
      response: { 200: responseEnvelope(NotificationListResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const actor = await fastify.actor(request)
    const { user, ...rest } = request.body.request
    const result = await fastify.nodebb.call<NotificationListResult>('GET', nodebbPaths.userNotifications, { uid: actor.uid, params: { identifier: user }, query: queryFromRequest(rest), request })
    return reply.envelope(result)
  })

  fastify.post('/api/notification/v1/mark-read', {
    config: { apiId: apiIds.notificationMarkRead, idempotent: true },
    schema: {
      tags: ['notifications'],
      security: callerSecurity,
      summary: 'Mark notifications read',
      description: '`ids` (the user\'s own unread ones; others are ignored), or `all: true`. A user may mark only their own.',
      body: requestEnvelope(NotificationMarkReadRequest),
      response: { 200: responseEnvelope(NotificationMarkReadResult), ...errorResponses }
    }
  }, async (request, reply) => {
    const actor = await fastify.actor(request)
    const { user, ...body } = request.body.request
    const result = await fastify.nodebb.call<NotificationMarkReadResult>('PUT', nodebbPaths.userNotificationsRead, { uid: actor.uid, params: { identifier: user }, body, request })
    return reply.envelope(result)
  })
}

export default notificationRoutes
