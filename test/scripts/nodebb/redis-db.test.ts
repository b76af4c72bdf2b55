import t from 'tap'
import { markerTool, parseMarker, pickIndex, type IndexState, type Marker } from '../../../scripts/nodebb/redis-db'

const marker = (instance: string, checkout = '/here'): Marker => ({ tool: markerTool, instance, checkout, created: '2026-01-01T00:00:00.000Z' })
const exists = (path: string): boolean => path !== '/gone'

t.test('the marker: only this tool\'s is one', async (t) => {
  t.same(parseMarker(JSON.stringify(marker('a-1'))), marker('a-1'))
  t.equal(parseMarker(null), null)
  t.equal(parseMarker('not json'), null)
  t.equal(parseMarker(JSON.stringify({ tool: 'other', instance: 'a', checkout: '/' })), null)
  t.equal(parseMarker(JSON.stringify({ tool: markerTool })), null)
})

t.test('the instance\'s own index first, then the first empty, then a stale one', async (t) => {
  const states: IndexState[] = [
    { index: 1, keys: 40, marker: null },
    { index: 2, keys: 0, marker: null },
    { index: 3, keys: 900, marker: marker('mine') },
    { index: 4, keys: 900, marker: marker('theirs', '/gone') }
  ]
  t.same(pickIndex(states, 'mine', exists), { index: 3, how: 'own' })
  t.same(pickIndex(states, 'new', exists), { index: 2, how: 'empty' })
  t.same(pickIndex(states.filter((s) => s.index !== 2), 'new', exists), { index: 4, how: 'stale' })
})

t.test('never an index with others\' data or a live instance\'s', async (t) => {
  const pick = pickIndex([{ index: 1, keys: 3, marker: null }, { index: 2, keys: 9, marker: marker('theirs', '/elsewhere') }], 'new', exists)
  t.ok('error' in pick)
  t.match(pick, { error: /no free Redis database among 1, 2 \(1: 3 keys, not this tool's; 2: instance theirs of \/elsewhere\)/ })
  t.match(pickIndex([], 'new', exists), { error: /--redis-db/ })
})
