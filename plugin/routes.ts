import { Type } from '@sinclair/typebox'
import { ApiError, isApiError } from '../shared/errors'
import { ForumCreateRequest, ForumIdParams, ForumUpdateRequest } from '../shared/schemas/forum'
import { UserCreateRequest, UserIdentifierParams } from '../shared/schemas/user'
import { Context } from '../shared/schemas/common'
import type { Platform } from './platform'
import { Store } from './store'
import { ForumService } from './forum/service'
import { UserService } from './user-service'
import { validate } from './validate'

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

/** What a failed handler answers: its ApiError, or INTERNAL_ERROR for anything else (never its message). */
export function toApiError (err: unknown): ApiError {
  return isApiError(err) ? err : new ApiError('INTERNAL_ERROR')
}

export interface RouteOptions {
  log?: (msg: string, err?: unknown) => void
  suffix?: () => string
}

export const pluginPaths = {
  status: '/sunbird/status',
  users: '/sunbird/users',
  user: '/sunbird/users/:identifier',
  forums: '/sunbird/forums',
  forum: '/sunbird/forums/:forumId',
  contextForums: '/sunbird/contexts/:type/:identifier/forums',
  drift: '/sunbird/drift',
  repair: '/sunbird/forums/:forumId/repair'
} as const

/** Every route of the plugin, bound to one platform (NodeBB, or the fake in tests). */
export function pluginRoutes (platform: Platform, options: RouteOptions = {}): PluginRoute[] {
  const store = new Store(platform.db)
  const forums = new ForumService(platform, store, options)
  const users = new UserService(platform, store)
  return [
    {
      method: 'get',
      path: pluginPaths.status,
      handler: async () => ({ plugin: 'nodebb-plugin-sunbird-discussions', version: PLUGIN_VERSION })
    },
    {
      method: 'post',
      path: pluginPaths.users,
      handler: async (call) => users.create(validate(UserCreateRequest, call.body, 'body'))
    },
    {
      method: 'get',
      path: pluginPaths.user,
      handler: async (call) => users.read(validate(UserIdentifierParams, call.params, 'params').identifier)
    },
    {
      method: 'post',
      path: pluginPaths.forums,
      handler: async (call) => forums.create(validate(ForumCreateRequest, call.body, 'body'), call.uid)
    },
    {
      method: 'get',
      path: pluginPaths.forum,
      handler: async (call) => forums.read(validate(ForumIdParams, call.params, 'params').forumId)
    },
    {
      method: 'patch',
      path: pluginPaths.forum,
      handler: async (call) => forums.update(validate(ForumIdParams, call.params, 'params').forumId, validate(ForumUpdateRequest, call.body, 'body'), call.uid)
    },
    {
      method: 'delete',
      path: pluginPaths.forum,
      handler: async (call) => forums.delete(validate(ForumIdParams, call.params, 'params').forumId, call.uid)
    },
    {
      method: 'get',
      path: pluginPaths.contextForums,
      handler: async (call) => forums.fetch(validate(Type.Object({ type: Context.properties.type, identifier: Context.properties.identifier }, { additionalProperties: false }), call.params, 'params'))
    },
    {
      method: 'get',
      path: pluginPaths.drift,
      handler: async () => forums.driftReport()
    },
    {
      method: 'post',
      path: pluginPaths.repair,
      handler: async (call) => forums.repair(validate(ForumIdParams, call.params, 'params').forumId, call.uid)
    }
  ]
}
