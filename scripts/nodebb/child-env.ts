import { delimiter } from 'node:path'

/**
 * Variables NodeBB's nconf reads as its own settings (loader.js: `nconf.get('PORT') || nconf.get('port')`,
 * config.json's keys), which would override the instance's config.json.
 */
const nodebbSettings = new Set(['PORT', 'port', 'url', 'secret', 'database', 'redis', 'postgres', 'mongo', 'bind_address', 'isPrimary', 'isCluster', 'jobsDisabled', 'upload_path', 'config', 'CONFIG'])

/** npm settings a user may have given through the environment, which NodeBB's npm runs keep. */
const npmSettingsKept = /^npm_config_(registry|cache|userconfig|globalconfig|strict_ssl|proxy|https_proxy|noproxy|cafile|fetch_retries|fetch_timeout)$/i

/**
 * The environment NodeBB and its npm run in. NodeBB's setup reads NODEBB_URL, NODEBB_PORT,
 * NODEBB_ADMIN_PASSWORD, NODEBB_DB... from the environment (src/install.js) and its nconf reads
 * every other variable as a setting, so the settings this tool prints (NODEBB_URL of another
 * instance, say) and a PORT meant for the adapter must not leak into it; nor the `npm run` context
 * this tool runs in (npm_package_*, npm_config_local_prefix pointing at this checkout) nor a
 * NODE_OPTIONS meant for this process.
 */
export function nodebbEnv (base: NodeJS.ProcessEnv, nodeBin: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue
    if (/^NODEBB_/i.test(name) || nodebbSettings.has(name) || name === 'NODE_OPTIONS' || name === 'INIT_CWD') continue
    if (/^npm_/i.test(name) && !npmSettingsKept.test(name)) continue
    env[name] = value
  }
  env.PATH = [nodeBin, ...(base.PATH ?? '').split(delimiter).filter((p) => p !== '' && p !== nodeBin)].join(delimiter)
  env.NODE_ENV = 'production'
  return env
}
