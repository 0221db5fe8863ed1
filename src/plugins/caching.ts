// HTTP caching for GET: every 200 answer carries a strong ETag (a hash of its bytes, so it is right for any
// route whatever the answer depends on), and If-None-Match with a matching tag gets 304 Not Modified with no
// body. Answers that follow from the models alone also carry Cache-Control: the models are read once at
// start-up and stay the same until the service restarts, so a dashboard may reuse an answer for
// `maxAgeSeconds` and then revalidate it for the cost of a hash and a few headers.
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface CachingOptions {
  /** how long a client or proxy may reuse a model-derived answer before revalidating it */
  maxAgeSeconds: number
}

/**
 * Routes whose answers change on their own (probes, live metrics, the cluster as Prometheus sees it now): an ETag and
 * `no-cache`, so that a cache revalidates every time (without a Cache-Control a shared cache may give a 200 a
 * heuristic freshness of its own, RFC 9111 4.2.2) and no cache serves a stale reading.
 */
const LIVE = new Set(['/metrics', '/healthz', '/readyz', '/cluster'])

/** Does an If-None-Match header (a list of tags, weak or strong, or *) match this tag? */
export function matches (ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}

export default fp<CachingOptions>(async function caching (app: FastifyInstance, options) {
  const cacheControl = `public, max-age=${options.maxAgeSeconds}`
  app.addHook('onSend', (request, reply, payload, done) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200 ||
        (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      done(null, payload)
      return
    }
    const etag = `"${createHash('sha1').update(payload).digest('base64url')}"`
    reply.header('etag', etag)
    const route = request.routeOptions.url
    if (route !== undefined && !reply.hasHeader('cache-control')) reply.header('cache-control', LIVE.has(route) ? 'no-cache' : cacheControl)
    const ifNoneMatch = request.headers['if-none-match']
    if (typeof ifNoneMatch === 'string' && matches(ifNoneMatch, etag)) {
      reply.code(304)
      reply.removeHeader('content-length')
      reply.removeHeader('content-type')
      done(null, '')
      return
    }
    done(null, payload)
  })
}, { name: 'caching' })
