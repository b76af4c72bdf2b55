import t from 'tap'
import { NotificationListRequest } from '../../shared/schemas/notification'
import { ActivityListRequest } from '../../shared/schemas/activity'
import { queryFromRequest, requestFromQuery, transportQueryFields } from '../../shared/schemas/query'

/** GET routes' requests as query strings, through the request's own schema. */

t.test('each parameter is read by its property\'s kind; what does not parse stays for the schema to refuse', async (t) => {
  t.same(requestFromQuery(NotificationListRequest, { unread: 'true', limit: '20', offset: '0' }), { unread: true, limit: 20, offset: 0 })
  t.same(requestFromQuery(NotificationListRequest, { unread: 'yes', limit: '1.5', offset: '-1' }), { unread: 'yes', limit: '1.5', offset: '-1' })
  t.same(requestFromQuery(NotificationListRequest, { limit: ['1', '2'], other: 'x' }), { limit: ['1', '2'], other: 'x' }, 'repeated and unknown parameters reach the schema as given')
  t.same(requestFromQuery(ActivityListRequest, { verbs: 'post.edit,topic.lock', forum: '12' }), { verbs: ['post.edit', 'topic.lock'], forum: '12' }, 'arrays comma separated; strings as given')
})

t.test('NodeBB\'s own parameters and empty values are not part of the request', async (t) => {
  const transport = Object.fromEntries([...transportQueryFields].map((k) => [k, '1']))
  t.same(requestFromQuery(NotificationListRequest, { ...transport, unread: '', limit: undefined }), {})
})

t.test('an object property travels as one parameter per field, under the names given', async (t) => {
  const names = { context: { type: 'contextType', identifier: 'contextId' } }
  t.same(queryFromRequest({ context: { type: 'batch', identifier: 'b1' }, limit: 3, unread: false, verbs: ['a', 'b'], skipped: undefined }, names),
    { contextType: 'batch', contextId: 'b1', limit: '3', unread: 'false', verbs: 'a,b' })
  t.same(requestFromQuery(ActivityListRequest, { contextType: 'batch', contextId: 'b1' }, names), { context: { type: 'batch', identifier: 'b1' } })
  t.same(requestFromQuery(ActivityListRequest, { contextType: 'batch' }, names), { context: { type: 'batch', identifier: undefined } }, 'half a context reaches the schema, which refuses it')
  t.same(queryFromRequest({}), {})
})
