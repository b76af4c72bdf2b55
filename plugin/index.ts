import type { RequestHandler, Router } from 'express'
import { mountRoutes } from './nodebb/api-routes'
import { nodebbCallerCheck } from './nodebb/callers'
import { nodebbPlatform } from './nodebb/platform'
import { notePushed } from './nodebb/notifications'
import { nodebbLog } from './nodebb/log'
import type { Platform } from './platform'
import { pluginRoutes } from './routes'
import { Cleanup } from './cleanup'
import { mountAdminPage, nodebbSettingsStore } from './nodebb/acp-page'
import { SETTINGS_HASH } from './nodebb/platform'
import { AuditRecorder } from './acp/audit-recorder'
import { validateSettings } from './acp/settings'
import { ActivityService } from './activity/service'
import { activityHooks } from './activity/events'
import { Store } from './store'

/**
 * NodeBB hook entry points (plugin.json). Each is one line of glue: the logic lives in modules
 * that work on the Platform interface and are tested without NodeBB.
 */

let platform: Platform | null = null
const getPlatform = (): Platform => (platform ??= nodebbPlatform())
const log = nodebbLog.error

/** Webhook worker cadence, and a pass soon after something is queued. */
const deliverEveryMs = 5000
const trimEveryMs = 60 * 60 * 1000
let activity: ActivityService | null = null
let deliverySoon: NodeJS.Timeout | null = null
let timers: NodeJS.Timeout[] = []

function deliver (): void {
  getActivity().outbox.deliverDue().catch((err: unknown) => log('[sunbird] webhook delivery pass failed', err))
}

function getActivity (): ActivityService {
  return (activity ??= new ActivityService(getPlatform(), new Store(getPlatform().db), nodebbSettingsStore(), {
    log,
    onQueued: () => { deliverySoon ??= setTimeout(() => { deliverySoon = null; deliver() }, 200) }
  }))
}

/** `static:app.load`: the ACP page, and the activity timers (webhook worker, retention trim). */
export async function init (params: { router: Router }): Promise<void> {
  mountAdminPage(params.router)
  stopTimers()
  // unref: NodeBB 4 fires no shutdown hook; the timers must not keep a stopping process alive
  timers = [
    setInterval(deliver, deliverEveryMs),
    setInterval(() => {
      const a = getActivity()
      a.retention().then((r) => a.log.trim(r)).catch((err: unknown) => log('[sunbird] activity trim failed', err))
    }, trimEveryMs)
  ]
  for (const timer of timers) timer.unref()
  nodebbLog.info('[sunbird] plugin loaded')
}

/** Clears the activity timers (a reload of the plugin, and tests). */
export function stopTimers (): void {
  for (const timer of timers) clearInterval(timer)
  timers = []
  if (deliverySoon !== null) clearTimeout(deliverySoon)
  deliverySoon = null
}

/**
 * One handler per NodeBB action hook in activityHooks (plugin.json names them): fire and forget,
 * so recording never slows or fails a post; a failure is logged.
 */
function activityHandler (hook: string): (payload: unknown) => Promise<void> {
  return async (payload) => {
    getActivity().onHook(hook, payload).catch((err: unknown) => log(`[sunbird] could not record ${hook}`, err))
  }
}

const handlers = Object.fromEntries(Object.entries(activityHooks).map(([hook, { method }]) => [method, activityHandler(hook)]))
export const onTopicPost = handlers.onTopicPost
export const onTopicReply = handlers.onTopicReply
export const onPostEdit = handlers.onPostEdit
export const onPostDelete = handlers.onPostDelete
export const onPostRestore = handlers.onPostRestore
export const onPostsPurge = handlers.onPostsPurge
export const onPostUpvote = handlers.onPostUpvote
export const onPostDownvote = handlers.onPostDownvote
export const onPostUnvote = handlers.onPostUnvote
export const onTopicLock = handlers.onTopicLock
export const onTopicPin = handlers.onTopicPin
export const onTopicMove = handlers.onTopicMove
export const onTopicDelete = handlers.onTopicDelete
export const onTopicRestore = handlers.onTopicRestore
export const onTopicsPurge = handlers.onTopicsPurge

/** `static:api.routes`: the Sunbird routes under /api/v3/plugins/sunbird, each call recorded in the audit log. */
export async function addRoutes (params: { router: Router, middleware: Record<string, RequestHandler> }): Promise<void> {
  const p = getPlatform()
  mountRoutes(params, pluginRoutes(p, { log, settings: nodebbSettingsStore(), activity: getActivity() }), nodebbCallerCheck(), log, new AuditRecorder(p, new Store(p.db)))
}

interface AdminHeader { plugins: Array<{ route: string, icon: string, name: string }> }

/** `filter:admin.header.build`: the ACP menu entry under Plugins. */
export async function addAdminNavigation (header: AdminHeader): Promise<AdminHeader> {
  header.plugins.push({ route: '/plugins/sunbird-discussions', icon: 'fa-sun', name: 'Sunbird Discussions' })
  return header
}

interface SettingsSetHook { plugin: string, settings: Record<string, unknown>, quiet?: boolean }

/**
 * `filter:settings.set`: every save of our settings (the ACP form, the settings route, code) is
 * checked and normalised here; a refusal reaches the ACP as NodeBB's "changes not saved" alert.
 */
export async function onSettingsSet (hook: SettingsSetHook): Promise<SettingsSetHook> {
  if (hook.plugin !== SETTINGS_HASH) return hook
  try {
    hook.settings = validateSettings(hook.settings, await nodebbSettingsStore().read())
    // quiet: NodeBB would otherwise ask for a restart, and ours are read on every use
    hook.quiet = true
  } catch (err) {
    // NodeBB shows the message inside a translation string, where a comma starts a new argument
    throw new Error((err instanceof Error ? err.message : String(err)).replaceAll(',', '&#44;'))
  }
  return hook
}

interface CategoryCreateHook {
  data: { sunbirdPrivate?: boolean }
  defaultPrivileges: string[]
  guestPrivileges: string[]
  modPrivileges: string[]
}

/**
 * `filter:category.create`: a private Sunbird forum never gets NodeBB's default grants to
 * registered-users, fediverse, guests and spiders (cheaper and safer than granting then rescinding).
 */
export async function onCategoryCreate (hook: CategoryCreateHook): Promise<CategoryCreateHook> {
  if (hook.data.sunbirdPrivate === true) {
    hook.defaultPrivileges = []
    hook.guestPrivileges = []
  }
  return hook
}

/** `filter:post.shouldQueue`: Sunbird users are verified users; they skip the post queue (setting, on by default). */
export async function onShouldQueue (hook: { shouldQueue: boolean, uid: number }): Promise<{ shouldQueue: boolean, uid: number }> {
  if (hook.shouldQueue && await exempt(hook.uid)) hook.shouldQueue = false
  return hook
}

/** `filter:user.posts.isReady`: ... and NodeBB's new-user posting delays. */
export async function onPostsIsReady (hook: { shouldIgnoreDelays: boolean, user: { uid: number } }): Promise<typeof hook> {
  if (!hook.shouldIgnoreDelays && await exempt(Number(hook.user.uid))) hook.shouldIgnoreDelays = true
  return hook
}

async function exempt (uid: number): Promise<boolean> {
  try {
    const p = getPlatform()
    return (await p.getSettings()).exemptNewUserRestrictions && await new Cleanup(p).isSunbirdUser(uid)
  } catch (err) {
    log('[sunbird] could not check the new-user exemption', err)
    return false
  }
}

/** `action:category.delete` */
export async function onCategoryDelete (hook: { cid: number }): Promise<void> {
  await new Cleanup(getPlatform()).categoryDeleted(Number(hook.cid)).catch((err: unknown) => log('[sunbird] cleanup after category delete failed', err))
}

/** `static:user.delete` */
export async function onUserDelete (hook: { uid: number }): Promise<void> {
  await new Cleanup(getPlatform()).userDeleted(Number(hook.uid)).catch((err: unknown) => log('[sunbird] cleanup after user delete failed', err))
}

/** `action:notification.pushed`: a send waits for NodeBB's background push to land. */
export async function onNotificationPushed (payload: Parameters<typeof notePushed>[0]): Promise<void> {
  notePushed(payload)
}

/** `action:groups.destroy` */
export async function onGroupsDestroy (hook: { groups: Array<{ name: string } | null> }): Promise<void> {
  const names = hook.groups.flatMap((g) => g?.name === undefined ? [] : [g.name])
  await new Cleanup(getPlatform()).groupsDestroyed(names).catch((err: unknown) => log('[sunbird] cleanup after group destroy failed', err))
}
