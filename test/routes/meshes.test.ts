// GET /meshes and GET /meshes/{id}: the mesh models and their sources.
import t from 'tap'
import { shippedModels, testApp } from '../helpers.js'

t.test('GET /meshes and /meshes/{id}', async (t) => {
  const app = await testApp(t)
  const list = (await app.inject('/meshes')).json<{ meshes: Array<{ id: string, features: Record<string, unknown> }> }>()
  t.ok(list.meshes.some((m) => m.id === 'istio'))
  for (const m of list.meshes) t.ok(m.features.mtls, `${m.id}: features`)
  const istio = await app.inject('/meshes/istio')
  t.equal(istio.statusCode, 200)
  t.same(istio.json(), shippedModels().meshes.get('istio'), 'the whole model, sources included')
  const nope = await app.inject('/meshes/nope')
  t.equal(nope.statusCode, 404)
  t.match(nope.headers['content-type'], /^application\/problem\+json/)
  t.match(nope.json(), { status: 404, type: /unknown-mesh$/, detail: /istio/ })
})
