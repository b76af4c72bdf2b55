import { Type } from '@sinclair/typebox'
import { ApiError, errorCodes } from '../../shared/errors'
import { Context, SunbirdId } from '../../shared/schemas/common'
import type { Platform } from '../platform'
import type { PluginRoute } from '../routes'
import type { Store } from '../store'
import { validate } from '../validate'
import { requestFromQuery, transportQueryFields } from '../../shared/schemas/query'
import { noteTrail } from '../audit-trail'
import { UserDirectory } from '../user-directory'
import { namedOperations, routeKind } from './audit-entry'
import { AuditLog } from './audit-log'
import { AuditNames } from './audit-names'
import { parseAuditQuery } from './audit-query'
import { summaryOf } from './audit-summary'
import { ForumSearch } from './forum-search'
import { changedSettings, parseAcpSettings, publicSettings, validateSettings, type SettingsStore } from './settings'
import { acpPaths } from './paths'

export { acpPaths }

const ContextParams = Type.Object({ type: Context.properties.type, identifier: Context.properties.identifier }, { additionalProperties: false })

/** One query parameter as a string (express may give arrays or objects), or undefined when absent or empty. */
function queryString (query: Record<string, unknown>, name: string, maxLength: number): string | undefined {
  const value = query[name]
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string' || value.length > maxLength) throw new ApiError('INVALID_REQUEST', `query.${name} must be a string of at most ${maxLength} characters`)
  return value
}

/** The forum search's query string: by name, or by context (type and identifier, checked as a Context). */
const SearchQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  type: Type.Optional(Type.String({ maxLength: 256 })),
  identifier: Type.Optional(Type.String({ maxLength: 256 }))
})

export interface AcpRouteDeps {
  platform: Platform
  store: Store
  settings: SettingsStore
  /** Every route of the plugin (`POST /sunbird/forums`), for the audit log's operation filter. */
  routes: () => string[]
}

/** A comma-separated list of at most `max` distinct values, each matching `pattern`. */
function listOf (query: Record<string, unknown>, name: string, pattern: RegExp, max: number): string[] {
  const raw = queryString(query, name, max * 130) ?? ''
  const values = [...new Set(raw.split(',').filter((s) => s !== ''))]
  if (values.length > max || values.some((v) => !pattern.test(v))) throw new ApiError('INVALID_REQUEST', `query.${name} must be up to ${max} ${name}, comma separated`)
  return values
}

export function acpRoutes ({ platform, store, settings, routes }: AcpRouteDeps): PluginRoute[] {
  const search = new ForumSearch(platform, store)
  const names = new AuditNames(platform, store)
  const audit = new AuditLog(platform.db)
  const directory = new UserDirectory(platform, store)
  /** What the operation filter offers: the named operations, then every other route by itself. */
  const operations = (): string[] => [...new Set([...namedOperations, ...routes().map((r) => routeKind(r).operation)])]
  return [
    {
      method: 'get',
      path: acpPaths.search,
      handler: async ({ query }) => {
        const { limit = 20, name, type, identifier } = validate(SearchQuery, requestFromQuery(SearchQuery, query), 'query')
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
        const ops = operations()
        const { filter, limit, offset } = parseAuditQuery(query, ops)
        const page = await audit.list(filter, limit, offset, (entries) => names.fill(entries))
        return {
          entries: page.entries.map((entry) => ({ ...entry, summary: summaryOf(entry) })),
          count: page.count,
          offset: page.offset,
          operations: ops,
          outcomes: ['ok', 'refused', ...errorCodes]
        }
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
        const fields = changedSettings(current, values)
        await settings.write(values)
        return noteTrail(publicSettings(parseAcpSettings({ ...current, ...values })), { root: null, forums: new Map(), changes: fields.length === 0 ? [] : [{ kind: 'settings', fields }] })
      }
    },
    {
      method: 'get',
      path: acpPaths.people,
      // the forum matrix names users by Sunbird id and the drift list by uid: both show people by username too
      handler: async ({ query }) => {
        const unknown = Object.keys(query).filter((k) => k !== 'uids' && k !== 'identifiers' && !transportQueryFields.has(k))
        if (unknown.length > 0) throw new ApiError('INVALID_REQUEST', 'give query.uids and/or query.identifiers')
        const uids = listOf(query, 'uids', /^[1-9][0-9]{0,9}$/, 200).map(Number)
        const identifiers = listOf(query, 'identifiers', new RegExp(SunbirdId.pattern as string), 200)
        const found = await directory.lookup(identifiers)
        const all = [...uids, ...identifiers.flatMap((id) => { const f = found.get(id); return f === undefined ? [] : [f.uid] })]
        const labels = await names.users(all)
        return {
          users: [
            ...uids.map((uid) => ({ uid, identifier: labels.get(uid)?.sunbirdId ?? null, username: labels.get(uid)?.username ?? null })),
            ...identifiers.map((identifier) => {
              const uid = found.get(identifier)?.uid ?? null
              return { uid, identifier, username: uid === null ? null : labels.get(uid)?.username ?? null }
            })
          ]
        }
      }
    }
  ]
}
