import { createPublicKey, type KeyObject } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { basename, extname, join } from 'node:path'

/** A verification key and the one algorithm it may verify (no algorithm is chosen by the token). */
export interface VerificationKey {
  kid: string
  alg: 'HS256' | 'RS256' | 'ES256'
  /** PEM public key, or the HS256 secret. */
  key: string
}

/** Sunbird deploys Keycloak keys as bare base64 (no PEM armour); accept both. */
export function toPem (text: string): string {
  const trimmed = text.trim()
  if (trimmed.startsWith('-----BEGIN')) return trimmed
  const body = trimmed.replace(/\s+/g, '').match(/.{1,64}/g)?.join('\n') ?? ''
  return `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----`
}

function algorithmOf (key: KeyObject): 'RS256' | 'ES256' {
  if (key.asymmetricKeyType === 'rsa') return 'RS256'
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256'
  throw new Error(`unsupported key type ${key.asymmetricKeyType ?? '?'}`)
}

/** A public key (PEM or bare base64) -> a verification key for its one algorithm. Private keys are refused. */
export function publicKeyFrom (kid: string, text: string): VerificationKey {
  const pem = toPem(text)
  if (/PRIVATE KEY/.test(pem)) throw new Error(`key ${kid} is a private key; only public keys belong here`)
  const key = createPublicKey(pem)
  return { kid, alg: algorithmOf(key), key: key.export({ type: 'spki', format: 'pem' }).toString() }
}

/**
 * Keys from a folder, one file per `kid`: `<kid>` or `<kid>.pem` holds a public key (RS256/ES256),
 * `<kid>.hs256` an HS256 secret. Unreadable or invalid files stop the start, naming the file.
 */
export function readKeyFolder (dir: string, options: { allowSecrets: boolean }): Map<string, VerificationKey> {
  const keys = new Map<string, VerificationKey>()
  for (const file of readdirSync(dir).sort()) {
    if (file.startsWith('.')) continue
    const ext = extname(file)
    const kid = ext === '.pem' || ext === '.hs256' ? basename(file, ext) : file
    const text = readFileSync(join(dir, file), 'utf8')
    try {
      if (ext === '.hs256') {
        if (!options.allowSecrets) throw new Error('HS256 secrets are not accepted here')
        const secret = text.trim()
        if (secret.length < 32) throw new Error('an HS256 secret needs at least 32 characters')
        keys.set(kid, { kid, alg: 'HS256', key: secret })
      } else {
        keys.set(kid, publicKeyFrom(kid, text))
      }
    } catch (err) {
      throw new Error(`key file ${join(dir, file)}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  return keys
}

/** `kid1=secret1,kid2=secret2` (HS256) -> keys. */
export function parseSecrets (value: string): Map<string, VerificationKey> {
  const keys = new Map<string, VerificationKey>()
  for (const entry of value.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const eq = entry.indexOf('=')
    if (eq <= 0) throw new Error('API_TOKEN_HS256_SECRETS entries are kid=secret')
    const kid = entry.slice(0, eq)
    const secret = entry.slice(eq + 1)
    if (secret.length < 32) throw new Error(`the HS256 secret of ${kid} needs at least 32 characters`)
    keys.set(kid, { kid, alg: 'HS256', key: secret })
  }
  return keys
}
