// Shutdown as Kubernetes expects it. After SIGTERM the endpoint is removed from Services and ingresses
// asynchronously, so traffic keeps arriving for a few seconds: app.beginShutdown() turns readiness to 503
// and asks clients to reconnect (Connection: close) while every route keeps answering. app.close() then
// stops accepting, lets requests in flight finish, and closes each connection once it is quiet.
//
// Node's own server.close() destroys at once every keep-alive connection that sits between requests,
// judged by what Node has read: a next request still unread in the kernel's buffer (the event loop was
// busy) is lost with a reset (ECONNRESET). Here a connection is closed only once it has no answer pending
// and nothing has arrived on it for QUIET_MS, judged over a poll phase of the event loop.
import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** How long a connection without a request in progress must stay silent before the drain closes it. */
export const QUIET_MS = 500
const SWEEP_INTERVAL_MS = 50

/** What the drain last saw of a connection. */
interface Observation { bytesRead: number, lastActiveMs: number }

declare module 'fastify' {
  interface FastifyInstance {
    /** Readiness off and Connection: close on every answer; the routes keep serving until app.close(). */
    beginShutdown: () => void
    /** True from beginShutdown() (or app.close()) on. */
    readonly shuttingDown: boolean
    /** Resolves once no connection has arrived for QUIET_MS, or after maxMs. */
    untilConnectionsStop: (maxMs: number) => Promise<void>
  }
}

export default fp(async function drain (app: FastifyInstance) {
  let shuttingDown = false
  let sweeper: NodeJS.Timeout | undefined
  const connections = new Set<Socket>()
  const observed = new WeakMap<Socket, Observation>()

  app.decorate('beginShutdown', () => { shuttingDown = true })
  app.decorate('shuttingDown', { getter: () => shuttingDown })

  let lastConnectionMs = 0

  // Closing the listener resets (ECONNRESET) every connection still in the kernel's accept queue, which
  // the client already counts as open: so it closes only once connections have stopped arriving, as they
  // do once the endpoint is gone from every load balancer. When they keep arriving, at most maxMs later.
  app.decorate('untilConnectionsStop', async (maxMs: number) => {
    const deadline = Date.now() + maxMs
    while (Date.now() < deadline && Date.now() - lastConnectionMs < QUIET_MS) await sleep(SWEEP_INTERVAL_MS)
  })

  app.server.on('connection', (socket: Socket) => {
    lastConnectionMs = Date.now()
    connections.add(socket)
    socket.once('close', () => connections.delete(socket))
  })

  /**
   * Closes the connections that have no answer pending and have stayed silent over QUIET_MS of sweeps. A
   * connection is first only observed, never closed: the decision always spans a poll phase of the event
   * loop, in which Node reads whatever the kernel holds for it.
   */
  function closeQuietConnections (): void {
    const now = Date.now()
    for (const socket of connections) {
      const last = observed.get(socket)
      // Node sets _httpMessage to the response being written and clears it once the answer is flushed.
      const answering = (socket as Socket & { _httpMessage?: unknown })._httpMessage != null
      if (last === undefined || answering || socket.bytesRead !== last.bytesRead) {
        observed.set(socket, { bytesRead: socket.bytesRead, lastActiveMs: now })
      } else if (now - last.lastActiveMs >= QUIET_MS) {
        socket.destroy()
      }
    }
  }
  // server.close() calls this (Node >= 19) to destroy idle connections at once: the quiet rule instead.
  app.server.closeIdleConnections = closeQuietConnections

  app.addHook('preClose', async () => {
    shuttingDown = true
    // The sweep runs in the check phase (setImmediate), after the poll phase has read whatever arrived
    // while the timer waited, so a request that reached the kernel is seen before its connection is judged.
    sweeper = setInterval(() => setImmediate(closeQuietConnections), SWEEP_INTERVAL_MS).unref()
  })
  app.addHook('onClose', async () => { clearInterval(sweeper) })

  // A callback hook, not an async one: it runs on every answer and costs a boolean test, not a promise.
  app.addHook('onSend', (_request, reply, payload, done) => {
    // From the signal on, answers close their connection: the client's next request opens a new one,
    // which the Service sends to a replica that is still ready.
    if (shuttingDown) reply.header('connection', 'close')
    done(null, payload)
  })
}, { name: 'drain' })
