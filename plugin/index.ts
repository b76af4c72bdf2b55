import type { RequestHandler, Router } from 'express'
import { mountRoutes } from './nodebb/api-routes'
import { nodebbCallerCheck } from './nodebb/callers'
import { nodebbRequire } from './nodebb/require'
import { baseRoutes } from './routes'

interface Winston {
  info: (msg: string) => void
  error: (msg: string, err?: unknown) => void
}

/** `static:app.load`: the plugin is loaded; nothing to prepare yet beyond a log line. */
export async function init (): Promise<void> {
  nodebbRequire<Winston>('winston').info('[sunbird] plugin loaded')
}

/** `static:api.routes`: mount the Sunbird routes under /api/v3/plugins/sunbird. */
export async function addRoutes (params: { router: Router, middleware: Record<string, RequestHandler> }): Promise<void> {
  const winston = nodebbRequire<Winston>('winston')
  mountRoutes(params, baseRoutes(), nodebbCallerCheck(), (msg, err) => winston.error(msg, err))
}
