import { callerHeaders } from '../shared/plugin-paths'

/** Who a call came from, as the adapter tells the plugin (shared/plugin-paths.ts callerHeaders); nulls when not said. */
export interface CallerContext {
  /** The Sunbird envelope's msgid. */
  msgid: string | null
  /** The API consumer (the API token's kid or iss). */
  consumer: string | null
  /** The acting Sunbird user (their token's subject); null when a service acts on its own. */
  user: string | null
  /** How long idempotency records live, seconds; null: the default. */
  ttlSeconds: number | null
}

export const noCaller: CallerContext = { msgid: null, consumer: null, user: null, ttlSeconds: null }

/** One caller header: percent-decoded, printable only (it is shown in the ACP and logged), at most 128 characters. */
function headerValue (headers: Record<string, unknown>, name: string): string | null {
  const value = headers[name]
  if (typeof value !== 'string' || value === '') return null
  let text: string
  try {
    text = decodeURIComponent(value)
  } catch {
    text = value
  }
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 128)
  return clean === '' ? null : clean
}

function positiveInteger (value: string | null): number | null {
  return value !== null && /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : null
}

export function callerOf (headers: Record<string, unknown>): CallerContext {
  return {
    msgid: headerValue(headers, callerHeaders.msgid),
    consumer: headerValue(headers, callerHeaders.consumer),
    user: headerValue(headers, callerHeaders.user),
    ttlSeconds: positiveInteger(headerValue(headers, callerHeaders.ttl))
  }
}
