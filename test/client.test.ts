// The typed client against a real server: answers, problem documents, timeouts, unreachable servers.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { MeshcostClient, MeshcostError } from '../src/client.js'
import { testApp } from './helpers.js'

t.test('estimate, CSV, sweep, batch, meshes over a real socket', async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const client = new MeshcostClient({ baseUrl: address + '/', timeoutMs: 20_000 })
  t.teardown(() => client.close())
  const result = await client.estimate({ pods: 100, meshes: ['istio', 'linkerd'] })
  t.same(result.estimates.map((e) => e.mesh), ['istio', 'linkerd'])
  t.same(result, (await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 100, meshes: ['istio', 'linkerd'] } })).json(), 'what the server answers')
  t.match(await client.estimateCsv({ pods: 10, meshes: ['linkerd'] }), /^ChargePeriodStart,.*\r\n.*,linkerd,/s)
  const sweep = await client.sweep({ scenario: { pods: 10 }, vary: 'pods', from: 10, to: 100, steps: 3 })
  t.same(sweep.series[0]?.points.map((p) => p.x), [10, 55, 100])
  const batch = await client.batch([{ pods: 1 }, { pods: 0 }])
  t.same(batch.results.map((r) => r.status), [200, 400])
  t.ok((await client.meshes()).meshes.some((m) => m.id === 'istio'))
  t.ok(await client.ready())
  // Node pools, typed as the server takes them (cluster.nodePools) and answers them (capacity.pools)
  const pooled = await client.estimate({ pods: 40, meshes: ['linkerd'], cluster: { nodePools: [{ name: 'system', nodeType: 'aws/m5.large', count: 2, maxCount: 2 }, { name: 'spot', nodeType: 'aws/m7g.xlarge', pricing: { model: 'spot', discountPercent: 50 } }] } })
  t.same(pooled.estimates[0]?.capacity.pools?.map((p) => [p.name, p.pricingModel]), [['system', 'onDemand'], ['spot', 'spot']])
})

t.test('a 4xx answer is a MeshcostError carrying the problem document', async (t) => {
  const app = await testApp(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const client = new MeshcostClient({ baseUrl: address })
  t.teardown(() => client.close())
  const err = await client.estimate({ pods: -1 }).then(() => null, (e: unknown) => e)
  t.ok(err instanceof MeshcostError)
  const e = err as MeshcostError
  t.equal(e.kind, 'http')
  t.equal(e.status, 400)
  t.match(e.problem, { status: 400, errors: [{ pointer: '/pods' }] })
  t.match(e.message, /400 Bad Request: \/pods must be >= 1/)
  const unknown = await client.estimate({ pods: 1, meshes: ['nope'] }).then(() => null, (x: MeshcostError) => x)
  t.equal(unknown?.status, 422)
  t.match(unknown?.problem?.errors?.[0]?.pointer, '/meshes/0')
})

t.test('timeouts, unreachable servers, bad URLs and answers that are not JSON', async (t) => {
  // A server that accepts and never answers.
  const silent = createServer(() => { /* never answers */ })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { silent.closeAllConnections(); silent.close() })
  const slow = new MeshcostClient({ baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 200 })
  t.teardown(() => slow.close())
  const timeout = await slow.estimate({ pods: 1 }).then(() => null, (e: MeshcostError) => e)
  t.equal(timeout?.kind, 'timeout')
  t.match(timeout?.message, /no answer within 200 ms/)

  // A port nobody listens on.
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  const nobody = new MeshcostClient({ baseUrl: `http://127.0.0.1:${port}` })
  t.teardown(() => nobody.close())
  const refused = await nobody.estimate({ pods: 1 }).then(() => null, (e: MeshcostError) => e)
  t.equal(refused?.kind, 'network')
  t.match(refused?.message, /ECONNREFUSED/)

  t.throws(() => new MeshcostClient({ baseUrl: 'not a url' }), { name: 'MeshcostError', kind: 'network' })
  t.throws(() => new MeshcostClient({ baseUrl: 'ftp://127.0.0.1' }), /not an http/)

  const html = createServer((_req, res) => { res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>') })
  await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve))
  t.teardown(() => html.close())
  const proxied = new MeshcostClient({ baseUrl: `http://127.0.0.1:${(html.address() as AddressInfo).port}` })
  t.teardown(() => proxied.close())
  const gateway = await proxied.estimate({ pods: 1 }).then(() => null, (e: MeshcostError) => e)
  t.equal(gateway?.status, 502)
  t.equal(gateway?.problem, undefined)
  t.match(gateway?.message, /502 : <h1>Bad gateway/)
})
