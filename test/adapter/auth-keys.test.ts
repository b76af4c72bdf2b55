import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseSecrets, publicKeyFrom, readKeyFolder, toPem } from '../../adapter/auth/keys'
import { JwksKeys } from '../../adapter/auth/jwks'

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
const rsaPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()
const bare = rsaPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '')

t.test('public keys: PEM or bare base64, algorithm from the key', async (t) => {
  t.equal(publicKeyFrom('a', rsaPem).alg, 'RS256')
  t.equal(publicKeyFrom('b', bare).alg, 'RS256', 'Sunbird\'s bare base64 files are read')
  t.equal(publicKeyFrom('c', ec.publicKey.export({ type: 'spki', format: 'pem' }).toString()).alg, 'ES256')
  t.throws(() => publicKeyFrom('d', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), /private key/)
  t.throws(() => publicKeyFrom('e', 'not a key'))
  t.match(toPem(bare), /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----$/)
})

t.test('a key folder: one file per kid; secrets only where allowed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'keys-'))
  writeFileSync(join(dir, 'realm-key-1'), bare)
  writeFileSync(join(dir, 'api-2.pem'), rsaPem)
  writeFileSync(join(dir, 'kong.hs256'), 's'.repeat(40))
  writeFileSync(join(dir, '.hidden'), 'ignored')
  const keys = readKeyFolder(dir, { allowSecrets: true })
  t.same([...keys.keys()].sort(), ['api-2', 'kong', 'realm-key-1'])
  t.equal(keys.get('kong')?.alg, 'HS256')
  t.throws(() => readKeyFolder(dir, { allowSecrets: false }), /kong\.hs256.*not accepted/)
  writeFileSync(join(dir, 'short.hs256'), 'tooshort')
  t.throws(() => readKeyFolder(dir, { allowSecrets: true }), /short\.hs256.*32 characters/)
})

t.test('HS256 secrets from a variable', async (t) => {
  const keys = parseSecrets(` k1=${'a'.repeat(32)}, k2=${'b'.repeat(33)} `)
  t.same([...keys.values()].map((k) => [k.kid, k.alg]), [['k1', 'HS256'], ['k2', 'HS256']])
  t.same([...parseSecrets('').keys()], [])
  t.throws(() => parseSecrets('nokey'), /kid=secret/)
  t.throws(() => parseSecrets('k=short'), /32 characters/)
})

t.test('JWKS: fetched on an unknown kid, at most once per interval, failures keep old keys', async (t) => {
  let clock = 0
  let fail = false
  const jwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' }
  const ecJwk = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec', use: 'sig' }
  const errors: unknown[] = []
  const jwks = new JwksKeys({
    url: 'http://keycloak.test/certs',
    minRefreshMs: 60000,
    timeoutMs: 1000,
    now: () => clock,
    fetchJson: async () => { if (fail) throw new Error('down'); return { keys: [jwk, ecJwk, { kid: 'enc', kty: 'RSA', use: 'enc' }] } },
    onError: (err) => errors.push(err)
  })
  t.equal((await jwks.get('k1'))?.alg, 'RS256')
  t.equal(jwks.fetches.count, 1)
  t.equal(await jwks.get('unknown'), undefined)
  t.equal(await jwks.get('unknown2'), undefined)
  t.equal(jwks.fetches.count, 1, 'no refresh within the interval')
  t.equal(await jwks.get('ec'), undefined, 'only RSA signing keys')
  clock = 60001
  fail = true
  t.equal(await jwks.get('unknown'), undefined)
  t.equal(jwks.fetches.count, 2)
  t.equal(errors.length, 1)
  t.ok(await jwks.get('k1'), 'the old keys survive a failed refresh')
  // concurrent unknown kids share one fetch
  clock = 200000
  fail = false
  await Promise.all([jwks.get('x'), jwks.get('y'), jwks.get('z')])
  t.equal(jwks.fetches.count, 3)
})
