// Graceful drain on close (SIGTERM): requests already accepted finish; their connections then close instead
// of idling on keep-alive until the grace period runs out; requests that arrive on an open connection
// after the close began get a 503 problem document with Connection: close.
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { sendProblem } from './problem.js'

export default fp(async function drain (app: FastifyInstance) {
  let draining = false
  let reaper: NodeJS.Timeout | undefined

  app.addHook('preClose', async () => {
    draining = true
    // Node closes the connections idle at the moment server.close() is called, not those that finish
    // their last answer afterwards; without this, each would hold the process for the keep-alive timeout.
    reaper = setInterval(() => { app.server.closeIdleConnections() }, 50).unref()
  })
  app.addHook('onClose', async () => { clearInterval(reaper) })

  // Callback hooks, not async ones: they run on every request and cost a boolean test, not a promise.
  app.addHook('onRequest', (request, reply, done) => {
    if (!draining) { done(); return }
    reply.header('connection', 'close')
    sendProblem(request, reply, 503, 'The service is shutting down; retry, and the next instance will answer.', { type: 'shutting-down' })
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    // Answers finished during the drain close their connection: the client will not reuse it.
    if (draining) reply.header('connection', 'close')
    done(null, payload)
  })
}, { name: 'drain', dependencies: ['problem-details'] })
