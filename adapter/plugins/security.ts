import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

/** Security headers on every answer; CORS only for the origins configured (off by default). */
async function securityPlugin (fastify: FastifyInstance): Promise<void> {
  // a JSON API: the strict defaults, except the CSP the /docs page needs for its own assets
  await fastify.register(helmet, { global: true, contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'] } } })
  const origins = fastify.config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter((o) => o !== '')
  if (origins.length > 0) {
    await fastify.register(cors, {
      origin: origins,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-authenticated-user-token', 'x-request-id']
    })
  }
}

export default fp(securityPlugin, { name: 'security', fastify: '5.x' })
