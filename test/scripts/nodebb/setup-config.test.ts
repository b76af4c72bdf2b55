import t from 'tap'
import { metaConfig, redisUrlOf, settingsOf, setupAnswers, type SetupInput } from '../../../scripts/nodebb/setup-config'

const admin = { username: 'admin', password: 'pw0123456789', email: 'admin@example.org' }

t.test('setup answers for Redis, as NodeBB names its questions', async (t) => {
  const input: SetupInput = { port: 4601, secret: 's', db: { kind: 'redis', url: 'redis://:p%40ss@127.0.0.1:6380', index: 3 }, admin }
  t.same(setupAnswers(input), {
    url: 'http://127.0.0.1:4601',
    port: 4601,
    secret: 's',
    submitPluginUsage: 'no',
    database: 'redis',
    'admin:username': 'admin',
    'admin:password': 'pw0123456789',
    'admin:password:confirm': 'pw0123456789',
    'admin:email': 'admin@example.org',
    'redis:host': '127.0.0.1',
    'redis:port': 6380,
    'redis:password': 'p@ss',
    'redis:database': 3
  })
  t.match(setupAnswers({ ...input, db: { kind: 'redis', url: 'redis://127.0.0.1', index: 1 } }), { 'redis:port': 6379, 'redis:password': '' })
})

t.test('setup answers for PostgreSQL', async (t) => {
  t.match(setupAnswers({ port: 4602, secret: 's', db: { kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432', database: 'sbnb_x' }, admin }), {
    database: 'postgres', 'postgres:host': '127.0.0.1', 'postgres:port': 5432, 'postgres:username': 'postgres', 'postgres:password': '', 'postgres:database': 'sbnb_x', 'postgres:ssl': 'false'
  })
  t.match(setupAnswers({ port: 1, secret: 's', db: { kind: 'postgres', url: 'postgres://h', database: 'd' }, admin }), { 'postgres:port': 5432, 'postgres:username': 'postgres' })
})

t.test('NodeBB\'s own defaults stay: the e2e suites check the plugin\'s new-user exemption', async (t) => {
  t.same(metaConfig, {})
})

t.test('the settings printed', async (t) => {
  const redis = { kind: 'redis' as const, url: 'redis://127.0.0.1:6379', index: 2 }
  t.equal(redisUrlOf(redis), 'redis://127.0.0.1:6379/2')
  t.equal(redisUrlOf({ kind: 'postgres', url: 'postgres://h', database: 'd' }), undefined)
  t.same(settingsOf({ port: 4601, token: 'tok', adminUid: 1, admin, db: redis, chromium: '/usr/bin/chromium' }), {
    NODEBB_URL: 'http://127.0.0.1:4601',
    NODEBB_TOKEN: 'tok',
    NODEBB_SERVICE_UID: '1',
    NODEBB_ADMIN_UID: '1',
    NODEBB_ADMIN_USER: 'admin',
    NODEBB_ADMIN_PASSWORD: 'pw0123456789',
    NODEBB_REDIS_URL: 'redis://127.0.0.1:6379/2',
    CHROMIUM_PATH: '/usr/bin/chromium'
  })
  const pg = settingsOf({ port: 4601, token: 'tok', adminUid: 1, admin, db: { kind: 'postgres', url: 'postgres://h', database: 'd' }, chromium: null })
  t.notOk('NODEBB_REDIS_URL' in pg)
  t.notOk('CHROMIUM_PATH' in pg)
})
