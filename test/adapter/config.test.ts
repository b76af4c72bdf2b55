import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, ConfigError, configKeys } from '../../adapter/config'
import { readFileSync } from 'node:fs'

t.test('defaults work with nothing set', async (t) => {
  const c = loadConfig({ env: {}, dotenvPath: null })
  t.equal(c.PORT, 4000)
  t.equal(c.HOST, '127.0.0.1')
  t.equal(c.NODEBB_URL, 'http://127.0.0.1:4567')
  t.equal(c.REDIS_URL, '')
  t.equal(c.BODY_LIMIT, 1048576)
})

t.test('env wins over .env; strings are converted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'))
  const file = join(dir, '.env')
  writeFileSync(file, 'PORT=5001\nLOG_LEVEL=debug\nNODEBB_URL=http://nodebb:4567\n')
  const c = loadConfig({ env: { PORT: '6001' }, dotenvPath: file })
  t.equal(c.PORT, 6001)
  t.equal(c.LOG_LEVEL, 'debug')
  t.equal(c.NODEBB_URL, 'http://nodebb:4567')
  t.equal(loadConfig({ env: {}, dotenvPath: join(dir, 'missing') }).PORT, 4000, 'a missing .env is fine')
})

t.test('bad values are refused, naming the key', async (t) => {
  t.throws(() => loadConfig({ env: { PORT: 'eighty' }, dotenvPath: null }), ConfigError)
  t.throws(() => loadConfig({ env: { PORT: '70000' }, dotenvPath: null }), /PORT/)
  t.throws(() => loadConfig({ env: { LOG_LEVEL: 'loud' }, dotenvPath: null }), /LOG_LEVEL/)
  t.throws(() => loadConfig({ env: { NODEBB_URL: 'ftp://x' }, dotenvPath: null }), /NODEBB_URL/)
  t.throws(() => loadConfig({ env: { ROUTE_PREFIX: 'discussions/' }, dotenvPath: null }), /ROUTE_PREFIX/)
})

t.test('.env.example lists every variable', async (t) => {
  const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8')
  const listed = new Set([...example.matchAll(/^#?\s*([A-Z0-9_]+)=/gm)].map((m) => m[1]))
  for (const key of configKeys) t.ok(listed.has(key), `${key} is in .env.example`)
  for (const key of listed) t.ok((configKeys as string[]).includes(key as string), `${String(key)} is a real variable`)
})
