import t from 'tap'
import { masterTokenOps } from '../../../scripts/nodebb/inside'

t.test('a master token as NodeBB keeps one: the object and both sorted sets, uid 0', async (t) => {
  t.same(masterTokenOps('tok', 'why', 1700000000000), [
    { op: 'setObject', args: ['token:tok', { uid: 0, description: 'why', timestamp: 1700000000000 }] },
    { op: 'sortedSetAdd', args: ['tokens:createtime', 1700000000000, 'tok'] },
    { op: 'sortedSetAdd', args: ['tokens:uid', 0, 'tok'] }
  ])
})
