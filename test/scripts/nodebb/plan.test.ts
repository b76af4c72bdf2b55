import t from 'tap'
import { upPlan, type PlanFacts } from '../../../scripts/nodebb/plan'

const facts: PlanFacts = { release: '4.15.1', db: 'redis', replacing: false, treeCached: true, nodeFromRegistry: false, configuredSettings: [] }
const names = (f: PlanFacts): string[] => upPlan(f).map((s) => s.name)

t.test('a cached release on a new machine node: no node or replace step', async (t) => {
  t.same(names(facts), ['install', 'claim', 'copy', 'setup', 'plugin', 'activate', 'token', 'build', 'start', 'verify', 'settings'])
  t.match(upPlan(facts)[0]?.says, /installed in the cache already/)
})

t.test('from nothing, replacing an earlier instance, on an old machine node', async (t) => {
  const all = { ...facts, replacing: true, treeCached: false, nodeFromRegistry: true }
  t.same(names(all).slice(0, 3), ['replace', 'node', 'install'])
  t.match(upPlan(all)[2]?.says, /unpack and npm install --omit=dev/)
})

t.test('PostgreSQL, and NodeBB settings when there are any', async (t) => {
  const steps = upPlan({ ...facts, db: 'postgres', configuredSettings: ['postQueue'] })
  t.match(steps.find((s) => s.name === 'claim')?.says, /PostgreSQL database/)
  t.match(steps.find((s) => s.name === 'token')?.says, /settings postQueue/)
  t.notMatch(upPlan(facts).find((s) => s.name === 'token')?.says, /settings/)
})
