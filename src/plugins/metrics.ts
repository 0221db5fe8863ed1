// GET /metrics in Prometheus text format: requests by route and status, their durations, and the process's
// own metrics (CPU, memory, event loop, GC), with prom-client. Each app has its own registry, so several apps
// in one process (the tests) do not collide.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { clientErrorHandler } from './problem.js'
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    metricsRegistry: Registry
  }
}

/** The counters and the hook; registered before the routes so that it sees every one of them. */
export default fp(async function metrics (app: FastifyInstance) {
  const register = new Registry()
  collectDefaultMetrics({ register })
  const labelNames = ['method', 'route', 'status_code'] as const
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames, registers: [register] })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status',
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [register]
  })

  app.addHook('onResponse', async (request, reply) => {
    // The route's pattern (/meshes/:id), never the raw URL, keeps the label set bounded; unknown URLs share one label.
    const route = request.routeOptions.url ?? 'unmatched'
    const labels = { method: request.method, route, status_code: String(reply.statusCode) }
    requests.inc(labels)
    duration.observe(labels, reply.elapsedTime / 1000)
  })
  app.decorate('metricsRegistry', register)
}, { name: 'meshcost-metrics' })

/** GET /metrics; registered after @fastify/swagger so that the OpenAPI document lists it. */
export const metricsRoute = fp(async function metricsRoute (app: FastifyInstance) {
  const register = app.metricsRegistry
  app.get('/metrics', {
    schema: {
      tags: ['operations'],
      summary: 'Prometheus metrics',
      description: 'Prometheus text exposition format: http_requests_total and http_request_duration_seconds by method, route and status_code, the process metrics of prom-client (process_*, nodejs_*), meshcost_unsent_answer_bytes, and with PROMETHEUS_URL set the live cluster\'s what-if estimates (meshcost_whatif_*, meshcost_component_*, meshcost_cluster_refresh_*; docs/integrations.md). With METRICS_PORT set, served on that port only.',
      response: { 200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } }
    }
  }, async (_request, reply) => reply.type(register.contentType).send(await register.metrics()))
}, { name: 'meshcost-metrics-route', dependencies: ['meshcost-metrics'] })

/**
 * METRICS_PORT: /metrics on a port of its own, so that the API's Service and ingress do not expose it. A plain
 * HTTP server that answers GET /metrics and a 404 problem for anything else; it listens when the app is ready
 * (a port already taken stops the start) and closes with the app.
 */
export const metricsListener = fp<{ port: number, host: string }>(async function metricsListener (app: FastifyInstance, { port, host }) {
  const register = app.metricsRegistry
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if ((request.method !== 'GET' && request.method !== 'HEAD') || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'application/problem+json' })
      response.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'This port serves GET /metrics only.', instance: path }))
      return
    }
    register.metrics().then((text) => {
      response.writeHead(200, { 'content-type': register.contentType })
      response.end(request.method === 'HEAD' ? undefined : text)
    }, (err: unknown) => {
      app.log.error({ err }, 'metrics could not be collected')
      response.writeHead(500, { 'content-type': 'application/problem+json' })
      response.end(JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'The metrics could not be collected.', instance: path }))
    })
  })
  server.on('clientError', clientErrorHandler) // as the API's port answers what Node's parser rejects
  server.keepAliveTimeout = 65_000 // above Prometheus's scrape interval, so that scrapes reuse their connection
  app.addHook('onReady', async () => {
    server.listen(port, host)
    await once(server, 'listening')
    app.log.info({ port }, 'metrics on their own port')
  })
  app.addHook('onClose', async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
}, { name: 'meshcost-metrics-listener', dependencies: ['meshcost-metrics'] })
