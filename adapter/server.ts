#!/usr/bin/env node
import Fastify, { type FastifyServerOptions } from 'fastify'
import closeWithGrace from 'close-with-grace'
import app, { fastifyOptions } from './app'
import { loadConfig, ConfigError, type Config } from './config'
import { checkNodebbAtStart } from './startup-check'
import { devTokensCommand } from './dev-tokens'

/** Paths pino must never print: credentials in headers, and the NodeBB master token wherever it sits. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers["x-authenticated-user-token"]',
  'req.headers.cookie',
  'headers.authorization',
  '*.headers.authorization',
  'config.NODEBB_TOKEN',
  'NODEBB_TOKEN',
  '*.NODEBB_TOKEN',
  'token'
]

export function loggerOptions (config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: redactPaths, censor: '[redacted]' },
    // log a request's own id and msgid rather than the whole request object
    serializers: {
      req: (req: { method: string, url: string, id: string, headers: Record<string, unknown> }) => ({ method: req.method, url: req.url, id: req.id })
    }
  }
}

export function serverOptions (config: Config): FastifyServerOptions {
  return {
    ...fastifyOptions(config),
    logger: loggerOptions(config),
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    // an idle socket is one with no answer yet: it must outlive the longest NodeBB write
    connectionTimeout: Math.max(config.REQUEST_TIMEOUT_MS, config.NODEBB_WRITE_TIMEOUT_MS + 5000),
    forceCloseConnections: 'idle',
    return503OnClosing: true
  }
}

async function main (): Promise<void> {
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n')
      process.exit(1)
    }
    throw err
  }
  const server = Fastify(serverOptions(config))
  await server.register(app, { config })

  closeWithGrace({ delay: config.CLOSE_GRACE_MS, logger: server.log }, async ({ signal, err }) => {
    if (err !== undefined) server.log.error({ err }, 'closing after an error')
    else server.log.info({ signal }, 'closing: finishing in-flight requests')
    await server.close()
  })

  if (config.SOCKET_PATH !== '') await server.listen({ path: config.SOCKET_PATH })
  else await server.listen({ host: config.HOST, port: config.PORT })
  await checkNodebbAtStart(server)
}

if (require.main === module && process.argv[2] === 'dev-tokens') {
  process.exitCode = devTokensCommand(process.argv.slice(3))
} else if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`adapter failed to start: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
}
