import t from 'tap'
import { callNodebb, nodebbTarget, skipReason, unavailable } from './nodebb'

const target = nodebbTarget()

if (target === null) {
  unavailable(t, skipReason)
} else {
  t.test('the plugin is active in NodeBB and its routes take the master token', async (t) => {
    const ok = await callNodebb(target, 'GET', '/api/v3/plugins/sunbird/status', target.adminUid)
    t.equal(ok.status, 200, JSON.stringify(ok.body))
    t.equal(ok.body.status?.code, 'ok')
    t.equal(ok.body.response?.plugin, 'nodebb-plugin-sunbird-discussions')
  })

  t.test('no token: NodeBB refuses before the plugin runs', async (t) => {
    const res = await callNodebb(target, 'GET', '/api/v3/plugins/sunbird/status', target.adminUid, undefined, null)
    t.equal(res.status, 401)
  })

  t.test('a forged token is refused', async (t) => {
    const res = await callNodebb(target, 'GET', '/api/v3/plugins/sunbird/status', target.adminUid, undefined, 'not-a-real-token')
    t.equal(res.status, 401)
  })
}
