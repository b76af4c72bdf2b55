import t from 'tap'
import { nodebbEnv } from '../../../scripts/nodebb/child-env'

t.test('NodeBB runs without the settings meant for others, on its own node', async (t) => {
  const env = nodebbEnv({
    PATH: '/usr/bin:/node22/bin:/bin',
    HOME: '/root',
    NODEBB_URL: 'http://other',
    NODEBB_TOKEN: 't',
    nodebb_db: 'x',
    PORT: '4000',
    url: 'http://x',
    NODE_OPTIONS: '--import tsx',
    INIT_CWD: '/repo',
    npm_package_name: 'p',
    npm_config_local_prefix: '/repo',
    npm_lifecycle_event: 'nodebb',
    npm_config_registry: 'https://registry.example/',
    NODE_ENV: 'test',
    http_proxy: 'http://proxy'
  }, '/node22/bin')
  t.same(env, {
    PATH: '/node22/bin:/usr/bin:/bin',
    HOME: '/root',
    npm_config_registry: 'https://registry.example/',
    NODE_ENV: 'production',
    http_proxy: 'http://proxy'
  })
  t.equal(nodebbEnv({}, '/n').PATH, '/n')
})
