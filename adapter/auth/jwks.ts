import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { request } from 'undici'
import type { VerificationKey } from './keys'

export interface JwksOptions {
  url: string
  /** An unknown kid refreshes the set at most once per this interval. */
  minRefreshMs: number
  timeoutMs: number
  now?: () => number
  fetchJson?: (url: string) => Promise<unknown>
  onError?: (err: unknown) => void
}

async function fetchJsonWith (url: string, timeoutMs: number): Promise<unknown> {
  const res = await request(url, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, headers: { accept: 'application/json' } })
  if (res.statusCode !== 200) {
    await res.body.dump()
    throw new Error(`JWKS ${url} answered ${res.statusCode}`)
  }
  return res.body.json()
}

/**
 * The realm's JWKS, fetched and cached; a token with a kid we do not know triggers one refresh,
 * at most once per `minRefreshMs` (so forged kids cannot make us hammer Keycloak), shared by
 * concurrent callers. Only RSA signing keys (RS256) are taken.
 */
export class JwksKeys {
  private keys = new Map<string, VerificationKey>()
  private lastRefresh = -Infinity
  private inflight: Promise<void> | null = null
  readonly fetches = { count: 0 }

  constructor (private readonly options: JwksOptions) {}

  async get (kid: string): Promise<VerificationKey | undefined> {
    const known = this.keys.get(kid)
    if (known !== undefined) return known
    const now = (this.options.now ?? Date.now)()
    if (this.inflight === null && now - this.lastRefresh >= this.options.minRefreshMs) {
      this.lastRefresh = now
      this.inflight = this.refresh().finally(() => { this.inflight = null })
    }
    if (this.inflight !== null) await this.inflight
    return this.keys.get(kid)
  }

  private async refresh (): Promise<void> {
    this.fetches.count++
    try {
      const fetchJson = this.options.fetchJson ?? ((url: string) => fetchJsonWith(url, this.options.timeoutMs))
      const body = await fetchJson(this.options.url) as { keys?: unknown }
      const next = new Map<string, VerificationKey>()
      for (const jwk of Array.isArray(body.keys) ? body.keys as Array<JsonWebKey & { kid?: string, use?: string, alg?: string }> : []) {
        if (typeof jwk.kid !== 'string' || jwk.kty !== 'RSA' || (jwk.use !== undefined && jwk.use !== 'sig') || (jwk.alg !== undefined && jwk.alg !== 'RS256')) continue
        const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString()
        next.set(jwk.kid, { kid: jwk.kid, alg: 'RS256', key: pem })
      }
      this.keys = next
    } catch (err) {
      // keep the keys we had: a Keycloak hiccup must not log everyone out
      this.options.onError?.(err)
    }
  }
}
