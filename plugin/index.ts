import type { RequestHandler, Router } from 'express'
import { mountRoutes } from './nodebb/api-routes'
import { nodebbCallerCheck } from './nodebb/callers'
import { nodebbPlatform } from './nodebb/platform'
import { nodebbRequire } from './nodebb/require'
import type { Platform } from './platform'
import { pluginRoutes } from './routes'
import { Cleanup } from './cleanup'
import { mountAdminPage, nodebbSettingsStore } from './nodebb/acp-page'
import { SETTINGS_HASH } from './nodebb/platform'
import { AuditLog } from './acp/audit-log'
import { validateSettings } from './acp/settings'

/**
 * NodeBB hook entry points (plugin.json). Each is one line of glue: the logic lives in modules
 * that work on the Platform interface and are tested without NodeBB.
 */

interface Winston {
  info: (msg: string) => void
  warn: (msg: string) => void
  error: (msg: string, err?: unknown) => void
}

let platform: Platform | null = null
const getPlatform = (): Platform => (platform ??= nodebbPlatform())
const winston = (): Winston => nodebbRequire<Winston>('winston')
const log = (msg: string, err?: unknown): void => winston().error(`${msg}${err instanceof Error ? `: ${err.stack ?? err.message}` : ''}`)

/** `static:app.load`: the ACP page. */
export async function init (params: { router: Router }): Promise<void> {
  mountAdminPage(params.router)
  winston().info('[sunbird] plugin loaded')
}

/** `static:api.routes`: the Sunbird routes under /api/v3/plugins/sunbird, each call recorded in the audit log. */
export async function addRoutes (params: { router: Router, middleware: Record<string, RequestHandler> }): Promise<void> {
  const p = getPlatform()
  mountRoutes(params, pluginRoutes(p, { log, settings: nodebbSettingsStore() }), nodebbCallerCheck(), log, new AuditLog(p.db))
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

/** `action:groups.destroy` */
export async function onGroupsDestroy (hook: { groups: Array<{ name: string } | null> }): Promise<void> {
  const names = hook.groups.flatMap((g) => g?.name === undefined ? [] : [g.name])
  await new Cleanup(getPlatform()).groupsDestroyed(names).catch((err: unknown) => log('[sunbird] cleanup after group destroy failed', err))
}
