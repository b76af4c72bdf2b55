import t from 'tap'
import { defaultName, defaultRedisDbs, defaultRelease, parseCommand, parseRedisDbs, UsageError } from '../../../scripts/nodebb/args'

t.test('up with nothing: the defaults', async (t) => {
  t.same(parseCommand(['up']), {
    kind: 'up',
    name: defaultName,
    release: defaultRelease,
    source: null,
    db: 'redis',
    port: null,
    redisDbs: defaultRedisDbs,
    redisUrl: 'redis://127.0.0.1:6379',
    postgresUrl: 'postgres://postgres@127.0.0.1:5432'
  })
  t.notOk(defaultRedisDbs.some((i) => [0, 7, 11, 12].includes(i)), 'never index 0 nor the tests\' and benchmarks\' own')
})

t.test('up with every option', async (t) => {
  t.match(parseCommand(['up', '--release', '4.11.2', '--source', '/a/b.tar.gz', '--port', '4601', '--redis-db', '1-4', '--name', 'ci-4.11.2', '--redis-url', 'redis://10.0.0.1:6380/']), {
    kind: 'up', release: '4.11.2', source: '/a/b.tar.gz', port: 4601, redisDbs: [1, 2, 3, 4], name: 'ci-4.11.2', redisUrl: 'redis://10.0.0.1:6380'
  })
  t.match(parseCommand(['up', '--db', 'postgres', '--postgres-url', 'postgresql://u:p@h:5433']), { db: 'postgres', postgresUrl: 'postgresql://u:p@h:5433' })
})

t.test('down, status, help', async (t) => {
  t.same(parseCommand(['down']), { kind: 'down', name: defaultName, keep: false })
  t.same(parseCommand(['down', '--name', 'x', '--keep']), { kind: 'down', name: 'x', keep: true })
  t.same(parseCommand(['status']), { kind: 'status' })
  for (const h of [[], ['help'], ['--help'], ['-h']]) t.same(parseCommand(h), { kind: 'help' })
})

t.test('what is refused, saying why', async (t) => {
  const bad: Array<[string[], RegExp]> = [
    [['start'], /unknown command "start"/],
    [['up', '--release', 'latest'], /not a release number/],
    [['up', '--db', 'mongo'], /not redis or postgres/],
    [['up', '--port', '0'], /not a port/],
    [['up', '--port', '45x'], /not a port/],
    [['up', '--name', '../x'], /not an instance name/],
    [['up', '--redis-db', 'a'], /not an index or a range/],
    [['up', '--redis-db', '4-1'], /runs backwards/],
    [['up', '--db', 'postgres', '--redis-db', '1'], /not with --db postgres/],
    [['up', '--redis-url', 'http://x'], /expected redis:/],
    [['up', '--redis-url', 'nope'], /not a URL/],
    [['up', '--bogus'], /Unknown option/],
    [['up', 'extra'], /positional/],
    [['down', '--port', '1'], /down takes no --port/],
    [['status', '--keep'], /status takes no --keep/]
  ]
  for (const [argv, message] of bad) t.throws(() => parseCommand(argv), { name: 'UsageError', message }, argv.join(' '))
  t.ok(new UsageError('x') instanceof Error)
})

t.test('Redis index lists', async (t) => {
  t.same(parseRedisDbs('3'), [3])
  t.same(parseRedisDbs('13-15,8-10'), [13, 14, 15, 8, 9, 10])
  t.same(parseRedisDbs('1-2, 2-3'), [1, 2, 3], 'each once')
  t.throws(() => parseRedisDbs('300'), /small numbers/)
})
