import t from 'tap'
import { build, testConfig } from '../helper'

interface Operation {
  summary?: string
  tags?: string[]
  parameters?: Array<{ in: string, name: string, required?: boolean }>
  requestBody?: { required: boolean, content: Record<string, { schema: Record<string, any> }> }
  responses: Record<string, { content?: Record<string, { schema: Record<string, any> }> }>
}

t.test('every API route is in the OpenAPI document with its schemas and error responses', async (t) => {
  const app = await build(t, { config: testConfig({ NODEBB_URL: 'http://127.0.0.1:9' }) })
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, Operation>>, components: { schemas: Record<string, unknown> } }
  const api: Array<[string, string, { body?: boolean, params?: string[] }]> = [
    ['post', '/api/user/v1/create', { body: true }],
    ['get', '/api/user/v1/read/{identifier}', { params: ['identifier'] }],
    ['post', '/api/forum/v1/create', { body: true }],
    ['patch', '/api/forum/v1/update/{forumId}', { body: true, params: ['forumId'] }],
    ['post', '/api/forum/v1/fetch', { body: true }],
    ['get', '/api/forum/v1/read/{forumId}', { params: ['forumId'] }],
    ['delete', '/api/forum/v1/delete/{forumId}', { body: true, params: ['forumId'] }],
    ['post', '/api/activity/v1/list', { body: true }],
    ['post', '/api/notification/v1/send', { body: true }],
    ['post', '/api/notification/v1/list', { body: true }],
    ['post', '/api/notification/v1/mark-read', { body: true }]
  ]
  for (const [method, path, expect] of api) {
    const op = doc.paths[path]?.[method]
    if (op === undefined) { t.fail(`${method} ${path} is missing`); continue }
    t.ok(op.summary, `${path}: summary`)
    t.ok(op.tags?.length, `${path}: tags`)
    t.same(Object.keys(op.responses).sort(), ['200', '4XX', '5XX'], `${path}: success and error responses`)
    const success = op.responses['200']?.content?.['application/json']?.schema
    t.ok(success?.properties?.result, `${path}: the result schema`)
    t.same(Object.keys(op.responses['4XX']?.content?.['application/json']?.schema?.properties ?? {}).sort(), ['ets', 'id', 'params', 'responseCode', 'result', 'ver'], `${path}: errors are envelopes`)
    if (expect.body === true) t.ok(op.requestBody?.content['application/json']?.schema.properties?.request, `${path}: the request envelope`)
    else t.equal(op.requestBody, undefined, `${path}: no body`)
    t.same((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name), expect.params ?? [], `${path}: path parameters`)
  }
  t.equal(doc.paths['/api/forum/v1/delete/{forumId}']?.delete?.requestBody?.required, false, 'the DELETE envelope is optional')
  t.equal(doc.paths['/api/forum/v1/create']?.post?.requestBody?.required, true)
  t.ok(doc.components.schemas.Forum, 'the Forum schema is a named component')
  t.ok(doc.components.schemas.ForumChildInput1, 'each level of child forums is a named component')
  t.ok(doc.components.schemas.ForumChildInput4)
  t.same(Object.keys(doc.paths['/ready']?.get?.responses ?? {}).sort(), ['200', '503'])
  t.ok(doc.paths['/metrics']?.get?.responses['200']?.content?.['text/plain'], '/metrics is text')
})
