import { ApiError, isErrorCode } from '../../shared/errors'
import { transportQueryFields } from '../../shared/schemas/query'
import type { AuditFilter } from './audit-entry'

/**
 * The audit route's query string -> a filter and a page, checked strictly: this is an
 * administrator's tool, and a typo in a filter name answered with the unfiltered log would look
 * like an answer. Unknown names, repeated or nested values, control characters and oversized
 * values are INVALID_REQUEST.
 */

const textLimits = { actor: 128, forum: 255, context: 200, operation: 128, outcome: 32 } as const
export const auditPaging = { defaultLimit: 25, maxLimit: 100, maxOffset: 100_000 } as const
const known = new Set([...Object.keys(textLimits), 'since', 'until', 'limit', 'offset'])

export interface AuditQuery {
  filter: AuditFilter
  limit: number
  offset: number
}

function invalid (message: string): ApiError {
  return new ApiError('INVALID_REQUEST', message)
}

/** A query value as text, or undefined when absent or empty. */
function text (query: Record<string, unknown>, name: string, max: number): string | undefined {
  const value = query[name]
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string') throw invalid(`query.${name} must be given once, as text`)
  if (value.length > max) throw invalid(`query.${name} must be at most ${max} characters`)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) throw invalid(`query.${name} must not hold control characters`)
  const trimmed = value.trim()
  return trimmed === '' ? undefined : trimmed
}

function whole (query: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const value = text(query, name, 16)
  if (value === undefined) return undefined
  if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) throw invalid(`query.${name} must be a whole number from ${min} to ${max}`)
  return Number(value)
}

export function parseAuditQuery (query: Record<string, unknown>, operations: readonly string[]): AuditQuery {
  const unknown = Object.keys(query).filter((k) => !known.has(k) && !transportQueryFields.has(k))
  if (unknown.length > 0) throw invalid(`Unknown audit filter ${unknown.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}; filters are ${[...known].join(', ')}`)
  const filter: AuditFilter = {}
  for (const name of ['actor', 'forum', 'context'] as const) {
    const value = text(query, name, textLimits[name])
    if (value !== undefined) filter[name] = value
  }
  const operation = text(query, 'operation', textLimits.operation)
  if (operation !== undefined) {
    if (!operations.includes(operation)) throw invalid('query.operation is not an operation the log records')
    filter.operation = operation
  }
  const outcome = text(query, 'outcome', textLimits.outcome)
  if (outcome !== undefined) {
    if (outcome !== 'ok' && outcome !== 'refused' && !isErrorCode(outcome)) throw invalid('query.outcome must be ok, refused or an error code')
    filter.outcome = outcome
  }
  // the clock is ms since the epoch; 15 digits reach past the year 30000
  const since = whole(query, 'since', 0, 999_999_999_999_999)
  const until = whole(query, 'until', 0, 999_999_999_999_999)
  if (since !== undefined && until !== undefined && until < since) throw invalid('query.until must not be before query.since')
  if (since !== undefined) filter.since = since
  if (until !== undefined) filter.until = until
  return {
    filter,
    limit: whole(query, 'limit', 1, auditPaging.maxLimit) ?? auditPaging.defaultLimit,
    offset: whole(query, 'offset', 0, auditPaging.maxOffset) ?? 0
  }
}
