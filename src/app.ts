// buildApp(config): the whole service as a Fastify instance, ready to listen or to inject into.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import { PACKAGE_ROOT, trustProxyOption, type Config } from './config.js'
import { loggerOptions } from './logging.js'
import { loadModels, type Models } from './models/load.js'
import { loadPriceSheet } from './models/price-sheet.js'
import caching from './plugins/caching.js'
import corsPlugin from './plugins/cors.js'
import drain from './plugins/drain.js'
import metrics, { metricsListener, metricsRoute } from './plugins/metrics.js'
import overload from './plugins/overload.js'
import unsent from './plugins/unsent.js'
import problemDetails, { clientErrorHandler, sendProblem } from './plugins/problem.js'
import security from './plugins/security.js'
import { hoistTitledSchemas } from './plugins/openapi-components.js'
import { schemaCache, type SchemaCache } from './plugins/precompiled.js'
import { serializerFactory } from './plugins/serialization.js'
import { createValidatorCompiler } from './plugins/validation.js'
import batchRoutes from './routes/batch.js'
import nodeTypeRoutes from './routes/node-types.js'
import pricingRoutes from './routes/pricing.js'
import clusterRoutes from './routes/cluster.js'
import estimateRoutes from './routes/estimate.js'
import featureRoutes from './routes/features.js'
import healthRoutes from './routes/health.js'
import meshRoutes from './routes/meshes.js'
import recommendRoutes from './routes/recommend.js'
import sweepRoutes from './routes/sweep.js'
import validationRoutes from './routes/validation.js'

declare module 'fastify' {
  interface FastifyInstance {
    models: Models
  }
}

export interface AppOptions {
  /** pino options, or false for none (tests) */
  logger?: FastifyServerOptions['logger']
  /** models already loaded, e.g. by a test that also inspects it */
  models?: Models
  /** validators and serialisers, precompiled or not (plugins/precompiled.ts); the process's by default */
  schemas?: SchemaCache
}

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string, description: string }

// A client's id is echoed into logs and headers, so only a short, plain one is honoured.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * One log line per request, written when it completes: method, path, status and time, with the request id.
 * Bodies and headers (prices, tokens) never reach the log.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime * 100) / 100 }
    if (error) reply.log.error({ ...line, err: error }, 'request errored')
    else reply.log.info(line, 'request completed')
  }
}

export async function buildApp (config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  // Throws, listing every problem, on bad models. dist/models.json (npm run build) is used only when it was
  // compiled from exactly the files now in MODELS_DIR; otherwise the YAML is parsed and validated.
  const loaded = options.models ?? loadModels(config.modelsDir, { compiled: join(PACKAGE_ROOT, 'dist', 'models.json') })
  // PRICE_SHEET_FILE: validated like the models, every problem listed; its prices replace the default book's.
  const models = config.priceSheetFile === '' ? loaded : { ...loaded, priceSheet: loadPriceSheet(config.priceSheetFile) }

  const schemas = options.schemas ?? schemaCache
  const app = Fastify({
    schemaController: { compilersFactory: { buildSerializer: serializerFactory(schemas) } },
    logger: options.logger ?? loggerOptions(config),
    requestIdHeader: false,
    trustProxy: trustProxyOption(config.trustProxy), // request.ip: the client behind the trusted proxies
    logController: new OneLinePerRequest(),
    genReqId: (req) => {
      const id = req.headers['x-request-id']
      return typeof id === 'string' && REQUEST_ID.test(id) ? id : randomUUID()
    },
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs * 2,
    keepAliveTimeout: 10_000,
    forceCloseConnections: 'idle',
    // A malformed URL or an over-long path parameter fails before routing: answer it as every other error.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id)
      return sendProblem(request, reply, error.statusCode ?? 400, error.message, { type: 'invalid-request' })
    },
    clientErrorHandler, // what Node's HTTP parser rejects (400, 408, 413, 431) answered as a problem document
    return503OnClosing: false, // a request that reaches an open connection while closing is answered (plugins/drain.ts)
    routerOptions: { maxParamLength: 100 }
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.setValidatorCompiler(createValidatorCompiler(schemas))
  app.addHook('onReady', async () => {
    // A build older than the schemas: correct (compiled here), but slower to start. Said once per process.
    if (schemas.compiledHere.size > 0 && !schemas.reported) {
      schemas.reported = true
      app.log.warn({ schemas: schemas.compiledHere.size, precompiled: schemas.seen.size - schemas.compiledHere.size }, 'schemas compiled at start-up: dist/schemas.cjs does not hold them (run npm run build)')
    }
  })
  app.removeContentTypeParser('text/plain') // every body is JSON; anything else is a 415, not a string to validate
  app.decorate('models', models)
  app.addHook('onRequest', async (request, reply) => { reply.header('x-request-id', request.id) })

  await app.register(problemDetails)
  await app.register(metrics) // first, so that its onResponse hook sees every route
  await app.register(corsPlugin, { origins: config.corsOrigins })
  await app.register(drain)
  await app.register(overload, { maxEventLoopDelayMs: config.overloadMaxEventLoopDelayMs, maxHeapUsedMiB: config.overloadMaxHeapUsedMiB, maxRssMiB: config.overloadMaxRssMiB })
  await app.register(unsent, { maxUnsentBytes: config.unsentAnswersMaxMiB * 2 ** 20, writeTimeoutMs: config.writeTimeoutMs })
  await app.register(caching, { maxAgeSeconds: config.cacheMaxAgeSeconds })
  await app.register(security, { rateLimitMax: config.rateLimitMax, rateLimitWindowMs: config.rateLimitWindowMs, requestTimeoutMs: config.requestTimeoutMs })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'meshcost',
        version: pkg.version,
        description: `${pkg.description}\n\nEvery figure comes from a model file in models/ that cites its source; GET /meshes/{id} shows them.`,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' }
      },
      tags: [
        { name: 'estimate', description: 'Overhead and cost of service meshes for a workload' },
        { name: 'meshes', description: 'The mesh models and their sources' },
        { name: 'decide', description: 'Do we need a mesh, which one, and how to get there: the feature matrix and recommendations' },
        { name: 'node-types', description: 'Node types: sizes, max pods, allocatable and dated prices per region' },
        { name: 'pricing', description: 'Price books: unit prices per vCPU-hour and GiB-hour' },
        { name: 'cluster', description: 'The cluster you run, read from its Prometheus (PROMETHEUS_URL), and its estimate' },
        { name: 'operations', description: 'Health and API description' }
      ]
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transformObject: (document) => ('openapiObject' in document ? hoistTitledSchemas(document.openapiObject) : document.swaggerObject)
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  await app.register(healthRoutes)
  await app.register(meshRoutes)
  await app.register(estimateRoutes)
  await app.register(featureRoutes)
  await app.register(recommendRoutes)
  await app.register(sweepRoutes)
  await app.register(batchRoutes)
  if (config.metricsPort === 0) await app.register(metricsRoute)
  else await app.register(metricsListener, { port: config.metricsPort, host: config.host })
  await app.register(nodeTypeRoutes)
  await app.register(pricingRoutes)
  await app.register(validationRoutes)
  await app.register(clusterRoutes, {
    prometheus: config.prometheusUrl === '' ? undefined : { url: config.prometheusUrl, bearerTokenFile: config.prometheusBearerTokenFile, timeoutMs: config.prometheusTimeoutMs },
    refresh: { everySeconds: config.clusterRefreshSeconds, window: config.clusterRefreshWindow },
    version: pkg.version
  })

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  app.get('/openapi.yaml', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/yaml; charset=utf-8').send(app.swagger({ yaml: true })))
  app.get('/', { schema: { hide: true } }, async () => ({
    name: 'meshcost',
    version: pkg.version,
    description: pkg.description,
    links: { docs: '/docs', openapi: '/openapi.json', meshes: '/meshes', nodeTypes: '/node-types', pricing: '/pricing', estimate: 'POST /estimate' }
  }))

  return app
}
