// Memory held for clients that read slowly, or not at all. An answer the client does not read stays in the
// process until it is sent: without a bound, twenty clients that each ask for a large sweep and never read it
// hold more memory than a 512 MiB container has (outside the V8 heap, where the heap guard cannot see it).
//
// Two bounds, both accounted:
// - Large answers (JSON sweeps) reserve the bytes they hold before any work; while the reservations of
//   answers not yet sent exceed UNSENT_ANSWERS_MAX_MIB, a new one gets a 503 with Retry-After, and every
//   other request is answered as usual. Streamed answers are written at the pace the socket drains, so what
//   waits in a connection's buffer is about one chunk.
// - A connection with bytes waiting whose client has taken none of them for WRITE_TIMEOUT_MS is cut: its
//   buffers and its reservation are freed.
import type { Socket } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { Gauge } from 'prom-client'
import { RETRY_AFTER_SECONDS } from './overload.js'
import { sendProblem } from './problem.js'

export interface UnsentOptions {
  /** the bytes that answers not yet sent may reserve in all; 0 turns the bound off */
  maxUnsentBytes: number
  /** how long a connection with bytes waiting may take none of them before it is cut; 0 turns it off */
  writeTimeoutMs: number
}

/** How often connections are checked: a tenth of the write time-out, at least every second. */
const CHECK_INTERVAL_MS = 1000

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Reserves `bytes` for the answer of `reply` until its connection closes or the answer is sent. False, with
     * a 503 problem already sent, when the reservations would exceed the bound.
     */
    reserveUnsent: (reply: FastifyReply, bytes: number) => boolean
    /** Bytes reserved by answers not yet sent, and bytes waiting in connections' buffers. */
    unsentBytes: () => { reserved: number, buffered: number }
  }
}

/** What the check last saw of a connection with bytes waiting. */
interface Progress { sent: number, sinceMs: number }

export default fp<UnsentOptions>(async function unsent (app: FastifyInstance, options) {
  let reserved = 0
  const connections = app.openConnections // tracked once, by the drain
  const progress = new WeakMap<Socket, Progress>()

  const buffered = (): number => {
    let bytes = 0
    for (const socket of connections) bytes += socket.writableLength
    return bytes
  }
  app.decorate('unsentBytes', () => ({ reserved, buffered: buffered() }))

  app.decorate('reserveUnsent', (reply: FastifyReply, bytes: number) => {
    if (options.maxUnsentBytes > 0 && reserved + bytes > options.maxUnsentBytes) {
      reply.request.log.warn({ reservedBytes: reserved, askedBytes: bytes }, 'refusing a large answer: answers not yet sent hold too much')
      reply.header('retry-after', String(RETRY_AFTER_SECONDS))
      sendProblem(reply.request, reply, 503, `Answers not yet read by their clients hold ${mib(reserved)} MiB, the most this replica keeps for them; this answer needs ${mib(bytes)} MiB more. Retry in ${RETRY_AFTER_SECONDS} s, or ask for it streamed (format=ndjson or csv), which holds no more than a chunk.`, { type: 'overloaded' })
      return false
    }
    reserved += bytes
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      reserved -= bytes
      if (reserved === 0) collectGarbage()
    }
    reply.raw.once('finish', release) // the last byte handed to the kernel
    reply.raw.once('close', release) // or the connection gone first
    return true
  })

  // Bytes a connection has handed to the kernel: what was written minus what still waits in its buffer.
  const sent = (socket: Socket): number => socket.bytesWritten - socket.writableLength
  function cutStalledWriters (): void {
    const now = Date.now()
    for (const socket of connections) {
      if (socket.writableLength === 0) { progress.delete(socket); continue }
      const last = progress.get(socket)
      const bytes = sent(socket)
      if (last === undefined || bytes !== last.sent) progress.set(socket, { sent: bytes, sinceMs: now })
      else if (now - last.sinceMs >= options.writeTimeoutMs) {
        app.log.warn({ waitingBytes: socket.writableLength, stalledMs: now - last.sinceMs }, 'cutting a connection whose client stopped reading')
        socket.destroy()
      }
    }
  }
  if (options.writeTimeoutMs > 0) {
    const checker = setInterval(cutStalledWriters, Math.min(CHECK_INTERVAL_MS, Math.max(10, options.writeTimeoutMs / 10))).unref()
    app.addHook('onClose', async () => { clearInterval(checker) })
  }

  // eslint-disable-next-line no-new -- registered in the app's registry, read on each scrape
  new Gauge({
    name: 'meshcost_unsent_answer_bytes',
    help: 'Bytes held for answers not yet read by their clients: reserved by large answers, or waiting in connection buffers',
    labelNames: ['kind'],
    registers: [app.metricsRegistry],
    collect () {
      this.set({ kind: 'reserved' }, reserved)
      this.set({ kind: 'buffered' }, buffered())
    }
  })
}, { name: 'unsent', dependencies: ['problem-details', 'meshcost-metrics', 'drain'] })

// A large answer's numbers sit outside the V8 heap, and an idle process would keep them until some later
// allocation starts a full collection: once no large answer is held, one is started (at most every 10 s).
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
let lastCollectionMs = 0
function collectGarbage (): void {
  if (Date.now() - lastCollectionMs < 10_000) return
  lastCollectionMs = Date.now()
  setImmediate(gc)
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1)
