import t from 'tap'
import { decide } from '../../../scripts/nodebb/postgres-db'
import { markerTool } from '../../../scripts/nodebb/redis-db'

const comment = (instance: string, checkout: string): string => JSON.stringify({ tool: markerTool, instance, checkout, created: 'x' })
const exists = (path: string): boolean => path !== '/gone'

t.test('a database is made, remade only when it is this tool\'s, else refused', async (t) => {
  t.equal(decide('sbnb_a', null, 'a', exists), 'create')
  t.equal(decide('sbnb_a', { comment: comment('a', '/here') }, 'a', exists), 'recreate')
  t.equal(decide('sbnb_a', { comment: comment('b', '/gone') }, 'a', exists), 'recreate', 'a gone checkout\'s')
  t.match(decide('sbnb_a', { comment: comment('b', '/here') }, 'a', exists), { refuse: /instance b of \/here/ })
  t.match(decide('sbnb_a', { comment: null }, 'a', exists), { refuse: /sbnb_a exists and is not this instance's \(no sunbird-nodebb marker\)/ })
})
