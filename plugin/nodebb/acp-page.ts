import type { Request, Response, Router } from 'express'
import { nodebbRequire } from './require'
import { SETTINGS_HASH } from './platform'
import type { SettingsStore } from '../acp/settings'
import { ladderLevels, levelOwnPrivileges, type Level } from '../../shared/permission-ladder'

interface RouteHelpers {
  setupAdminPageRoute: (router: Router, path: string, controller: (req: Request, res: Response) => void) => void
}

interface MetaSettings {
  settings: {
    get: (hash: string) => Promise<Record<string, unknown>>
    set: (hash: string, values: Record<string, string>) => Promise<void>
  }
}

/** The ACP menu entry's route (NodeBB puts it under /admin), and the page's own path. */
export const adminNavRoute = '/plugins/sunbird-discussions'
export const adminPagePath = `/admin${adminNavRoute}`
/** The template (templates/admin/plugins/sunbird-discussions.tpl) and the client module of the same name. */
export const adminTemplate = adminPagePath.slice(1)

/**
 * The page's data (ajaxify.data in the browser). It carries the permission ladder, so the ACP's
 * matrix reads the server's own table (shared/permission-ladder.ts) instead of a copy.
 */
export function adminPageData (): { title: string, sunbirdLadder: { levels: readonly Level[], privileges: Readonly<Record<Level, readonly string[]>> } } {
  return { title: 'Sunbird Discussions', sunbirdLadder: { levels: ladderLevels, privileges: levelOwnPrivileges } }
}

/** The ACP page (and its /api twin, which ajaxify loads) through NodeBB's own admin page helper. */
export function mountAdminPage (router: Router): void {
  const routeHelpers = nodebbRequire<RouteHelpers>('./src/routes/helpers')
  routeHelpers.setupAdminPageRoute(router, adminPagePath, (_req, res) => {
    res.render(adminTemplate, adminPageData())
  })
}

/** meta.settings, read per use: NodeBB's settings cache is cleared on every save, on every process. */
export function nodebbSettingsStore (): SettingsStore {
  const meta = nodebbRequire<MetaSettings>('./src/meta')
  return {
    read: () => meta.settings.get(SETTINGS_HASH),
    write: (values) => meta.settings.set(SETTINGS_HASH, values)
  }
}
