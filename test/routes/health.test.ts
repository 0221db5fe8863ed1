// Probes, the index and Swagger UI: what operators and browsers call first.
import t from 'tap'
import { shippedModels, testApp } from '../helpers.js'

t.test('health, readiness, index, docs', async (t) => {
  const app = await testApp(t)
  t.same((await app.inject('/healthz')).json(), { status: 'ok' })
  t.match((await app.inject('/readyz')).json(), { status: 'ready', models: { meshes: shippedModels().meshes.size } })
  t.match((await app.inject('/')).json(), { name: 'meshcost', links: { docs: '/docs' } })
  const docs = await app.inject('/docs/')
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], /text\/html/)
})

t.test('readiness turns 503 from beginShutdown() on, while liveness and the API keep answering', async (t) => {
  const app = await testApp(t)
  t.equal((await app.inject('/readyz')).statusCode, 200)
  app.beginShutdown()
  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 503)
  t.match(ready.headers['content-type'], /application\/problem\+json/)
  t.match(ready.json(), { status: 503, type: /shutting-down$/ })
  t.equal(ready.headers.connection, 'close', 'clients are asked to reconnect elsewhere')
  const live = await app.inject('/healthz')
  t.equal(live.statusCode, 200, 'liveness stays up: restarting a replica that is shutting down helps no one')
  const estimate = await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 10 } })
  t.equal(estimate.statusCode, 200)
  t.equal(estimate.headers.connection, 'close')
})
