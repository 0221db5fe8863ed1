// Shutdown as Kubernetes expects it. After SIGTERM the endpoint is removed from Services and ingresses
// asynchronously, so traffic keeps arriving for a few seconds: app.beginShutdown() turns readiness to 503
// and asks clients to reconnect (Connection: close) while every route keeps answering. app.settle() then
// readies the listener's close: app.close() stops accepting, lets requests in flight finish, and closes
// each connection once it is quiet.
//
// Closing a listener resets (ECONNRESET) every connection still in the kernel's accept queue: their clients
// count them as open and may have sent a request, which they cannot know was not processed. A refused
// connection (the listener gone) is safe to retry. So before it closes, the answers stop asking clients to
// reconnect: clients that keep their connections stop opening new ones, and the listener closes once none
// has arrived for SETTLE_QUIET_MS, right after the event loop has accepted whatever the kernel held.
//
// Node's own server.close() destroys at once every keep-alive connection that sits between requests,
// judged by what Node has read: a next request still unread in the kernel's buffer (the event loop was
// busy) is lost with a reset (ECONNRESET). Here a connection is closed only once it has no answer pending
// and nothing has arrived on it for QUIET_MS, judged over a poll phase of the event loop.
import type { Socket } from 'node:net'
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** How long a connection without a request in progress must stay silent before the drain closes it. */
export const QUIET_MS = 500
const SWEEP_INTERVAL_MS = 50
/** No new connection for this long, and over this many turns of the event loop, and the listener may close. */
export const SETTLE_QUIET_MS = 100
const SETTLE_QUIET_TURNS = 3

/** What the drain last saw of a connection. */
interface Observation { bytesRead: number, lastActiveMs: number }

declare module 'fastify' {
  interface FastifyInstance {
    /** The connections open now (plugins/unsent.ts reads their buffers). */
    readonly openConnections: ReadonlySet<Socket>
    /** Readiness off and Connection: close on every answer; the routes keep serving until app.close(). */
    beginShutdown: () => void
    /** True from beginShutdown() (or app.close()) on. */
    readonly shuttingDown: boolean
    /**
     * Stops asking clients to reconnect until the listener has closed, and resolves once no connection has
     * arrived for SETTLE_QUIET_MS (just after a poll of the event loop), or after maxMs: the moment to close it.
     */
    settle: (maxMs: number) => Promise<void>
  }
}

export default fp(async function drain (app: FastifyInstance) {
  let shuttingDown = false
  let sweeper: NodeJS.Timeout | undefined
  const connections = new Set<Socket>()
  const observed = new WeakMap<Socket, Observation>()

  app.decorate('beginShutdown', () => { shuttingDown = true })
  app.decorate('shuttingDown', { getter: () => shuttingDown })
  app.decorate('openConnections', { getter: () => connections })

  let lastConnectionMs = 0
  let accepted = 0
  let settling = false

  app.decorate('settle', async (maxMs: number) => {
    settling = true
    const deadline = Date.now() + maxMs
    // Quiet is counted in turns of the event loop as well as in time: a turn busy with requests can last longer
    // than SETTLE_QUIET_MS, and connections that arrive meanwhile wait in the kernel until the next poll.
    let seen = accepted
    let quietTurns = 0
    while (Date.now() < deadline) {
      await sleep(SWEEP_INTERVAL_MS / 5)
      await nextTurn() // the check phase: the poll before it has accepted every connection the kernel held
      quietTurns = accepted === seen ? quietTurns + 1 : 0
      seen = accepted
      if (quietTurns >= SETTLE_QUIET_TURNS && Date.now() - lastConnectionMs >= SETTLE_QUIET_MS) break
    }
  })

  app.server.on('connection', (socket: Socket) => {
    lastConnectionMs = Date.now()
    accepted++
    // Which connections the process accepted (the rest of a client's view is the kernel's): shutdown tests read it.
    if (shuttingDown) app.log.debug({ remotePort: socket.remotePort }, 'connection accepted while shutting down')
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
    // which the Service sends to a replica that is still ready. Not while the listener is about to close:
    // a new connection then could be reset with it.
    if (shuttingDown && !(settling && app.server.listening)) reply.header('connection', 'close')
    done(null, payload)
  })
}, { name: 'drain' })
