import t from 'tap'
import type { EstimateResponse } from '../src/schemas/estimate.js'
import { shippedCatalog, testApp } from './helpers.js'

t.test('GET /node-types filters by provider and region, with allocatable and monthly prices', async (t) => {
  const app = await testApp(t)
  const all = (await app.inject('/node-types')).json<{ nodeTypes: Array<{ id: string, provider: string, prices: Array<{ region: string, hourly: number, monthly: number }>, sources: unknown[] }> }>()
  t.equal(all.nodeTypes.length, shippedCatalog().nodeTypes.size)
  for (const provider of ['aws', 'gcp', 'azure']) {
    const some = (await app.inject(`/node-types?provider=${provider}`)).json<typeof all>()
    t.ok(some.nodeTypes.length > 0 && some.nodeTypes.every((n) => n.provider === provider), provider)
  }
  const east = (await app.inject('/node-types?region=us-east-1')).json<typeof all>()
  t.ok(east.nodeTypes.length > 0 && east.nodeTypes.every((n) => n.prices.some((p) => p.region === 'us-east-1')))
  const m5 = all.nodeTypes.find((n) => n.id === 'aws/m5.large')
  t.match(m5, { vcpu: 2, memoryGiB: 8, maxPods: { 'vpc-cni': 29 }, defaultNetworkMode: 'vpc-cni' })
  // EKS AMI rule: CPU 6% of core 1 + 1% of core 2 = 0.07; memory 255 MiB + 11 MiB x 29 pods + 100 MiB eviction = 674 MiB,
  // taken from the 7.4608 GiB the kubelet reports (8 GiB x 0.9326): 7.4608 - 0.658203 = 6.802597 GiB.
  // 2i2c's EKS m5.large nodes report 1.93 cores and 6.803-6.815 GiB allocatable (instance_capacities.yaml).
  t.match(m5, { allocatable: { cpuCores: 1.93, memoryGiB: 6.802597 } })
  t.ok(Math.abs(((m5 as { allocatable?: { memoryGiB: number } } | undefined)?.allocatable?.memoryGiB ?? 0) - 6.803) < 0.001, 'within 1 MiB of the measured allocatable')
  t.match(m5?.prices.find((p) => p.region === 'us-east-1'), { hourly: 0.096, monthly: 70.08 })
  t.ok(all.nodeTypes.every((n) => n.sources.length > 0))
  t.equal((await app.inject('/node-types?provider=AWS!')).statusCode, 400)
  t.equal((await app.inject('/node-types?colour=blue')).statusCode, 400)
})

t.test('GET /pricing lists the books, the default marked', async (t) => {
  const app = await testApp(t)
  const { books } = (await app.inject('/pricing')).json<{ books: Array<{ id: string, default: boolean, cpuCoreHour: number, memoryGiBHour: number }> }>()
  t.match(books.find((b) => b.default), { id: 'opencost-default', cpuCoreHour: 0.031611, memoryGiBHour: 0.004237 })
  t.equal(books.filter((b) => b.default).length, 1)
})

t.test('the README walk-through: 300 pods on aws/m5.large in us-east-1', async (t) => {
  const app = await testApp(t)
  const res = await app.inject({ method: 'POST', url: '/estimate', payload: { pods: 300, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } } })
  t.equal(res.statusCode, 200)
  const body = res.json<EstimateResponse>()
  // aws-node (50m) and kube-proxy (100m) take 0.15 of the 1.93 allocatable cores and 2 of the 29 pod slots.
  // Without a mesh: 0.5-core pods in 1.78 free cores -> 3 per node (CPU binds) -> 100 nodes.
  const istio = body.estimates.find((e) => e.mesh === 'istio')
  t.match(istio?.capacity, { nodesWithoutMesh: 100, podsPerNodeWithoutMesh: 3, systemPodsPerNode: { pods: 2, cpuCores: 0.15 } })
  // With the 0.1-core sidecar: 3 x 0.6 = 1.8 > 1.78, so 2 per node -> 150 nodes; istiod (0.5 core) fits in a node's
  // 1.78 - 1.2 = 0.58 spare: 50 more nodes.
  t.match(istio?.capacity, { nodesWithMesh: 150, additionalNodes: 50, podsPerNodeWithMesh: 2, bindingResource: 'cpu' })
  t.equal(istio?.cost.additionalNodesMonthly, 3504) // 50 x 0.096 x 730
  // Unit prices from the node price, OpenCost's way, on the memory the kubelet reports (8 x 0.9326 = 7.4608 GiB):
  // k = 0.096 / (2 x 0.031611 + 7.4608 x 0.004237)
  const k = 0.096 / (2 * 0.031611 + 7.4608 * 0.004237)
  t.equal(body.assumptions.pricing.source, 'derived-from-node-price')
  t.ok(Math.abs(body.assumptions.pricing.cpuCoreHour - 0.031611 * k) < 1e-7)
  t.ok(body.assumptions.notes.some((n) => /OpenCost's method/.test(n)))
})
