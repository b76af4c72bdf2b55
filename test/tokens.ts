import { createHmac, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Keys and tokens made at test time (no key is committed): an HS256 API consumer secret, an RS256
 * API key, and a Keycloak realm key pair, with a signer that can also forge what attackers send.
 */
const b64url = (value: Buffer | string): string => Buffer.from(value).toString('base64url')

export const realmUrl = 'http://keycloak.test/auth/realms/sunbird'
export const apiConsumer = 'test-consumer'
export const apiSecret = 'test-secret-'.padEnd(48, 'x')
export const adminRole = 'ORG_ADMIN'
export const realmKid = 'realm-key-1'
export const apiRsaKid = 'api-rsa-1'

const realm = generateKeyPairSync('rsa', { modulusLength: 2048 })
const apiRsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
/** A key nobody configured, for wrong-key attacks. */
export const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
export const realmPublicPem = realm.publicKey.export({ type: 'spki', format: 'pem' }).toString()
export const apiRsaPublicPem = apiRsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()

let keyDirs: { realm: string, api: string } | null = null

/** Folders as deployments have them: the realm key as bare base64 named by kid; API keys as <kid>.pem. */
export function keyFolders (): { realm: string, api: string } {
  if (keyDirs !== null) return keyDirs
  const realmDir = mkdtempSync(join(tmpdir(), 'realm-keys-'))
  writeFileSync(join(realmDir, realmKid), realmPublicPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''))
  const apiDir = mkdtempSync(join(tmpdir(), 'api-keys-'))
  writeFileSync(join(apiDir, `${apiRsaKid}.pem`), apiRsaPublicPem)
  keyDirs = { realm: realmDir, api: apiDir }
  return keyDirs
}

/**
 * Config for the adapter that trusts these keys. The HS256 consumer (`test-consumer`) is a trusted
 * service (SERVICE_CONSUMERS); the RS256 one (`api-rsa-1`) is a client, like Sunbird's portal.
 */
export function authConfig (): Record<string, string> {
  const dirs = keyFolders()
  return {
    SERVICE_CONSUMERS: apiConsumer,
    API_TOKEN_HS256_SECRETS: `${apiConsumer}=${apiSecret}`,
    API_TOKEN_KEYS_DIR: dirs.api,
    KEYCLOAK_REALM_URL: realmUrl,
    KEYCLOAK_KEYS_DIR: dirs.realm,
    ADMIN_ROLES: adminRole
  }
}

export interface SignOptions {
  header?: Record<string, unknown>
  alg?: 'HS256' | 'RS256' | 'none'
  key?: KeyObject | string
}

/** A JWT as anyone could make one: the right way, or with whatever header, alg and key a test wants. */
export function sign (payload: Record<string, unknown>, options: SignOptions = {}): string {
  const alg = options.alg ?? 'HS256'
  const header = { alg, typ: 'JWT', ...options.header }
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
  if (alg === 'none') return `${input}.`
  if (alg === 'HS256') return `${input}.${createHmac('sha256', options.key as string).update(input).digest('base64url')}`
  const signer = createSign('RSA-SHA256')
  signer.update(input)
  return `${input}.${signer.sign(options.key as KeyObject).toString('base64url')}`
}

const now = (): number => Math.floor(Date.now() / 1000)

export function apiToken (claims: Record<string, unknown> = {}): string {
  return sign({ iss: apiConsumer, iat: now(), exp: now() + 3600, ...claims }, { alg: 'HS256', key: apiSecret, header: { kid: apiConsumer } })
}

export function apiRsaToken (claims: Record<string, unknown> = {}): string {
  return sign({ iat: now(), exp: now() + 3600, ...claims }, { alg: 'RS256', key: apiRsa.privateKey, header: { kid: apiRsaKid } })
}

/** The realm id in test subjects (`f:<realm id>:<user id>`, as Keycloak's Sunbird federation writes them). */
export const realmId = '5a8a3f2b-3409-42e0-9001-f913bc0fde31'

/** A Keycloak access token for a Sunbird user, as Keycloak issues them (`typ: Bearer`, `sub` = `f:<realm>:<id>`). */
export function userToken (sunbirdId: string, options: { roles?: string[], claims?: Record<string, unknown>, key?: KeyObject, kid?: string } = {}): string {
  return sign({
    iss: realmUrl,
    sub: `f:${realmId}:${sunbirdId}`,
    typ: 'Bearer',
    azp: 'portal',
    preferred_username: sunbirdId.replace(/[^A-Za-z0-9]/g, '').slice(0, 16),
    iat: now(),
    exp: now() + 3600,
    realm_access: { roles: options.roles ?? [] },
    ...options.claims
  }, { alg: 'RS256', key: options.key ?? realm.privateKey, header: { kid: options.kid ?? realmKid } })
}

/** Headers of a call by the test consumer: its API token, and a user token when a Sunbird user acts. */
export function callerHeaders (sunbirdId: string | null = null, options: Parameters<typeof userToken>[1] = {}): Record<string, string> {
  const api = { authorization: `Bearer ${apiToken()}` }
  return sunbirdId === null ? api : { ...api, 'x-authenticated-user-token': userToken(sunbirdId, options) }
}

/** Headers of a call by the test consumer acting as an admin-role user (so it acts as the service uid). */
export function adminHeaders (): Record<string, string> {
  return callerHeaders('test-admin', { roles: [adminRole] })
}

export const realmPrivateKey = realm.privateKey
export const apiRsaPrivateKey = apiRsa.privateKey
