// cluster.nodePools through POST /estimate: per-pool capacity and cost worked out by hand from the shipped node
// catalog (models/nodes/aws.yaml) and Istio's chart requests (models/meshes/istio.yaml), and the pool errors.
import t from 'tap'
import type { EstimateResponse } from '../../src/schemas/estimate.js'
import { isProblem, near, testApp } from '../helpers.js'

const post = (body: unknown) => ({ method: 'POST' as const, url: '/estimate', payload: body as object })

// Two pools, as an EKS cluster with an On-Demand x86 node group and a Spot Graviton one runs them.
const TWO_POOLS = {
  pods: 57,
  meshes: ['istio'],
  workload: { podRequests: { cpuCores: 0.5, memoryGiB: 1.5 } },
  cluster: {
    nodePools: [
      { name: 'general', nodeType: 'aws/m5.large', region: 'us-east-1', count: 3 },
      { name: 'spot-arm', nodeType: 'aws/m7g.xlarge', region: 'us-east-1', count: 5, pricing: { model: 'spot', discountPercent: 60 } }
    ]
  }
}

t.test('3 x aws/m5.large On-Demand + 5 x aws/m7g.xlarge Spot: per-pool capacity and cost, by hand', async (t) => {
  const app = await testApp(t)
  const res = await app.inject(post(TWO_POOLS))
  t.equal(res.statusCode, 200, res.body)
  const body = res.json<EstimateResponse>()
  const [istio] = body.estimates
  if (istio === undefined) throw new Error('no estimate')
  const [general, spot] = istio.capacity.pools ?? []
  if (general === undefined || spot === undefined) throw new Error('two pools expected')

  // Allocatable (EKS nodeadm rule; kubelet memory = 0.9326 x nominal):
  //   m5.large:   CPU 2 - (0.06 + 0.01) = 1.93; memory 8 x 0.9326 = 7.4608 GiB - (255 + 11 x 29 + 100) MiB = 6.802597 GiB
  //   m7g.xlarge: CPU 4 - (0.06 + 0.01 + 2 x 0.005) = 3.92; memory 14.9216 GiB - (255 + 11 x 58 + 100) MiB = 13.951873 GiB
  t.same(general.allocatablePerNode, { cpuCores: 1.93, memoryGiB: 6.802597 })
  t.same(spot.allocatablePerNode, { cpuCores: 3.92, memoryGiB: 13.951873 })
  // Free per node after aws-node (50m) and kube-proxy (100m), 2 of the pod slots: m5.large 1.78 cores,
  // m7g.xlarge 3.77 cores. Pods of 0.5 core / 1.5 GiB: m5.large floor(1.78 / 0.5) = 3 (memory would allow 4),
  // m7g.xlarge floor(3.77 / 0.5) = 7 (memory 9): CPU binds on both.
  t.match(general, { podsPerNodeWithoutMesh: 3, nodeType: 'aws/m5.large', pricingModel: 'onDemand', maxPodsPerNode: 29 })
  t.match(spot, { podsPerNodeWithoutMesh: 7, nodeType: 'aws/m7g.xlarge', pricingModel: 'spot', maxPodsPerNode: 58 })

  // Without a mesh: the nodes there are hold 3 x 3 + 5 x 7 = 44 pods; 13 are left. Least waste (CPU and memory
  // capacity the pods leave unrequested, summed): m5.large needs ceil(13 / 3) = 5 nodes,
  // (10 - 6.5) / 10 + (37.304 - 19.5) / 37.304 = 0.827; m7g.xlarge needs ceil(13 / 7) = 2,
  // (8 - 6.5) / 8 + (29.8432 - 19.5) / 29.8432 = 0.534: the Spot pool grows to 7.
  t.match(general, { nodesWithoutMesh: 3 })
  t.match(spot, { nodesWithoutMesh: 7 })
  t.ok(body.assumptions.notes.some((n) => n.includes('"spot-arm" runs 5 nodes (count), but the workload\'s requests need 7')), 'the pool that grew is named')

  // With Istio: each pod gains istio-proxy's 100m / 128Mi: 0.6 core, 1.625 GiB. m5.large floor(1.78 / 0.6) = 2,
  // m7g.xlarge floor(3.77 / 0.6) = 6. The 10 nodes hold 3 x 2 + 7 x 6 = 48; 9 are left: m5.large ceil(9 / 2) = 5
  // nodes, (10 - 5.4) / 10 + (37.304 - 14.625) / 37.304 = 1.068; m7g.xlarge 2 nodes,
  // (8 - 5.4) / 8 + (29.8432 - 14.625) / 29.8432 = 0.835: the Spot pool grows by 2.
  // istiod (500m / 2Gi) and the ingress gateway (100m / 128Mi) fit on an m5.large holding 2 pods (0.58 core, 3.55 GiB free).
  t.match(general, { nodesWithMesh: 3, additionalNodes: 0, podsPerNodeWithMesh: 2, bindingResource: 'cpu' })
  t.match(spot, { nodesWithMesh: 9, additionalNodes: 2, podsPerNodeWithMesh: 6, bindingResource: 'cpu' })
  t.match(istio.capacity, { nodesWithoutMesh: 10, nodesWithMesh: 12, additionalNodes: 2 })

  // Prices: m5.large us-east-1 on-demand 0.096 per hour; m7g.xlarge 0.1632 less the 60 % Spot discount = 0.06528.
  t.equal(general.hourlyPrice, 0.096)
  t.equal(spot.hourlyPrice, 0.06528)
  // A month is 730 hours: 3 x 0.096 x 730 = 210.24; 7 x 0.06528 x 730 = 333.5808; 9 x = 428.8896; 2 x = 95.3088.
  t.match(general, { nodesMonthlyWithoutMesh: 210.24, nodesMonthlyWithMesh: 210.24, additionalNodesMonthly: 0 })
  t.match(spot, { nodesMonthlyWithoutMesh: 333.58, nodesMonthlyWithMesh: 428.89, additionalNodesMonthly: 95.31 })
  t.equal(istio.cost.additionalNodesMonthly, 95.31, 'the added nodes, all in the Spot pool')

  // The overhead is charged at the Spot pool's unit prices: least waste for all 57 pods from empty pools is
  // m7g.xlarge (9 nodes: 0.208 + 0.363 = 0.572) over m5.large (19 nodes: 0.25 + 0.397 = 0.647). OpenCost's split:
  // 0.06528 / (4 x 0.031611 + 14.9216 x 0.004237) = 0.344186 scales 0.031611 and 0.004237.
  const { pricing } = body.assumptions
  t.equal(pricing.model, 'spot')
  t.ok(near(pricing.cpuCoreHour, 0.031611 * 0.06528 / (4 * 0.031611 + 14.9216 * 0.004237), 1e-9), `cpuCoreHour ${pricing.cpuCoreHour}`)
  t.ok(near(pricing.memoryGiBHour, 0.004237 * 0.06528 / (4 * 0.031611 + 14.9216 * 0.004237), 1e-9), `memoryGiBHour ${pricing.memoryGiBHour}`)
  t.equal(istio.capacity.nodeType, 'aws/m7g.xlarge', 'the node shape shown at the top is the pricing pool\'s')
  t.ok(body.assumptions.notes.some((n) => n.includes('unit prices of node pool "spot-arm"')))
})

t.test('a pool at its maxCount sends the rest to the next pool by least waste', async (t) => {
  const app = await testApp(t)
  // As above, but the Spot pool may not pass 7 nodes: with Istio the 9 pods left after 3 x 2 + 7 x 6 can only go
  // to m5.large: ceil(9 / 2) = 5 more, 8 in all. Without a mesh the Spot pool reached 7 exactly (13 pods, 2 nodes).
  const capped = structuredClone(TWO_POOLS)
  ;(capped.cluster.nodePools[1] as { maxCount?: number }).maxCount = 7
  const body = (await app.inject(post(capped))).json<EstimateResponse>()
  const [general, spot] = body.estimates[0]?.capacity.pools ?? []
  t.match(general, { nodesWithoutMesh: 3, nodesWithMesh: 8, additionalNodes: 5 })
  t.match(spot, { nodesWithoutMesh: 7, nodesWithMesh: 7, additionalNodes: 0 })
  // 5 x 0.096 x 730 = 350.40
  t.equal(body.estimates[0]?.cost.additionalNodesMonthly, 350.4)
})

t.test('per-node agents run on every node of every pool', async (t) => {
  const app = await testApp(t)
  const body = (await app.inject(post({ ...TWO_POOLS, meshes: ['istio-ambient'] }))).json<EstimateResponse>()
  const estimate = body.estimates[0]
  if (estimate === undefined) throw new Error('no estimate')
  const ztunnel = estimate.components.find((c) => c.id === 'ztunnel')
  t.ok(ztunnel !== undefined, 'ztunnel is a component')
  t.equal(ztunnel?.replicas, estimate.capacity.nodesWithMesh, 'one ztunnel per node, over both pools')
  t.equal(estimate.capacity.pools?.reduce((sum, p) => sum + p.nodesWithMesh, 0), estimate.capacity.nodesWithMesh)
})

t.test('the single-node form is one pool: the same answer either way', async (t) => {
  const app = await testApp(t)
  const single = (await app.inject(post({ pods: 120, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1', nodes: 30 } }))).json<EstimateResponse>()
  const pooled = (await app.inject(post({ pods: 120, cluster: { nodePools: [{ nodeType: 'aws/m5.large', region: 'us-east-1', count: 30 }] } }))).json<EstimateResponse>()
  const { pools, ...capacity } = pooled.estimates[0]?.capacity ?? {}
  t.same(pooled.estimates.map((e) => [e.totals, e.cost]), single.estimates.map((e) => [e.totals, e.cost]))
  t.same(capacity, single.estimates[0]?.capacity)
  t.same(pools?.map((p) => p.name), ['aws/m5.large'], 'capacity.pools only where the request lists pools')
  t.equal(single.estimates[0]?.capacity.pools, undefined)
})

t.test('bad pools: a problem+json 4xx naming the field', async (t) => {
  const app = await testApp(t)
  const pools = (nodePools: unknown[], extra: object = {}) => post({ pods: 10, cluster: { nodePools, ...extra } })
  const m5 = { nodeType: 'aws/m5.large', region: 'us-east-1' }
  const cases: Array<[string, ReturnType<typeof post>, number, string, RegExp]> = [
    ['unknown node type', pools([m5, { nodeType: 'aws/m9.huge' }]), 422, '/cluster/nodePools/1/nodeType', /unknown node type "aws\/m9.huge"/],
    ['no node at all', pools([{ count: 2 }]), 422, '/cluster/nodePools/0', /nodeType .* or node/],
    ['zero nodes everywhere', pools([{ ...m5, maxCount: 0 }, { nodeType: 'aws/m7g.xlarge', maxCount: 0 }]), 422, '/cluster/nodePools', /every pool has maxCount 0/],
    ['a pod that fits no pool', post({ pods: 10, workload: { podRequests: { cpuCores: 8, memoryGiB: 1 } }, cluster: { nodePools: [m5, { nodeType: 'aws/m7g.xlarge' }] } }), 422, '/workload/podRequests', /does not fit on any pool's node/],
    ['pools and a single node type', pools([m5], { nodeType: 'aws/m5.large' }), 422, '/cluster/nodeType', /with cluster.nodePools, give it in each pool/],
    ['maxCount below count', pools([{ ...m5, count: 4, maxCount: 2 }]), 422, '/cluster/nodePools/0/maxCount', /below the 4 nodes/],
    ['every pool full', pools([{ ...m5, count: 1, maxCount: 1 }]), 422, '/cluster/nodePools', /at its maxCount/],
    ['a name twice', pools([{ ...m5, name: 'a' }, { ...m5, name: 'a' }]), 422, '/cluster/nodePools/1/name', /names another pool/],
    ['AWS Spot without a discount', pools([m5, { nodeType: 'aws/m7g.xlarge', pricing: { model: 'spot' } }]), 422, '/cluster/nodePools/1/pricing/model', /no static Spot price/],
    ['no pools', pools([]), 400, '/cluster/nodePools', /fewer than 1/i],
    ['a negative count', pools([{ ...m5, count: -1 }]), 400, '/cluster/nodePools/0/count', />= 0/]
  ]
  for (const [what, injected, status, pointer, detail] of cases) {
    const res = await app.inject(injected)
    isProblem(t, res, status)
    const problem = res.json<{ errors: Array<{ pointer: string, detail: string }> }>()
    const error = problem.errors.find((e) => e.pointer === pointer)
    t.ok(error !== undefined, `${what}: names ${pointer} (${JSON.stringify(problem.errors)})`)
    t.match(error?.detail, detail, `${what}: says why`)
  }
})

t.test('sweeps, batches and CSV take pools: each point and result is what POST /estimate answers', async (t) => {
  const app = await testApp(t)
  const meshes = ['istio', 'istio-ambient', 'linkerd']
  const scenario = { ...TWO_POOLS, meshes }
  const sweep = await app.inject({ method: 'POST', url: '/estimate/sweep', payload: { scenario, vary: 'pods', from: 10, to: 400, steps: 9 } })
  t.equal(sweep.statusCode, 200, sweep.body)
  const series = sweep.json<{ series: Array<{ mesh: string, points: Array<{ x: number, cpuCores: number, monthlyCost: number, additionalNodes: number, additionalNodesMonthlyCost: number | null, nodesWithMesh: number }> }> }>().series
  for (const x of [10, 205, 400]) {
    const one = (await app.inject(post({ ...scenario, pods: x }))).json<EstimateResponse>()
    for (const e of one.estimates) {
      const point = series.find((s) => s.mesh === e.mesh)?.points.find((p) => p.x === x)
      t.same(point === undefined ? undefined : [point.cpuCores, point.monthlyCost, point.additionalNodes, point.additionalNodesMonthlyCost, point.nodesWithMesh],
        [e.totals.cpuCores.expected, e.cost.monthly.expected, e.capacity.additionalNodes, e.cost.additionalNodesMonthly, e.capacity.nodesWithMesh], `${e.mesh} at ${x} pods`)
    }
  }
  const nodes = await app.inject({ method: 'POST', url: '/estimate/sweep', payload: { scenario, vary: 'nodes', from: 1, to: 20, steps: 5 } })
  isProblem(t, nodes, 422)
  t.match(nodes.json(), { errors: [{ pointer: '/scenario/cluster/nodes', detail: /give it in each pool/ }] }, 'varying nodes: the pools give the node counts')

  const batch = await app.inject({ method: 'POST', url: '/estimate/batch', payload: { scenarios: [scenario, { ...scenario, cluster: { nodePools: [{ nodeType: 'aws/m9.huge' }] } }] } })
  t.equal(batch.statusCode, 200)
  const results = batch.json<{ results: Array<{ status: number, estimate?: EstimateResponse, problem?: { errors: Array<{ pointer: string }> } }> }>().results
  t.same(results[0]?.estimate?.estimates.map((e) => e.capacity.pools?.map((p) => p.nodesWithMesh)), (await app.inject(post(scenario))).json<EstimateResponse>().estimates.map((e) => e.capacity.pools?.map((p) => p.nodesWithMesh)))
  t.match(results[1], { status: 422, problem: { errors: [{ pointer: '/scenarios/1/cluster/nodePools/0/nodeType' }] } })
})
