import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { SunbirdId } from '../shared/schemas/common'

/**
 * `sunbird-discussions-adapter dev-tokens`: keys and tokens for a local trial, so a first /api call
 * needs no Kong and no Keycloak. It writes a dev API key (an HS256 secret) and a dev realm RSA key
 * pair to a folder, and prints an API token, a user token for one Sunbird id, and the settings that
 * make the adapter accept them. Run again with the same folder, it keeps the keys (tokens printed
 * before stay valid) and prints fresh tokens.
 */
export const devApiKid = 'dev-api'
export const devRealmKid = 'dev-realm'
export const devRealmUrl = 'http://localhost/realms/sunbird-dev'
const validDays = 30

export interface DevTokens {
  dir: string
  env: Record<string, string>
  apiToken: string
  userToken: string
  expires: Date
}

function preferredUsername (sunbirdId: string): string {
  return sunbirdId.replace(/[^A-Za-z0-9]/g, '').slice(0, 16) || 'devuser'
}

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url')

function jwt (header: Record<string, unknown>, payload: Record<string, unknown>, key: string | KeyObject): string {
  const input = `${b64url(JSON.stringify({ typ: 'JWT', ...header }))}.${b64url(JSON.stringify(payload))}`
  const signature = header.alg === 'HS256'
    ? createHmac('sha256', key as string).update(input).digest()
    : sign('sha256', Buffer.from(input), key as KeyObject)
  return `${input}.${b64url(signature)}`
}

/** The folder's keys, made on first use. */
function keysIn (dir: string): { secret: string, realmPrivate: KeyObject } {
  const apiDir = join(dir, 'api-keys')
  const realmDir = join(dir, 'realm-keys')
  mkdirSync(apiDir, { recursive: true, mode: 0o700 })
  mkdirSync(realmDir, { recursive: true, mode: 0o700 })
  const secretFile = join(apiDir, `${devApiKid}.hs256`)
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 })
  // the private key sits beside the key folders, never in one: the adapter refuses private keys there
  const privateFile = join(dir, `${devRealmKid}.private.pem`)
  if (!existsSync(privateFile)) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
    writeFileSync(privateFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
  }
  const realmPrivate = createPrivateKey(readFileSync(privateFile))
  writeFileSync(join(realmDir, `${devRealmKid}.pem`), createPublicKey(realmPrivate).export({ type: 'spki', format: 'pem' }))
  return { secret: readFileSync(secretFile, 'utf8').trim(), realmPrivate }
}

export function makeDevTokens (options: { dir: string, sunbirdId: string, now?: Date }): DevTokens {
  if (!new RegExp(SunbirdId.pattern as string).test(options.sunbirdId)) throw new Error(`--sunbird-id ${JSON.stringify(options.sunbirdId)} is not a Sunbird id (${SunbirdId.pattern as string})`)
  const dir = resolve(options.dir)
  const { secret, realmPrivate } = keysIn(dir)
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000)
  const exp = iat + validDays * 86400
  const apiToken = jwt({ alg: 'HS256', kid: devApiKid }, { iss: devApiKid, iat, exp }, secret)
  const userToken = jwt({ alg: 'RS256', kid: devRealmKid }, {
    iss: devRealmUrl,
    // as Keycloak's Sunbird federation writes it: f:<realm id>:<user id>
    sub: `f:dev:${options.sunbirdId}`,
    typ: 'Bearer',
    azp: 'dev',
    preferred_username: preferredUsername(options.sunbirdId),
    iat,
    exp,
    realm_access: { roles: [] }
  }, realmPrivate)
  return {
    dir,
    env: {
      API_TOKEN_KEYS_DIR: join(dir, 'api-keys'),
      KEYCLOAK_REALM_URL: devRealmUrl,
      KEYCLOAK_KEYS_DIR: join(dir, 'realm-keys')
    },
    apiToken,
    userToken,
    expires: new Date(exp * 1000)
  }
}

const warning = [
  '!!! ================================================================== !!!',
  '!!!  DEVELOPMENT TOKENS, FOR A LOCAL TRIAL ONLY.                        !!!',
  '!!!  Anyone with these files or tokens can call the adapter as these    !!!',
  '!!!  identities. Never configure them on a shared or production host.  !!!',
  '!!! ================================================================== !!!'
].join('\n')

export function devTokensText (tokens: DevTokens, sunbirdId: string): string {
  return [
    warning,
    '',
    `Keys written to ${tokens.dir} (the API secret and the realm private key stay there).`,
    '',
    '# Add these lines to .env (or the environment) and restart the adapter:',
    ...Object.entries(tokens.env).map(([k, v]) => `${k}=${v}`),
    '',
    `# API token (consumer ${devApiKid}), until ${tokens.expires.toISOString()}:`,
    `API_TOKEN=${tokens.apiToken}`,
    '',
    `# User token for Sunbird id ${sunbirdId}, until ${tokens.expires.toISOString()}:`,
    `USER_TOKEN=${tokens.userToken}`,
    '',
    '# A first call (the user, made in NodeBB on behalf of its own token):',
    '#   curl -s -H "authorization: Bearer $API_TOKEN" -H "x-authenticated-user-token: $USER_TOKEN" -H \'content-type: application/json\' \\',
    `#     -d '{"request":{"identifier":"${sunbirdId}","username":"${preferredUsername(sunbirdId)}"}}' http://127.0.0.1:4000/api/user/v1/create`,
    '',
    warning,
    ''
  ].join('\n')
}

/** The command: `dev-tokens [--dir <folder>] [--sunbird-id <id>]`; returns the exit code. */
export function devTokensCommand (args: string[], out: (text: string) => void = (text) => process.stdout.write(text), err: (text: string) => void = (text) => process.stderr.write(text)): number {
  let values: { dir?: string, 'sunbird-id'?: string, help?: boolean }
  try {
    values = parseArgs({ args, options: { dir: { type: 'string' }, 'sunbird-id': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values
  } catch (e) {
    err(`${e instanceof Error ? e.message : String(e)}\n${usage}`)
    return 2
  }
  if (values.help === true) {
    out(usage)
    return 0
  }
  const sunbirdId = values['sunbird-id'] ?? 'dev-user-1'
  try {
    out(devTokensText(makeDevTokens({ dir: values.dir ?? 'dev-keys', sunbirdId }), sunbirdId))
    return 0
  } catch (e) {
    err(`dev-tokens: ${e instanceof Error ? e.message : String(e)}\n`)
    return 1
  }
}

const usage = 'usage: sunbird-discussions-adapter dev-tokens [--dir <folder, default ./dev-keys>] [--sunbird-id <id, default dev-user-1>]\n' +
  'Writes a dev API key and a dev realm key pair to the folder and prints tokens and the settings that accept them. Local use only.\n'
