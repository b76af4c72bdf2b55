import type { Request, Response, Router } from 'express'
import { nodebbRequire } from './require'
import { SETTINGS_HASH } from './platform'
import type { SettingsStore } from '../acp/settings'

interface RouteHelpers {
  setupAdminPageRoute: (router: Router, path: string, controller: (req: Request, res: Response) => void) => void
}

interface MetaSettings {
  settings: {
    get: (hash: string) => Promise<Record<string, unknown>>
    set: (hash: string, values: Record<string, string>) => Promise<void>
  }
}

export const adminPagePath = '/admin/plugins/sunbird-discussions'
/** The template (templates/admin/plugins/sunbird-discussions.tpl) and the client module of the same name. */
export const adminTemplate = 'admin/plugins/sunbird-discussions'

/** The ACP page (and its /api twin, which ajaxify loads) through NodeBB's own admin page helper. */
export function mountAdminPage (router: Router): void {
  const routeHelpers = nodebbRequire<RouteHelpers>('./src/routes/helpers')
  routeHelpers.setupAdminPageRoute(router, adminPagePath, (_req, res) => {
    res.render(adminTemplate, { title: 'Sunbird Discussions' })
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
