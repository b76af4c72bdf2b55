import { packageInfo } from '../shared/package-info'
import { Type } from '@sinclair/typebox'
import { ApiError, isApiError } from '../shared/errors'
import { ForumCreateRequest, ForumIdParams, ForumUpdateRequest } from '../shared/schemas/forum'
import { UserCreateRequest, UserEnsureRequest, UserIdentifierParams } from '../shared/schemas/user'
import { Context } from '../shared/schemas/common'
import type { Platform } from './platform'
import type { CallerContext } from './caller'
import { Store } from './store'
import { randomBytes } from 'node:crypto'
import { ForumService } from './forum/service'
import { ForumRepair } from './forum/repair'
import { LegacyForums } from './forum/legacy'
import { LegacyForumCreatePlugin, LegacyForumRemovePlugin } from '../shared/schemas/legacy'
import { UserService } from './user-service'
import { validate } from './validate'
import { pluginPaths as corePaths } from '../shared/plugin-paths'
import { acpPaths, acpRoutes } from './acp/routes'
import { memorySettingsStore, type SettingsStore } from './acp/settings'
import type { AuditInput } from './acp/audit-recorder'
import { trailOf } from './audit-trail'
import { ActivityService } from './activity/service'
import { activityPaths, activityRoutes } from './activity/routes'
import { NotificationService } from './notification-service'
import { IdempotencyRecords, type RecordOptions } from './idempotency/records'
import { idempotent, type Journal } from './idempotency/run'

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
  /** What the adapter said of the caller (msgid, API consumer, acting user). */
  caller: CallerContext
  /** Set on an exactly-once write: services note what they create here (plugin/idempotency). */
  journal?: Journal
}

export interface PluginRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  path: string
  handler: (call: RouteCall) => Promise<unknown>
  /** A write that runs at most once per msgid (the plugin's idempotency records). */
  once?: true
}

/** What a failed handler answers: its ApiError, or INTERNAL_ERROR for anything else (never its message). */
export function toApiError (err: unknown): ApiError {
  return isApiError(err) ? err : new ApiError('INTERNAL_ERROR')
}

export interface RouteOptions {
  log?: (msg: string, err?: unknown) => void
  suffix?: () => string
  /** Where the ACP settings are read and saved (meta.settings in NodeBB; in memory when not given). */
  settings?: SettingsStore
  /** The activity service the hooks record through (one per process); made here when not given. */
  activity?: ActivityService
  /** Idempotency record timing (tests shorten it). */
  idempotency?: RecordOptions
}

/**
 * The audit recording hook point: what the mounting reports after every call that reached a
 * route, answered or refused. `forumId` is the route's own; what a change did comes from the
 * trail its handler filed with the answer (audit-trail.ts). `caller` only from a trusted call.
 */
export function auditRecord (route: Pick<PluginRoute, 'method' | 'path'>, call: { uid: number, params: Record<string, unknown>, caller?: CallerContext }, outcome: { at: number, ms: number, msgid: string | null, error: string | null, result?: unknown }): AuditInput {
  const fromParams = call.params.forumId
  const trail = outcome.error === null ? trailOf(outcome.result) : undefined
  return {
    at: outcome.at,
    msgid: outcome.msgid,
    uid: call.uid,
    route: `${route.method.toUpperCase()} ${route.path}`,
    forumId: typeof fromParams === 'string' ? fromParams.slice(0, 16) : null,
    outcome: outcome.error ?? 'ok',
    ms: outcome.ms,
    caller: { consumer: call.caller?.consumer ?? null, user: call.caller?.user ?? null },
    ...(trail === undefined ? {} : { trail })
  }
}

export const pluginPaths = {
  ...corePaths,
  ...acpPaths,
  ...activityPaths
} as const

/** Every route of the plugin, bound to one platform (NodeBB, or the fake in tests). */
export function pluginRoutes (platform: Platform, options: RouteOptions = {}): PluginRoute[] {
  const store = new Store(platform.db)
  const forums = new ForumService(platform, store, options)
  const suffix = options.suffix ?? (() => randomBytes(5).toString('hex'))
  const repair = new ForumRepair(platform, store, forums, suffix)
  const legacy = new LegacyForums(platform, store, forums, suffix)
  const users = new UserService(platform, store)
  const settings = options.settings ?? memorySettingsStore()
  const activity = options.activity ?? new ActivityService(platform, store, settings, options.log === undefined ? {} : { log: options.log })
  const routes: PluginRoute[] = [
    {
      method: 'get',
      path: pluginPaths.status,
      handler: async () => ({ plugin: packageInfo.name, version: packageInfo.version })
    },
    {
      method: 'post',
      path: pluginPaths.users,
      once: true,
      handler: async (call) => users.create(validate(UserCreateRequest, call.body, 'body'), call.journal)
    },
    {
      method: 'get',
      path: pluginPaths.user,
      handler: async (call) => users.read(validate(UserIdentifierParams, call.params, 'params').identifier)
    },
    {
      // the adapter's passthrough, for a user with no account yet (AUTO_CREATE_USERS); idempotent by nature
      method: 'put',
      path: pluginPaths.user,
      handler: async (call) => users.ensure(validate(UserIdentifierParams, call.params, 'params').identifier, validate(UserEnsureRequest, call.body, 'body').username)
    },
    {
      method: 'get',
      path: pluginPaths.userUid,
      handler: async (call) => users.uid(validate(UserIdentifierParams, call.params, 'params').identifier)
    },
    {
      method: 'post',
      path: pluginPaths.forums,
      once: true,
      handler: async (call) => forums.create(validate(ForumCreateRequest, call.body, 'body'), call.uid, call.journal)
    },
    {
      method: 'get',
      path: pluginPaths.forum,
      handler: async (call) => forums.read(validate(ForumIdParams, call.params, 'params').forumId, call.uid)
    },
    {
      method: 'patch',
      path: pluginPaths.forum,
      once: true,
      handler: async (call) => forums.update(validate(ForumIdParams, call.params, 'params').forumId, validate(ForumUpdateRequest, call.body, 'body'), call.uid, call.journal)
    },
    {
      method: 'delete',
      path: pluginPaths.forum,
      once: true,
      handler: async (call) => forums.delete(validate(ForumIdParams, call.params, 'params').forumId, call.uid)
    },
    {
      method: 'get',
      path: pluginPaths.contextForums,
      handler: async (call) => forums.fetch(validate(Type.Object({ type: Context.properties.type, identifier: Context.properties.identifier }, { additionalProperties: false }), call.params, 'params'), call.uid)
    },
    {
      // Sunbird's existing portal (forum/v3/create, forum/v2/remove), acting as the user the adapter names
      method: 'post',
      path: pluginPaths.legacyForums,
      once: true,
      handler: async (call) => legacy.create(validate(LegacyForumCreatePlugin, call.body, 'body'), call.uid, call.journal)
    },
    {
      method: 'post',
      path: pluginPaths.legacyForumsRemove,
      once: true,
      handler: async (call) => legacy.remove(validate(LegacyForumRemovePlugin, call.body, 'body'), call.uid)
    },
    {
      method: 'get',
      path: pluginPaths.drift,
      handler: async () => repair.driftReport()
    },
    {
      method: 'post',
      path: pluginPaths.repair,
      handler: async (call) => repair.repair(validate(ForumIdParams, call.params, 'params').forumId, call.uid)
    }
  ]
  routes.push(...activityRoutes(activity, new NotificationService(platform, store)))
  routes.push(...acpRoutes({ platform, store, settings, routes: () => routes.map((r) => `${r.method.toUpperCase()} ${r.path}`) }))
  const records = new IdempotencyRecords(platform.db, options.idempotency)
  return routes.map((route) => route.once === true
    ? { ...route, handler: idempotent({ method: route.method, path: route.path, handler: (call, journal) => route.handler(journal === undefined ? call : { ...call, journal }) }, records, platform, store) }
    : route)
}
