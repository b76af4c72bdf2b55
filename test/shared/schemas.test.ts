import t from 'tap'
import { Type } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import {
  ApplyToChildren, ForumCreateRequest, ForumUpdateRequest, ForumFetchRequest, UserCreateRequest, referencedSchemas,
  requestEnvelope, ref, toBoolean, DisplayName, GroupName, Forum, ForumResult
} from '../../shared/schemas'

const compile = <T extends Parameters<typeof TypeCompiler.Compile>[0]>(schema: T) => TypeCompiler.Compile(schema, referencedSchemas)
const create = compile(ForumCreateRequest)
const update = compile(ForumUpdateRequest)
const fetch = compile(ForumFetchRequest)
const user = compile(UserCreateRequest)

const validCreate = {
  name: 'Batch 42 discussions',
  context: { type: 'batch', identifier: 'do_1234' },
  groups: [{ permissions: ['post'], applyToChildren: 'true', members: ['u-1', 'u-2'] }],
  privileges: [{ permissions: ['moderate'], users: ['mentor-1'], groups: ['Mentors'], applyToChildren: true }],
  children: [{ name: 'Week 1', children: [{ name: 'Day 1', privileges: [{ permissions: null, users: ['u-2'] }] }] }]
}

/** A child with `levels` levels of children below it. */
function nest (levels: number): Record<string, unknown> {
  let node: Record<string, unknown> = { name: 'leaf' }
  for (let i = 0; i < levels; i++) node = { name: `level ${levels - i}`, children: [node] }
  return node
}

t.test('forum create: a full request passes', async (t) => {
  t.ok(create.Check(validCreate), JSON.stringify([...create.Errors(validCreate)][0]))
  t.ok(create.Check({ ...validCreate, children: [nest(3)] }), 'the forum and 4 levels of children: 5 levels')
  t.ok(create.Check({ ...validCreate, groups: [{ permissions: ['read'], members: ['f:5a8a3f2b-3409-42e0-9001-f913bc0fde31:2c0e5bd4-a2d7-4b43-9bc6-2bbd8fa2d8e5'] }] }), 'a full Keycloak subject names a user')
  t.ok(create.Check({ name: 'x', context: { type: 'group', identifier: 'g1' }, parent: '12', public: true }))
})

t.test('forum create: bad input is refused', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['missing name', { context: validCreate.context }],
    ['missing context', { name: 'x' }],
    ['empty name', { ...validCreate, name: '' }],
    ['blank name', { ...validCreate, name: '   ' }],
    ['10 kB name', { ...validCreate, name: 'n'.repeat(10240) }],
    ['control characters', { ...validCreate, name: 'a\u0000b' }],
    ['unknown field', { ...validCreate, owner: 'me' }],
    ['unknown field in a group', { ...validCreate, groups: [{ permissions: ['read'], admin: true }] }],
    ['name of wrong type', { ...validCreate, name: 42 }],
    ['parent not a forum id', { ...validCreate, parent: '../1' }],
    ['parent as number', { ...validCreate, parent: 12 }],
    ['applyToChildren "yes"', { ...validCreate, groups: [{ permissions: ['read'], applyToChildren: 'yes' }] }],
    ['permissions a string', { ...validCreate, groups: [{ permissions: 'read' }] }],
    ['permissions empty', { ...validCreate, groups: [{ permissions: [] }] }],
    ['member id with a space', { ...validCreate, groups: [{ permissions: ['read'], members: ['a b'] }] }],
    ['member id starting with a colon', { ...validCreate, groups: [{ permissions: ['read'], members: [':b'] }] }],
    ['children 5 levels below the forum', { ...validCreate, children: [nest(5)] }],
    ['children 1,000 levels deep', { ...validCreate, children: [nest(1000)] }],
    ['duplicate members', { ...validCreate, groups: [{ permissions: ['read'], members: ['a', 'a'] }] }],
    ['group name with a slash', { ...validCreate, privileges: [{ permissions: ['read'], groups: ['a/b'] }] }],
    ['context with unknown field', { ...validCreate, context: { ...validCreate.context, x: 1 } }],
    ['context type hostile', { ...validCreate, context: { type: '<script>', identifier: 'x' } }],
    ['child with unknown field', { ...validCreate, children: [{ name: 'c', parent: '1' }] }],
    ['grandchild with bad name', { ...validCreate, children: [{ name: 'c', children: [{ name: '' }] }] }],
    ['too many children', { ...validCreate, children: Array.from({ length: 51 }, (_, i) => ({ name: `c${i}` })) }]
  ]
  for (const [why, body] of cases) t.notOk(create.Check(body), why)
})

t.test('forum update: at least one field, groups by identifier', async (t) => {
  t.ok(update.Check({ name: 'Renamed' }))
  t.ok(update.Check({ groups: [{ identifier: '12-ab12cd', permissions: null }, { permissions: ['read'] }] }))
  t.ok(update.Check({ privileges: [{ permissions: null, users: ['u-1'] }] }))
  t.notOk(update.Check({}), 'empty update')
  t.notOk(update.Check({ context: { type: 'batch', identifier: 'x' } }), 'context cannot change')
})

t.test('fetch and user create', async (t) => {
  t.ok(fetch.Check({ context: { type: 'batch', identifier: 'b-1' } }))
  t.notOk(fetch.Check({ context: { type: 'batch' } }))
  t.ok(user.Check({ identifier: '5a3f-99', username: 'learner_1' }))
  t.ok(user.Check({ identifier: '5a3f-99', username: 'learner_1', fullname: 'A Learner' }))
  t.notOk(user.Check({ identifier: '5a3f-99' }))
  t.notOk(user.Check({ identifier: '', username: 'x' }))
  t.notOk(user.Check({ identifier: 'a', username: 'x', role: 'admin' }))
})

t.test('request envelope: lenient outside `request` (as Sunbird clients send it), strict inside', async (t) => {
  const env = compile(requestEnvelope(ForumFetchRequest))
  const request = { context: { type: 'batch', identifier: 'b' } }
  t.ok(env.Check({ request }))
  t.ok(env.Check({ id: 'api.x', ver: '1.0', params: { msgid: 'abc-1', did: 'd' }, request }))
  t.ok(env.Check({ id: null, ver: null, ts: '2026-11-30 10:00:00:000+0530', ets: '1700000000000', params: { msgid: null, did: null, key: '', sid: 's', cid: null, uid: null, other: 1 }, request, extra: 1 }), 'the full Sunbird request envelope, nulls and strings')
  t.ok(env.Check({ params: null, request }))
  t.ok(env.Check({ params: { msgid: '<any text> ünïcödé' }, request }), 'a msgid is any string')
  t.ok(env.Check({ params: { msgid: 'm'.repeat(128) }, request }))
  t.notOk(env.Check({ params: { msgid: 'm'.repeat(129) }, request }), 'up to 128 characters')
  t.notOk(env.Check({ params: { msgid: 42 }, request }), 'a string or null')
  t.notOk(env.Check({}), '`request` is required')
  t.notOk(env.Check({ request: { ...request, extra: 1 } }), '`request` stays strict: a typo is a 400')
})

t.test('helpers', async (t) => {
  t.equal(toBoolean(true), true)
  t.equal(toBoolean('true'), true)
  t.equal(toBoolean('false'), false)
  t.equal(toBoolean(false), false)
  t.equal(toBoolean(undefined), false)
  t.ok(TypeCompiler.Compile(ApplyToChildren).Check('false'))
  t.throws(() => ref(Type.String()), /\$id/)
  t.equal(ref(Forum).$ref, 'Forum')
  const name = TypeCompiler.Compile(DisplayName)
  t.ok(name.Check('  padded  '), 'white space around a name is allowed (trimmed later)')
  const group = TypeCompiler.Compile(GroupName)
  t.ok(group.Check('Mentors of batch 4'))
  t.ok(group.Check('12-a1b2c3'))
  t.notOk(group.Check(' lead'))
  t.notOk(group.Check('a:b'))
})

t.test('result schemas describe the forum shape', async (t) => {
  const result = compile(ForumResult)
  const forum = {
    identifier: '5',
    name: 'F',
    context: { type: 'batch', identifier: 'b' },
    parent: null,
    url: 'http://x/category/5',
    public: false,
    groups: [{ identifier: '5-abc', permissions: ['read'], applyToChildren: false, memberCount: 2, auto: true }],
    users: [{ identifier: 'u1', permissions: ['read', 'vote'], applyToChildren: false, extra: ['topics:create'] }],
    children: [],
    createdOn: 1,
    updatedOn: 2
  }
  t.ok(result.Check({ identifier: '5', forum }), JSON.stringify([...result.Errors({ identifier: '5', forum })][0]))
  t.ok(result.Check({ identifier: '5', forum: { ...forum, children: [{ ...forum, identifier: '6', parent: '5' }] } }))
  t.notOk(result.Check({ identifier: '5', forum: { ...forum, secret: 1 } }))
})
