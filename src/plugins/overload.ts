// Load shedding: past what a replica can serve, answering a quick 503 with Retry-After beats queueing
// every request until all of them time out. @fastify/under-pressure samples the event loop's delay (how
// long work waits its turn, which is what a queue of requests does to latency), the heap and the resident
// memory (which also holds what the heap does not: buffers of answers, sockets), and while any is over its
// limit new requests are refused at onRequest, before any parsing or work.
// Liveness and metrics are never shed (a restart or a gap in the graphs would only make things worse);
// /readyz reports the pressure (routes/health.ts), so Kubernetes sends traffic to other replicas meanwhile.
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { PROBLEM_CONTENT_TYPE, problemDocument } from './problem.js'

export interface OverloadOptions {
  /** mean event-loop delay over a sample above which requests are shed; 0 turns the check off */
  maxEventLoopDelayMs: number
  /** V8 heap in use above which requests are shed; 0 turns the check off */
  maxHeapUsedMiB: number
  /** resident memory (heap, buffers, sockets) above which requests are shed; 0 turns the check off */
  maxRssMiB: number
}

/** Seconds a shed client should wait: long enough for a queue to clear, short for a script retrying. */
export const RETRY_AFTER_SECONDS = 2
/** A quarter second between samples: shedding starts and stops within a fraction of a second. */
const SAMPLE_INTERVAL_MS = 250
const NEVER_SHED = new Set(['/healthz', '/readyz', '/metrics'])

declare module 'fastify' {
  interface FastifyInstance {
    /** True while requests are being shed: what /readyz reports. */
    overloaded: () => boolean
  }
}

export default fp<OverloadOptions>(async function overload (app: FastifyInstance, options) {
  // The first samples cover start-up (models loaded, schemas compiled: the loop blocked for a while), and a
  // sample with no reading (a process starved of CPU) reads as an infinite delay: neither is a queue of
  // requests, so the event-loop check counts only from two samples after the app is ready, and only finite
  // readings. Without this a fresh replica shed its first requests.
  let delayCountsFrom = Infinity
  app.addHook('onReady', async () => { delayCountsFrom = Date.now() + 2 * SAMPLE_INTERVAL_MS })
  const overloaded = (): boolean => {
    const { eventLoopDelay, heapUsed, rssBytes } = app.memoryUsage()
    const lagging = options.maxEventLoopDelayMs > 0 && Number.isFinite(eventLoopDelay) && eventLoopDelay > options.maxEventLoopDelayMs && Date.now() >= delayCountsFrom
    return lagging || (options.maxHeapUsedMiB > 0 && heapUsed > options.maxHeapUsedMiB * 2 ** 20) || (options.maxRssMiB > 0 && rssBytes > options.maxRssMiB * 2 ** 20)
  }
  app.decorate('overloaded', overloaded)

  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    maxHeapUsedBytes: options.maxHeapUsedMiB * 2 ** 20,
    maxRssBytes: options.maxRssMiB * 2 ** 20,
    sampleInterval: SAMPLE_INTERVAL_MS,
    retryAfter: RETRY_AFTER_SECONDS,
    // The plugin sends what the handler returns, and lets the request through on undefined (its types say void).
    pressureHandler: ((request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
      if (NEVER_SHED.has(request.url.split('?')[0] ?? '') || !overloaded()) return undefined // let it through
      const measured = type === 'eventLoopDelay' ? `event-loop delay ${Math.round(Number(value))} ms` : type === 'heapUsedBytes' ? `heap ${Math.round(Number(value) / 2 ** 20)} MiB` : type === 'rssBytes' ? `resident memory ${Math.round(Number(value) / 2 ** 20)} MiB` : type
      request.log.warn({ pressure: type, value }, 'shedding load')
      reply.code(503).type(PROBLEM_CONTENT_TYPE).header('retry-after', String(RETRY_AFTER_SECONDS))
      return problemDocument(request, 503, `This replica is overloaded (${measured}); retry in ${RETRY_AFTER_SECONDS} s.`, { type: 'overloaded' })
    }) as unknown as (request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => void
  })
}, { name: 'overload', dependencies: ['problem-details'] })
