// Probes, the index and Swagger UI: what operators and browsers call first.
import t from 'tap'
import { shippedCatalog, testApp } from '../helpers.js'

t.test('health, readiness, index, docs', async (t) => {
  const app = await testApp(t)
  t.same((await app.inject('/healthz')).json(), { status: 'ok' })
  t.match((await app.inject('/readyz')).json(), { status: 'ready', models: { meshes: shippedCatalog().meshes.size } })
  t.match((await app.inject('/')).json(), { name: 'meshcost', links: { docs: '/docs' } })
  const docs = await app.inject('/docs/')
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], /text\/html/)
})
