import type { RequestHandler, Router } from 'express'
import { mountRoutes } from './nodebb/api-routes'
import { nodebbCallerCheck } from './nodebb/callers'
import { nodebbPlatform, SETTINGS_HASH } from './nodebb/platform'
import { notePushed } from './nodebb/notifications'
import { nodebbLog } from './nodebb/log'
import type { Platform } from './platform'
import { pluginRoutes } from './routes'
import { Cleanup } from './cleanup'
import { adminNavRoute, mountAdminPage, nodebbSettingsStore } from './nodebb/acp-page'
import { AuditRecorder } from './acp/audit-recorder'
import { validateSettings } from './acp/settings'
import { ActivityService } from './activity/service'
import { ActivityWorker } from './activity/worker'
import { Store } from './store'

/**
 * NodeBB hook entry points (plugin.json). Each is one line of glue: the logic lives in modules
 * that work on the Platform interface and are tested without NodeBB.
 */

let platform: Platform | null = null
const getPlatform = (): Platform => (platform ??= nodebbPlatform())
const log = nodebbLog.error

let activity: ActivityService | null = null
const worker = new ActivityWorker(() => getActivity(), { log })

function getActivity (): ActivityService {
  return (activity ??= new ActivityService(getPlatform(), new Store(getPlatform().db), nodebbSettingsStore(), { log, onQueued: () => worker.deliverSoon() }))
}

/** `static:app.load`: the ACP page, and the activity timers (webhook worker, retention trim). */
export async function init (params: { router: Router }): Promise<void> {
  mountAdminPage(params.router)
  worker.start()
  nodebbLog.info('[sunbird] plugin loaded')
}

/** Clears the activity timers (a reload of the plugin, and tests). */
export function stopTimers (): void {
  worker.stop()
}

// one per NodeBB action hook the activity records; plugin.json names each one
const handlers = worker.hookHandlers()
export const {
  onTopicPost, onTopicReply, onPostEdit, onPostDelete, onPostRestore, onPostsPurge, onPostUpvote, onPostDownvote, onPostUnvote,
  onTopicLock, onTopicPin, onTopicMove, onTopicDelete, onTopicRestore, onTopicsPurge
} = handlers

/** `static:api.routes`: the Sunbird routes under /api/v3/plugins/sunbird, each call recorded in the audit log. */
export async function addRoutes (params: { router: Router, middleware: Record<string, RequestHandler> }): Promise<void> {
  const p = getPlatform()
  mountRoutes(params, pluginRoutes(p, { log, settings: nodebbSettingsStore(), activity: getActivity() }), nodebbCallerCheck(), log, new AuditRecorder(p, new Store(p.db)))
}

interface AdminHeader { plugins: Array<{ route: string, icon: string, name: string }> }

/** `filter:admin.header.build`: the ACP menu entry under Plugins. */
export async function addAdminNavigation (header: AdminHeader): Promise<AdminHeader> {
  header.plugins.push({ route: adminNavRoute, icon: 'fa-sun', name: 'Sunbird Discussions' })
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
