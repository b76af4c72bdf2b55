import type { RecordOptions } from '../../plugin/idempotency/records'
import { noCaller, type CallerContext } from '../../plugin/caller'
import { pluginRoutes, pluginPaths, toApiError, type PluginRoute } from '../../plugin/routes'
import { ApiError } from '../../shared/errors'
import { createFakePlatform, type FakePlatform } from './fake-platform'
import { memorySettingsStore } from '../../plugin/acp/settings'
import { ActivityService, type ActivityServiceOptions } from '../../plugin/activity/service'
import { Store } from '../../plugin/store'
import type { ForumRepair } from '../../plugin/forum/repair'
import type { UserService } from '../../plugin/user-service'
import { activityPaths } from '../../plugin/activity/routes'
import type { WebhookOutbox } from '../../plugin/activity/webhooks'
import { acpPaths } from '../../plugin/acp/paths'
import type { ForumDeleteResult, ForumFetchResult, ForumReadResult, ForumResult } from '../../shared/schemas/forum'
import type { UserCreateResult, UserEnsureResult, UserReadResult } from '../../shared/schemas/user'
import type { ActivityCreateResult, ActivityListResult } from '../../shared/schemas/activity'
import type { NotificationListResult, NotificationMarkReadResult, NotificationSendResult } from '../../shared/schemas/notification'
import type { publicSettings } from '../../plugin/acp/settings'

/** The ApiError a call rejects with; anything else it throws is rethrown, and success is a failure. */
export async function apiErrorOf (call: Promise<unknown>, what: string): Promise<ApiError> {
  try {
    await call
  } catch (err) {
    if (err instanceof ApiError) return err
    throw err
  }
  throw new Error(`${what} succeeded but should have failed`)
}

export { pluginPaths }

/** One call's parts beside the acting uid. */
export interface CallArgs { params?: Record<string, string>, body?: unknown, query?: Record<string, unknown>, caller?: CallerContext }

type Answer<F extends (...args: any[]) => Promise<unknown>> = Awaited<ReturnType<F>>
type Row<M extends PluginRoute['method'], Path extends string, R> = { method: M, path: Path, result: R }
type P = typeof pluginPaths

/** What each route answers, by method and path: the shared schemas' types (the adapter checks the same), else the service's. */
type RouteTable =
  | Row<'get', P['status'], { plugin: string, version: string }>
  | Row<'post', P['users'], UserCreateResult>
  | Row<'get', P['user'], UserReadResult>
  | Row<'put', P['user'], UserEnsureResult>
  | Row<'get', P['userUid'], Answer<UserService['uid']>>
  | Row<'post', P['forums'], ForumResult>
  | Row<'get', P['forum'], ForumReadResult>
  | Row<'patch', P['forum'], ForumResult>
  | Row<'delete', P['forum'], ForumDeleteResult>
  | Row<'get', P['contextForums'], ForumFetchResult>
  | Row<'get', P['drift'], Answer<ForumRepair['driftReport']>>
  | Row<'post', P['repair'], Answer<ForumRepair['repair']>>
  | Row<'get', P['activity'], ActivityListResult>
  | Row<'post', P['activity'], ActivityCreateResult>
  | Row<'post', P['notifications'], NotificationSendResult>
  | Row<'get', P['userNotifications'], NotificationListResult>
  | Row<'put', P['userNotificationsRead'], NotificationMarkReadResult>
  | Row<'get', typeof activityPaths.webhookStatus, Answer<WebhookOutbox['status']>>
  | Row<'get', typeof acpPaths.settings, ReturnType<typeof publicSettings>>
  | Row<'put', typeof acpPaths.settings, ReturnType<typeof publicSettings>>

/** The answer of one route; `unknown` for a route the table does not list (a test then says what it expects). */
export type RouteResult<M extends PluginRoute['method'], Path extends string> =
  [Extract<RouteTable, { method: M, path: Path }>] extends [never] ? unknown : Extract<RouteTable, { method: M, path: Path }>['result']

export interface PluginHarness {
  fake: FakePlatform
  routes: PluginRoute[]
  /** The ACP settings the routes and the activity service read. */
  settings: ReturnType<typeof memorySettingsStore>
  /** The activity service the routes use (tests call its hook entry point). */
  activity: ActivityService
  /** An admin (the adapter's service uid). */
  admin: number
  /** Calls one route as `uid`; resolves the result or rejects with the ApiError. */
  call: <M extends PluginRoute['method'], Path extends string>(method: M, path: Path, uid: number, args?: CallArgs) => Promise<RouteResult<M, Path>>
  /** Calls one route and returns the ApiError it fails with (fails the caller if it succeeds). */
  fail: (method: PluginRoute['method'], path: string, uid: number, args?: CallArgs) => Promise<ApiError>
  /** Creates a Sunbird user and returns its uid. */
  user: (identifier: string, username?: string) => Promise<number>
}

let suffixCounter = 0

export interface HarnessOptions {
  now?: () => number
  activity?: ActivityServiceOptions
  idempotency?: RecordOptions
  /** Another harness's platform: a NodeBB restarted on the same database (its route table is new). */
  platform?: FakePlatform
}

export function harness (options: HarnessOptions = {}): PluginHarness {
  const fake = options.platform ?? createFakePlatform(options.now === undefined ? {} : { now: options.now })
  const settings = memorySettingsStore()
  const activity = new ActivityService(fake, new Store(fake.db), settings, options.activity ?? {})
  const routes = pluginRoutes(fake, { suffix: () => `s${(++suffixCounter).toString(36)}`, settings, activity, ...(options.idempotency === undefined ? {} : { idempotency: options.idempotency }) })
  const admin = options.platform === undefined ? fake.addUser('admin', { admin: true }) : 1
  const find = (method: string, path: string): PluginRoute => {
    const route = routes.find((r) => r.method === method && r.path === path)
    if (route === undefined) throw new Error(`no route ${method} ${path}`)
    return route
  }
  // as the NodeBB mounting does: anything but an ApiError answers INTERNAL_ERROR
  const call: PluginHarness['call'] = async <M extends PluginRoute['method'], Path extends string>(method: M, path: Path, uid: number, args: CallArgs = {}) => {
    try {
      // the route table's answers are unknown to the type system; RouteTable says what each one is
      return await find(method, path).handler({ uid, params: args.params ?? {}, query: args.query ?? {}, body: args.body, caller: args.caller ?? noCaller }) as RouteResult<M, Path>
    } catch (err) {
      throw toApiError(err)
    }
  }
  return {
    fake,
    routes,
    settings,
    activity,
    admin,
    call,
    fail: (method, path, uid, args = {}) => apiErrorOf(call(method, path, uid, args), `${method} ${path}`),
    async user (identifier, username = identifier.replace(/[^A-Za-z0-9]/g, '').slice(0, 16)) {
      const result = await call('post', pluginPaths.users, admin, { body: { identifier, username } })
      return result.uid
    }
  }
}
