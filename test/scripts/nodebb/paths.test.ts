import t from 'tap'
import { cacheRoot, instanceId, layout, postgresDatabase, repoRoot, settingsFile } from '../../../scripts/nodebb/paths'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

t.test('the cache is outside the checkout', async (t) => {
  t.equal(cacheRoot({ SUNBIRD_NODEBB_CACHE: '/c' }, '/h'), '/c')
  t.equal(cacheRoot({ XDG_CACHE_HOME: '/x' }, '/h'), '/x/sunbird-nodebb')
  t.equal(cacheRoot({}, '/h'), '/h/.cache/sunbird-nodebb')
  t.match(layout('/c', '/repo'), { trees: '/c/trees', downloads: '/c/downloads', instances: '/c/instances', local: '/repo/.nodebb' })
  t.ok(existsSync(join(repoRoot, 'package.json')), 'repoRoot is the checkout')
  t.equal(settingsFile('/repo/.nodebb', 'local'), '/repo/.nodebb/local.env')
})

t.test('instance ids and database names', async (t) => {
  t.equal(instanceId('local', '/a'), instanceId('local', '/a'), 'stable')
  t.not(instanceId('local', '/a'), instanceId('local', '/b'), 'two checkouts, two instances')
  t.match(instanceId('local', '/a'), /^local-[0-9a-f]{8}$/)
  t.equal(postgresDatabase('CI-4.11.2-abcd'), 'sbnb_ci_4_11_2_abcd')
  t.equal(postgresDatabase('x'.repeat(80)).length, 63)
})
