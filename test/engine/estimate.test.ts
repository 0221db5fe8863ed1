// Golden scenarios on the toy models in test/fixtures/models, every number worked out by hand in the comments.
// The fixture node has no system reservation, so allocatable = capacity (4 cores, 16 GiB, 10 pods).
import t from 'tap'
import { estimate } from '../../src/engine/answer.js'
import { DomainError } from '../../src/errors.js'
import { fixtureModels, near } from '../helpers.js'

const models = fixtureModels()
const run = (request: Parameters<typeof estimate>[0]) => {
  const result = estimate({ meshes: ['alpha'], ...request }, models)
  const alpha = result.estimates[0]
  if (alpha === undefined) throw new Error('no estimate')
  return { result, alpha, component: (id: string) => alpha.components.find((c) => c.id === id) }
}

t.test('usage basis, 10 pods at 100 rps on 3 nodes', async (t) => {
  const { alpha, component } = run({ pods: 10, basis: 'usage', cluster: { nodes: 3 }, pricing: { book: 'lab-book' } })

  // proxy: per pod cpu = base + 0.1 thousand rps x slope -> low 0 + 0.01, expected 0.01 + 0.02, high 0.02 + 0.04; x 10 pods
  t.same(component('proxy')?.usage.cpuCores, { low: 0.1, expected: 0.3, high: 0.6 })
  // memory 32/64/128 MiB x 10 = 320/640/1280 MiB
  t.same(component('proxy')?.usage.memoryGiB, { low: 0.3125, expected: 0.625, high: 1.25 })

  // Without the mesh: a pod is 1 core / 2 GiB, so 4 fit per node (CPU binds): ceil(10 / 4) = 3 nodes.
  // With it: pod 1.1 cores / 2.125 GiB; the agent leaves 3.9 cores, 15.75 GiB, 9 slots: floor(3.9 / 1.1) = 3 per node,
  // so 4 nodes. The control plane (0.5 core, 1 GiB) fits in the 0.6 core left on a full node.
  t.match(alpha.capacity, { nodesWithoutMesh: 3, nodesWithMesh: 4, additionalNodes: 1, bindingResource: 'cpu', podsPerNodeWithoutMesh: 4, podsPerNodeWithMesh: 3 })
  t.equal(component('agent')?.replicas, 4, 'the agent runs on every node, the added one included')

  // Totals: proxy + control (0.1/0.2/0.3 cores, 0.25/0.5/1 GiB) + agent x 4 (0.2/0.2/0.4 cores, 0.5/0.5/1 GiB)
  t.same(alpha.totals.cpuCores, { low: 0.4, expected: 0.7, high: 1.3 })
  t.same(alpha.totals.memoryGiB, { low: 1.0625, expected: 1.625, high: 3.25 })
  t.equal(alpha.totals.sidecars, 10)
  t.equal(alpha.totals.extraPods, 5, '4 agents + 1 control plane; the dashboard needs options.observability')

  // Cost at 0.04 per core-hour and 0.005 per GiB-hour: 0.7 x 0.04 + 1.625 x 0.005 = 0.036125 per hour
  t.equal(alpha.cost.hourly.expected, 0.036125)
  t.equal(alpha.cost.monthly.expected, 26.37) // x 730 = 26.37125
  t.equal(alpha.cost.yearly.expected, 316.46) // x 8760 = 316.455
  t.equal(alpha.cost.additionalNodesMonthly, 146) // 1 node x 0.2 x 730
  t.equal(alpha.cost.currency, 'USD')
})

t.test('max basis takes max(request, usage) per component and bound', async (t) => {
  const { alpha, component } = run({ pods: 10, basis: 'max', cluster: { nodes: 3 }, pricing: { book: 'lab-book' } })
  // proxy: requests 0.1 core x 10 = 1 core beats usage 0.1/0.3/0.6; memory 128 MiB x 10 = 1.25 GiB >= every usage bound
  t.same(component('proxy')?.basis.cpuCores, { low: 1, expected: 1, high: 1 })
  t.same(component('proxy')?.basis.memoryGiB, { low: 1.25, expected: 1.25, high: 1.25 })
  // control: request 0.5 core beats 0.1-0.3; memory 1 GiB request vs usage up to 1 GiB
  t.same(component('control')?.basis.cpuCores, { low: 0.5, expected: 0.5, high: 0.5 })
  // agent x 4: 0.1 core request beats 0.05 but the high bound 0.1 ties; 256 MiB request ties the high bound
  t.same(component('agent')?.basis.cpuCores, { low: 0.4, expected: 0.4, high: 0.4 })
  t.same(alpha.totals.cpuCores, { low: 1.9, expected: 1.9, high: 1.9 })
})

t.test('requests basis sums requests, and HA swaps replicas and requests', async (t) => {
  const { alpha, component } = run({ pods: 10, basis: 'requests', options: { highAvailability: true }, cluster: { nodes: 3 } })
  // control in HA: 2 replicas x 1 core (HA requests) = 2 cores; 2 x 1 GiB
  t.equal(component('control')?.replicas, 2)
  t.same(component('control')?.basis.cpuCores, { low: 2, expected: 2, high: 2 })
  // Packing: pods of 1.1 cores fit 3 to a node beside the agent (3.9 cores free), so 10 pods take 4 nodes
  // (3, 3, 3, 1), leaving 0.6, 0.6, 0.6 and 2.8 cores. The first control replica (1 core) goes on the 4th node;
  // the second may not join it (required anti-affinity) and fits nowhere else: a 5th node.
  t.match(alpha.capacity, { nodesWithoutMesh: 3, nodesWithMesh: 5, additionalNodes: 2 })
  // proxy 1 core + control 2 + agent 5 x 0.1 = 3.5 cores, same at every bound
  t.same(alpha.totals.cpuCores, { low: 3.5, expected: 3.5, high: 3.5 })
})

t.test('a CNI that already runs the agent removes it; observability adds the dashboard', async (t) => {
  const { alpha, component } = run({ pods: 10, basis: 'usage', cluster: { nodes: 3, cni: 'cilium' }, options: { observability: true } })
  t.equal(component('agent'), undefined)
  t.equal(component('dashboard')?.replicas, 1)
  // no agent, so 9 -> 10 pod slots and 4 cores free: floor(4 / 1.1) = 3 per node, still 4 nodes for 10 pods
  t.equal(alpha.capacity.nodesWithMesh, 4)
  t.equal(alpha.totals.extraPods, 2)
})

t.test('a per-node agent tips a node past its max pods and adds a node', async (t) => {
  // 20 tiny pods (0.1 core, 0.1 GiB): CPU and memory leave room for 40 and 160, so the 10 pod slots bind.
  // Without the mesh: 10 per node -> 2 nodes. The agent takes a slot: 9 per node -> ceil(20 / 9) = 3 nodes.
  const { alpha } = run({ pods: 20, basis: 'requests', workload: { podRequests: { cpuCores: 0.1, memoryGiB: 0.1 } } })
  t.match(alpha.capacity, { nodesWithoutMesh: 2, nodesWithMesh: 3, additionalNodes: 1, bindingResource: 'pods', podsPerNodeWithoutMesh: 10, podsPerNodeWithMesh: 9 })
  // On the dense network mode (100 pods per node), CPU binds instead: 40 pods without, floor(3.9 - ... ) with
  const dense = run({ pods: 20, basis: 'requests', workload: { podRequests: { cpuCores: 0.1, memoryGiB: 0.1 } }, cluster: { networkMode: 'dense', nodeType: 'lab/4x16' } })
  // with the mesh a pod is 0.2 cores: (4 - 0.1) / 0.2 = 19.5 -> 19 per node, so 20 pods need 2 nodes, one more than without
  t.match(dense.alpha.capacity, { nodesWithoutMesh: 1, nodesWithMesh: 2, additionalNodes: 1, bindingResource: 'cpu', podsPerNodeWithMesh: 19 })
})

t.test('control-plane replicas that fit nowhere open a node of their own', async (t) => {
  // 12 pods of 1 core fill 3 nodes exactly without the mesh. With it, pods are 1.1 cores: 3 per node -> 4 nodes,
  // the 4th holding 3 pods (3.3 cores) and 0.6 core free, where the control plane (0.5) fits: still 4.
  const { alpha } = run({ pods: 12, basis: 'requests', workload: { podRequests: { cpuCores: 1, memoryGiB: 1 } } })
  t.equal(alpha.capacity.nodesWithoutMesh, 3)
  t.equal(alpha.capacity.nodesWithMesh, 4)
  // 9 pods of 1.2 cores: 3 per node without the mesh (3 nodes, 0.4 core left each); with it 1.3 cores, 3 per node
  // (3.9 used, 0 left), 3 nodes: the control plane (0.5 core) fits on none and needs a 4th node.
  const tight = run({ pods: 9, basis: 'requests', workload: { podRequests: { cpuCores: 1.2, memoryGiB: 1 } } })
  t.match(tight.alpha.capacity, { nodesWithoutMesh: 3, nodesWithMesh: 4, additionalNodes: 1 })
})

t.test('a node given smaller than the workload needs is raised to fit, never shrunk', async (t) => {
  const { alpha, result } = run({ pods: 10, cluster: { nodes: 1 } })
  t.equal(alpha.capacity.nodesWithoutMesh, 3)
  t.ok(result.assumptions.notes.some((n) => /cluster\.nodes is 1, but the workload's requests need 3/.test(n)), 'and says so')
  const big = run({ pods: 10, cluster: { nodes: 50 } })
  t.equal(big.alpha.capacity.nodesWithoutMesh, 50)
  t.equal(big.alpha.capacity.additionalNodes, 0, 'plenty of free room: the mesh fits in it')
})

t.test('prices: inline, derived from the node price, default book', async (t) => {
  const inline = run({ pods: 10, basis: 'usage', cluster: { nodes: 3 }, pricing: { cpuCoreHour: 1, memoryGiBHour: 0.1, currency: 'EUR' } })
  // 0.7 x 1 + 1.625 x 0.1 = 0.8625 per hour
  t.equal(inline.alpha.cost.hourly.expected, 0.8625)
  t.equal(inline.alpha.cost.currency, 'EUR')
  t.equal(inline.alpha.cost.additionalNodesMonthly, null, 'the node catalog\'s node is priced in USD: no exchange rate is invented')

  // Node price only: keep the book's 0.04 : 0.005 ratio, scale so 4 x c + 16 x m = 0.2: 4 x 0.04 + 16 x 0.005 = 0.24, scale 5/6
  const derived = run({ pods: 10, cluster: { node: { vcpu: 4, memoryGiB: 16, maxPods: 10, hourlyPrice: 0.2 } } })
  t.equal(derived.result.assumptions.pricing.source, 'derived-from-node-price')
  t.ok(Math.abs(derived.result.assumptions.pricing.cpuCoreHour - 0.04 * 5 / 6) < 1e-8)
  t.ok(Math.abs(derived.result.assumptions.pricing.memoryGiBHour - 0.005 * 5 / 6) < 1e-8)

  const byDefault = run({ pods: 10 })
  t.equal(byDefault.result.assumptions.pricing.source, 'lab-book')
  t.ok(byDefault.result.assumptions.defaultsApplied.some((d) => d.field === '/pricing/book'))
})

t.test('scenario errors name the field', async (t) => {
  const cases: Array<[Parameters<typeof estimate>[0], string]> = [
    [{ pods: 1, meshes: ['alpha', 'nope'] }, '/meshes/1'],
    [{ pods: 1, traffic: { requestsPerSecond: 10, requestsPerSecondPerPod: 10 } }, '/traffic/requestsPerSecond'],
    [{ pods: 1, cluster: { nodeType: 'lab/nope' } }, '/cluster/nodeType'],
    [{ pods: 1, cluster: { nodeType: 'lab/4x16', region: 'mars-1' } }, '/cluster/region'],
    [{ pods: 1, cluster: { networkMode: 'warp' } }, '/cluster/networkMode'],
    [{ pods: 1, cluster: { node: { vcpu: 4, memoryGiB: 16, maxPods: 10 }, nodeType: 'lab/4x16' } }, '/cluster/node'],
    [{ pods: 1, pricing: { cpuCoreHour: 1 } }, '/pricing/memoryGiBHour'],
    [{ pods: 1, pricing: { memoryGiBHour: 1 } }, '/pricing/cpuCoreHour'],
    [{ pods: 1, pricing: { book: 'lab-book', cpuCoreHour: 1, memoryGiBHour: 1 } }, '/pricing/book'],
    [{ pods: 1, pricing: { book: 'nope' } }, '/pricing/book'],
    [{ pods: 1, pricing: { book: 'lab-book', currency: 'EUR' } }, '/pricing/currency'],
    [{ pods: 1, pricing: { currency: 'EUR' } }, '/pricing/currency'],
    [{ pods: 1, workload: { podRequests: { cpuCores: 8, memoryGiB: 1 } } }, '/workload/podRequests'],
    // the agent's 0.1 core request does not fit on a 0.05-core node
    [{ pods: 1, workload: { podRequests: { cpuCores: 0.01, memoryGiB: 0.01 } }, cluster: { node: { vcpu: 0.05, memoryGiB: 16, maxPods: 10 } } }, '/cluster/node'],
    // the control plane (0.5 core) fits on no 0.3-core node
    [{ pods: 1, workload: { podRequests: { cpuCores: 0.01, memoryGiB: 0.01 } }, cluster: { node: { vcpu: 0.3, memoryGiB: 16, maxPods: 10 } } }, '/cluster/node']
  ]
  for (const [request, pointer] of cases) {
    let caught: unknown
    try { estimate(request, models) } catch (err) { caught = err }
    t.ok(caught instanceof DomainError, `${pointer}: a DomainError`)
    t.ok((caught as DomainError).errors.some((e) => e.pointer === pointer), `${pointer}: named`)
  }
})

t.test('the engine is deterministic', async (t) => {
  const request = { pods: 137, traffic: { requestsPerSecondPerPod: 250 }, options: { highAvailability: true, observability: true } }
  t.same(estimate(request, models), estimate(request, models))
})

// Beta: a sidecar whose CPU follows traffic and whose memory follows the services it sees, and a node proxy.
const runBeta = (request: Omit<Parameters<typeof estimate>[0], 'meshes'>) => {
  const beta = estimate({ ...request, meshes: ['beta'] }, models).estimates[0]
  if (beta === undefined) throw new Error('no estimate')
  return { beta, component: (id: string) => beta.components.find((c) => c.id === id) }
}

t.test('traffic and mesh-size terms', async (t) => {
  // 10 pods at 100 rps, 5 services (pods / 2). Sidecar CPU: 0.2 per 1000 rps x 0.1 = 0.02 per pod, 0.2 in all.
  // Memory: 10 MiB + 5 services x 1 MiB = 15 MiB per pod, 150 MiB in all.
  const base = runBeta({ pods: 10, basis: 'usage', cluster: { nodes: 3 } })
  t.same(base.component('sidecar')?.usage.cpuCores, { low: 0.1, expected: 0.2, high: 0.3 })
  t.ok(near(base.component('sidecar')?.usage.memoryGiB.expected ?? -1, 150 / 1024))
  // The node proxies share all 1,000 rps: 0.06 per 1000 rps in all, however many nodes; memory 12 MiB + 10 pods x 1 MiB per node.
  t.equal(base.component('node-proxy')?.usage.cpuCores.expected, 0.06)
  t.ok(near(base.component('node-proxy')?.usage.memoryGiB.expected ?? -1, 3 * 22 / 1024))

  // Doubling the traffic doubles the traffic-driven CPU; doubling the services adds 5 MiB per sidecar.
  const doubleTraffic = runBeta({ pods: 10, basis: 'usage', cluster: { nodes: 3 }, traffic: { requestsPerSecondPerPod: 200 } })
  t.equal(doubleTraffic.component('sidecar')?.usage.cpuCores.expected, 0.4)
  t.equal(doubleTraffic.component('node-proxy')?.usage.cpuCores.expected, 0.12)
  const doubleServices = runBeta({ pods: 10, basis: 'usage', cluster: { nodes: 3 }, workload: { services: 10 } })
  t.ok(near(doubleServices.component('sidecar')?.usage.memoryGiB.expected ?? -1, 200 / 1024))
  // A total rate is the same as its per-pod share.
  t.same(runBeta({ pods: 10, basis: 'usage', cluster: { nodes: 3 }, traffic: { requestsPerSecond: 1000 } }).beta.totals, base.beta.totals)

  // Scoping: each sidecar sees 2 services (the fixture default) instead of 5: 12 MiB per pod.
  const scoped = runBeta({ pods: 10, basis: 'usage', cluster: { nodes: 3 }, options: { sidecarScoping: true } })
  t.ok(near(scoped.component('sidecar')?.usage.memoryGiB.expected ?? -1, 120 / 1024))
  t.equal(scoped.component('node-proxy')?.usage.memoryGiB.expected, base.component('node-proxy')?.usage.memoryGiB.expected, 'node proxies are not scoped')
  const scopedWide = runBeta({ pods: 10, basis: 'usage', cluster: { nodes: 3 }, options: { sidecarScoping: true }, workload: { servicesVisibleWhenScoped: 50 } })
  t.ok(near(scopedWide.component('sidecar')?.usage.memoryGiB.expected ?? -1, 150 / 1024), 'a sidecar never sees more services than exist')
})

t.test('skewed traffic changes the max basis, not the usage total', async (t) => {
  // Alpha's proxy requests 0.1 core. At 1000 rps per pod, usage is 0.01 + 0.2 = 0.21 each: max basis 2.1 for 10 pods.
  // Skewed: 2 hot pods at 4000 rps use 0.81 each; 8 cold pods at 250 rps use 0.06, below their 0.1 request.
  // Usage: 2 x 0.81 + 8 x 0.06 = 2.1 (the same); max basis: 2 x 0.81 + 8 x 0.1 = 2.42.
  const even = run({ pods: 10, basis: 'max', cluster: { nodes: 3 }, traffic: { requestsPerSecondPerPod: 1000 } })
  const skewed = run({ pods: 10, basis: 'max', cluster: { nodes: 3 }, traffic: { requestsPerSecondPerPod: 1000, distribution: 'skewed' } })
  t.equal(even.component('proxy')?.basis.cpuCores.expected, 2.1)
  t.equal(skewed.component('proxy')?.basis.cpuCores.expected, 2.42)
  t.equal(skewed.component('proxy')?.usage.cpuCores.expected, 2.1)
  t.ok(skewed.result.assumptions.notes.some((n) => /20% of the pods carry 80%/.test(n)))
})

t.test('latency per hop, times the hops of a request', async (t) => {
  const one = runBeta({ pods: 10 })
  t.same(one.beta.latency?.perHop.p99Ms, { low: 1, expected: 2, high: 3 })
  const three = runBeta({ pods: 10, traffic: { hopsPerRequest: 3 } })
  t.same(three.beta.latency?.perRequest.p99Ms, { low: 3, expected: 6, high: 9 })
  t.same(three.beta.latency?.perRequest.p50Ms, { low: 0.3, expected: 0.6, high: 0.9 })
  t.equal(three.beta.latency?.perRequest.p90Ms, undefined, 'no figure, no invented one')
  t.equal(run({ pods: 10 }).alpha.latency, null, 'a mesh without a published figure says null')
})

t.test('max basis keeps each bound apart where usage passes the request', async (t) => {
  // proxy at 1,000 rps per pod: usage per pod = base + 1 thousand rps x slope
  //   low 0 + 0.1 = 0.1, expected 0.01 + 0.2 = 0.21, high 0.02 + 0.4 = 0.42 cores; request 0.1 core.
  // max(request, usage) per bound: 0.1, 0.21, 0.42; x 10 pods = 1, 2.1, 4.2 cores.
  const { component } = run({ pods: 10, basis: 'max', traffic: { requestsPerSecondPerPod: 1000 }, cluster: { nodes: 5 } })
  const proxy = component('proxy')?.basis.cpuCores
  t.ok(proxy !== undefined && near(proxy.low, 1) && near(proxy.expected, 2.1) && near(proxy.high, 4.2), `proxy max basis ${JSON.stringify(proxy)}`)
  // On the usage basis the low bound falls to the usage itself (0.1 x 10 = 1), and on requests it is 1 at every bound.
  const requests = run({ pods: 10, basis: 'requests', traffic: { requestsPerSecondPerPod: 1000 }, cluster: { nodes: 5 } }).component('proxy')?.basis.cpuCores
  t.same(requests, { low: 1, expected: 1, high: 1 })
})
