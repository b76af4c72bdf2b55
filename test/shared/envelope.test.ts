import t from 'tap'
import { apiIds, failureEnvelope, successEnvelope } from '../../shared/envelope'
import { ApiError, errorCatalogue, errorCodes, isApiError, isErrorCode } from '../../shared/errors'

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('success envelope', async (t) => {
  const e = successEnvelope(apiIds.forumCreate, { identifier: '7' }, { msgid: 'abc', now: () => 1600883199000 })
  t.same(e, {
    id: 'api.discussions.forum.create',
    ver: '1.0',
    ets: 1600883199000,
    params: { resmsgid: e.params.resmsgid, msgid: 'abc', status: 'successful', err: null, errmsg: null },
    responseCode: 'OK',
    result: { identifier: '7' }
  })
  t.match(e.params.resmsgid, uuid)
  t.not(successEnvelope('x', {}).params.resmsgid, e.params.resmsgid, 'a fresh resmsgid each time')
  t.equal(successEnvelope('x', {}).params.msgid, null)
  const before = Date.now()
  t.ok(successEnvelope('x', {}).ets >= before, 'ets is now, in ms')
})

t.test('failure envelope takes status text from the catalogue', async (t) => {
  const e = failureEnvelope(apiIds.userCreate, 'USER_EXISTS', undefined, { msgid: 'm1' })
  t.equal(e.params.status, 'failed')
  t.equal(e.params.err, 'USER_EXISTS')
  t.equal(e.params.errmsg, errorCatalogue.USER_EXISTS.message)
  t.equal(e.responseCode, 'CLIENT_ERROR')
  t.same(e.result, {})
  t.equal(e.params.msgid, 'm1')
  const nf = failureEnvelope('x', 'FORUM_NOT_FOUND', 'Forum 9 not found', { result: { identifier: '9' } })
  t.equal(nf.responseCode, 'RESOURCE_NOT_FOUND')
  t.equal(nf.params.errmsg, 'Forum 9 not found')
  t.same(nf.result, { identifier: '9' })
  t.equal(failureEnvelope('x', 'UPSTREAM_UNAVAILABLE').responseCode, 'SERVER_ERROR')
})

t.test('catalogue: codes, statuses and response codes follow DESIGN', async (t) => {
  const expected: Record<string, [number, string]> = {
    INVALID_REQUEST: [400, 'CLIENT_ERROR'],
    UNAUTHORIZED: [401, 'CLIENT_ERROR'],
    FORBIDDEN: [403, 'CLIENT_ERROR'],
    NOT_FOUND: [404, 'RESOURCE_NOT_FOUND'],
    USER_NOT_FOUND: [404, 'RESOURCE_NOT_FOUND'],
    FORUM_NOT_FOUND: [404, 'RESOURCE_NOT_FOUND'],
    GROUP_NOT_FOUND: [404, 'RESOURCE_NOT_FOUND'],
    PARENT_NOT_FOUND: [404, 'RESOURCE_NOT_FOUND'],
    METHOD_NOT_ALLOWED: [405, 'CLIENT_ERROR'],
    USER_EXISTS: [409, 'CLIENT_ERROR'],
    USERNAME_TAKEN: [409, 'CLIENT_ERROR'],
    CONFLICT: [409, 'CLIENT_ERROR'],
    IN_PROGRESS: [409, 'CLIENT_ERROR'],
    PAYLOAD_TOO_LARGE: [413, 'CLIENT_ERROR'],
    UNSUPPORTED_MEDIA_TYPE: [415, 'CLIENT_ERROR'],
    RATE_LIMITED: [429, 'CLIENT_ERROR'],
    INTERNAL_ERROR: [500, 'SERVER_ERROR'],
    UPSTREAM_UNAVAILABLE: [503, 'SERVER_ERROR'],
    OUTCOME_UNKNOWN: [503, 'SERVER_ERROR']
  }
  t.same(errorCodes.sort(), Object.keys(expected).sort())
  for (const code of errorCodes) {
    t.same([errorCatalogue[code].status, errorCatalogue[code].responseCode], expected[code], code)
    t.ok(errorCatalogue[code].message.length > 0)
  }
})

t.test('ApiError carries its catalogue entry', async (t) => {
  const err = new ApiError('FORUM_NOT_FOUND', undefined, { identifier: '3' })
  t.equal(err.status, 404)
  t.equal(err.responseCode, 'RESOURCE_NOT_FOUND')
  t.equal(err.message, 'Forum not found')
  t.same(err.details, { identifier: '3' })
  t.ok(isApiError(err))
  t.notOk(isApiError(new Error('x')))
  t.ok(isErrorCode('CONFLICT'))
  t.notOk(isErrorCode('toString'), 'prototype keys are not codes')
  t.notOk(isErrorCode(42))
})
