import t from 'tap'
import { redisAnswers, testRedisUrl } from './redis-test-db'
import { closedPort } from './nodebb-stand-in'

t.test('a test that needs Redis fails at once, saying so and how to start one', async (t) => {
  const port = await closedPort()
  const started = Date.now()
  await t.rejects(redisAnswers(`redis://127.0.0.1:${port}/11`), /this test needs Redis at 127\.0\.0\.1:\d+ and it does not answer \(ECONNREFUSED\)\. Start one with `redis-server/)
  t.ok(Date.now() - started < 5000, 'at once, not after a timeout')
})

t.test('a Redis that answers passes', async (t) => {
  await t.resolves(redisAnswers(testRedisUrl))
})
