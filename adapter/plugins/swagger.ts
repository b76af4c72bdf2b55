import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { errorCatalogue } from '../../shared/errors'

const errorTable = Object.entries(errorCatalogue)
  .map(([code, e]) => `| ${code} | ${e.status} | ${e.responseCode} |`).join('\n')

/** OpenAPI generated from the routes' own schemas, served at /docs (JSON at /docs/json). */
async function swaggerPlugin (fastify: FastifyInstance): Promise<void> {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Sunbird Discussions adapter',
        version: '1.0',
        description: 'Sunbird envelope APIs over NodeBB. Every answer is an envelope; failures carry a stable `params.err`:\n\n| err | HTTP | responseCode |\n|---|---|---|\n' + errorTable
      },
      components: {
        securitySchemes: {
          apiToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'API token from the API manager' },
          userToken: { type: 'apiKey', in: 'header', name: 'x-authenticated-user-token', description: 'Keycloak access token' }
        }
      }
    },
    // Fastify marks every body schema required; a DELETE's envelope (for its msgid) is optional
    transformObject: (documentObject) => {
      if (!('openapiObject' in documentObject)) return documentObject.swaggerObject
      const paths = (documentObject.openapiObject.paths ?? {}) as Record<string, { delete?: { requestBody?: { required?: boolean } } }>
      for (const path of Object.values(paths)) {
        if (path.delete?.requestBody !== undefined) path.delete.requestBody.required = false
      }
      return documentObject.openapiObject
    },
    refResolver: {
      // keep the $id names (Forum, ForumChildInput) as component names
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}`
    }
  })
  await fastify.register(swaggerUi, { routePrefix: '/docs' })
}

export default fp(swaggerPlugin, { name: 'swagger', fastify: '5.x' })
