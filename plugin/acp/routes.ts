import { Type } from '@sinclair/typebox'
import { ApiError, errorCodes } from '../../shared/errors'
import { Context } from '../../shared/schemas/common'
import type { Platform } from '../platform'
import type { PluginRoute } from '../routes'
import type { Store } from '../store'
import { validate } from '../validate'
import { AuditLog, type AuditFilter } from './audit-log'
import { ForumSearch } from './forum-search'
import { parseAcpSettings, publicSettings, validateSettings, type SettingsStore } from './settings'

/** The routes the admin page uses beyond the forum routes (same Write API, same caller check). */
export const acpPaths = {
  search: '/sunbird/search',
  audit: '/sunbird/audit',
  settings: '/sunbird/settings',
  uids: '/sunbird/uids'
} as const

const ContextParams = Type.Object({ type: Context.properties.type, identifier: Context.properties.identifier }, { additionalProperties: false })

/** One query parameter as a string (express may give arrays or objects), or undefined when absent or empty. */
function queryString (query: Record<string, unknown>, name: string, maxLength = 256): string | undefined {
  const value = query[name]
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string' || value.length > maxLength) throw new ApiError('INVALID_REQUEST', `query.${name} must be a string of at most ${maxLength} characters`)
  return value
}

function queryInt (query: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const value = queryString(query, name, 10)
  if (value === undefined) return fallback
  if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) throw new ApiError('INVALID_REQUEST', `query.${name} must be a whole number from ${min} to ${max}`)
  return Number(value)
}

export interface AcpRouteDeps {
  platform: Platform
  store: Store
  settings: SettingsStore
  /** Every operation the audit log can hold, for the ACP's filter. */
  operations: () => string[]
}

export function acpRoutes ({ platform, store, settings, operations }: AcpRouteDeps): PluginRoute[] {
  const search = new ForumSearch(platform, store)
  const audit = new AuditLog(platform.db)
  return [
    {
      method: 'get',
      path: acpPaths.search,
      handler: async ({ query }) => {
        const limit = queryInt(query, 'limit', 20, 1, 100)
        const name = queryString(query, 'name', 200)
        const type = queryString(query, 'type')
        const identifier = queryString(query, 'identifier')
        if (name !== undefined && (type !== undefined || identifier !== undefined)) throw new ApiError('INVALID_REQUEST', 'search by name or by context (type and identifier), not both')
        if (name !== undefined) return search.byName(name, limit)
        if (type === undefined || identifier === undefined) throw new ApiError('INVALID_REQUEST', 'give query.name, or query.type and query.identifier')
        return search.byContext(validate(ContextParams, { type, identifier }, 'query'), limit)
      }
    },
    {
      method: 'get',
      path: acpPaths.audit,
      handler: async ({ query }) => {
        const filter: AuditFilter = {}
        const operation = queryString(query, 'operation')
        const outcome = queryString(query, 'outcome', 64)
        const forumId = queryString(query, 'forumId', 16)
        if (operation !== undefined) filter.operation = operation
        if (outcome !== undefined) filter.outcome = outcome
        if (forumId !== undefined) filter.forumId = forumId
        const page = await audit.list(filter, queryInt(query, 'limit', 25, 1, 100), queryInt(query, 'offset', 0, 0, 1_000_000))
        return { ...page, operations: operations(), outcomes: ['ok', ...errorCodes] }
      }
    },
    {
      method: 'get',
      path: acpPaths.settings,
      handler: async () => publicSettings(parseAcpSettings(await settings.read()))
    },
    {
      method: 'put',
      path: acpPaths.settings,
      handler: async ({ body }) => {
        if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('INVALID_REQUEST', 'body must be an object of settings')
        const current = await settings.read()
        const values = validateSettings(body as Record<string, unknown>, current)
        await settings.write(values)
        return publicSettings(parseAcpSettings({ ...current, ...values }))
      }
    },
    {
      method: 'get',
      path: acpPaths.uids,
      handler: async ({ query }) => {
        const raw = queryString(query, 'uids', 2000) ?? ''
        const uids = [...new Set(raw.split(',').filter((s) => s !== ''))]
        if (uids.length > 200 || uids.some((s) => !/^[1-9][0-9]{0,9}$/.test(s))) throw new ApiError('INVALID_REQUEST', 'query.uids must be up to 200 uids, comma separated')
        const list = uids.map(Number)
        const [ids, users] = await Promise.all([store.sunbirdIdsOf(list), platform.getUsers(list)])
        return { users: list.map((uid, i) => ({ uid, identifier: ids[i] ?? null, username: users[i]?.username ?? null })) }
      }
    }
  ]
}
