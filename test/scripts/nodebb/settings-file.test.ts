import t from 'tap'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatSettings, localSettings, readSettings } from '../../../scripts/nodebb/settings-file'

t.test('written in a fixed order, read back as written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'settings-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const text = formatSettings({ NODEBB_TOKEN: 'a-b', NODEBB_URL: 'http://127.0.0.1:4601', NODEBB_REDIS_URL: 'redis://127.0.0.1:6379/3' }, ['made by a test'])
  t.equal(text, '# made by a test\nNODEBB_URL=http://127.0.0.1:4601\nNODEBB_TOKEN=a-b\nNODEBB_REDIS_URL=redis://127.0.0.1:6379/3\n')
  writeFileSync(join(dir, 'x.env'), text)
  t.same(readSettings(join(dir, 'x.env')), { NODEBB_URL: 'http://127.0.0.1:4601', NODEBB_TOKEN: 'a-b', NODEBB_REDIS_URL: 'redis://127.0.0.1:6379/3' })
  t.same(readSettings(join(dir, 'none.env')), {}, 'no file: nothing')
  t.throws(() => formatSettings({ CHROMIUM_PATH: '/a b' }), /would need quoting/)
  t.throws(() => readSettings(dir), /EISDIR/, 'other errors are not hidden')
})

t.test('what the e2e suites read: the file when the environment names no NodeBB, the environment winning', async (t) => {
  const checkout = mkdtempSync(join(tmpdir(), 'checkout-'))
  t.teardown(() => rmSync(checkout, { recursive: true, force: true }))
  mkdirSync(join(checkout, '.nodebb'))
  writeFileSync(join(checkout, '.nodebb', 'local.env'), 'NODEBB_URL=http://127.0.0.1:4601\nNODEBB_TOKEN=file\nNODEBB_ADMIN_USER=admin\n')
  writeFileSync(join(checkout, '.nodebb', 'ci.env'), 'NODEBB_URL=http://127.0.0.1:4602\nNODEBB_TOKEN=ci\n')

  const none = localSettings({ PATH: '/bin' }, checkout)
  t.equal(none.file, join(checkout, '.nodebb', 'local.env'))
  t.match(none.values, { NODEBB_URL: 'http://127.0.0.1:4601', NODEBB_TOKEN: 'file', NODEBB_ADMIN_USER: 'admin', PATH: '/bin' })

  t.match(localSettings({ NODEBB_ADMIN_USER: 'other', NODEBB_URL: '' }, checkout).values, { NODEBB_TOKEN: 'file', NODEBB_ADMIN_USER: 'other' }, 'name by name; empty is unset')
  t.match(localSettings({ NODEBB_INSTANCE: 'ci' }, checkout).values, { NODEBB_URL: 'http://127.0.0.1:4602', NODEBB_TOKEN: 'ci' }, 'NODEBB_INSTANCE picks the file')

  const env = localSettings({ NODEBB_URL: 'http://elsewhere' }, checkout)
  t.equal(env.file, null, 'a NodeBB named by the environment: no file')
  t.same(env.values, { NODEBB_URL: 'http://elsewhere' }, 'never another instance\'s token with it')
  t.equal(localSettings({ NODEBB_INSTANCE: 'missing' }, checkout).file, null)
})
