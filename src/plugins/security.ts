// Security headers, per-client rate limiting and an enforced request timeout. Registered before the routes:
// the rate limiter attaches itself to each route as the route is declared.
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet from 'helmet'

export interface SecurityOptions {
  /** requests per client (request.ip, see TRUST_PROXY) per window; 0 turns rate limiting off */
  rateLimitMax: number
  rateLimitWindowMs: number
  /** the server's request timeout, to check it often enough (see below) */
  requestTimeoutMs: number
}

/** Probes and scrapers call these every few seconds from one address; a limit must never fail a probe. */
export const RATE_LIMIT_EXEMPT = new Set(['/healthz', '/readyz', '/metrics'])

export default fp<SecurityOptions>(async function security (app: FastifyInstance, options) {
  // helmet's middleware, built once. @fastify/helmet, which this replaces, built it again on every request
  // (parsing the content policy each time) from two onRequest hooks: 19 µs of a 221 µs view=summary request
  // under the bench's load (npm run bench:profile). The headers are the same.
  const securityHeaders = helmet({
    // Helmet's default policy, which Swagger UI 5 at /docs works under (scripts and styles from 'self',
    // inline style attributes, data: images), minus upgrade-insecure-requests: the service speaks plain
    // HTTP behind its proxy, and that directive would send a browser to https:// for every asset of /docs.
    contentSecurityPolicy: {
      useDefaults: true,
      // "Try it out" calls the API from the page: default-src 'self' covers it.
      directives: { 'upgrade-insecure-requests': null }
    }
  })
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) => { done(error as Error | undefined) })
  })

  if (options.rateLimitMax > 0) {
    await app.register(rateLimit, {
      max: options.rateLimitMax,
      timeWindow: options.rateLimitWindowMs,
      // request.ip is the client's own address when the request came through a trusted proxy (TRUST_PROXY),
      // so each client behind an ingress has its own budget.
      keyGenerator: (request) => request.ip,
      allowList: (request) => RATE_LIMIT_EXEMPT.has(request.url.split('?')[0] ?? ''),
      // The error goes through the problem+json handler: a 429 document, with Retry-After and x-ratelimit-*.
      errorResponseBuilder: (_request, context) => Object.assign(
        new Error(`Rate limit exceeded: at most ${context.max} requests per ${options.rateLimitWindowMs / 1000} s from one client; retry in ${context.after}.`),
        { statusCode: context.statusCode })
    })
  }

  // Request timeout, made effective. Fastify sets server.requestTimeout after creating the server, which
  // leaves Node's headersTimeout at 60 s; with headersTimeout above requestTimeout, Node 20 never enforces
  // requestTimeout (a client trickling a body held its socket until the idle timeout). Headers must arrive
  // within the request timeout anyway. And Node checks only every connectionsCheckingInterval (30 s by
  // default): check at a tenth of the timeout, at most once a second.
  const server = app.server as unknown as { headersTimeout: number, connectionsCheckingInterval: number }
  server.headersTimeout = Math.min(server.headersTimeout, options.requestTimeoutMs)
  server.connectionsCheckingInterval = Math.min(1000, Math.max(100, Math.floor(options.requestTimeoutMs / 10)))
}, { name: 'security', dependencies: ['problem-details'] })
