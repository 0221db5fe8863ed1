// resolveScenario in-process: every default it applies, in order, and every rule it checks, on the fixture's
// round numbers (test/fixtures/models: 100 requests per second per pod, 2 pods per service, 2 services visible
// when scoped, 20% of the pods carrying 80% of the traffic when skewed, 1 CPU and 2Gi per pod, lab/4x16 in r1
// with network modes std (10 pods) and dense (100 pods), the lab-book). Expected values worked out by hand.
import t, { type Test } from 'tap'
import type { EstimateRequest } from '../../src/schemas/estimate.js'
import { DomainError } from '../../src/errors.js'
import { resolveScenario } from '../../src/engine/scenario.js'
import { fixtureModels, shippedModels } from '../helpers.js'

const resolve = (request: Partial<EstimateRequest>) => resolveScenario({ pods: 10, ...request } as EstimateRequest, fixtureModels())
const errorOf = (t: Test, request: Partial<EstimateRequest>) => (t.throws(() => resolve(request), DomainError) as unknown as InstanceType<typeof DomainError>).errors
const DEFAULT = 'default in models/defaults.yaml'

t.test('the defaults of a bare request, in order', async (t) => {
  const s = resolve({})
  t.same(s.defaultsApplied, [
    { field: '/meshes', value: ['alpha', 'beta', 'gamma'], reason: 'every shipped mesh model' },
    { field: '/basis', value: 'max', reason: 'OpenCost allocates max(request, usage) per container' },
    { field: '/traffic/requestsPerSecondPerPod', value: 100, reason: DEFAULT },
    { field: '/workload/services', value: 5, reason: DEFAULT }, // 10 pods / 2 per service
    { field: '/workload/clusterPods', value: 10, reason: 'the meshed pods are all the pods in the cluster' },
    { field: '/traffic/distribution', value: 'even', reason: 'every pod carries the same traffic' },
    { field: '/traffic/hopsPerRequest', value: 1, reason: 'latency is given for one service-to-service call' },
    { field: '/traffic/activeConnectionsPerPod', value: 16, reason: DEFAULT },
    { field: '/workload/podChurnPerMinute', value: 0, reason: DEFAULT },
    { field: '/options/sidecarScoping', value: false, reason: 'sidecars see every service, as installed' },
    { field: '/workload/waypoints', value: 1, reason: 'one waypoint proxy: a single namespace or service opts into L7 processing (ambient meshes only)' },
    { field: '/workload/podRequests', value: '1 CPU, 2Gi memory', reason: DEFAULT },
    { field: '/cluster/nodeType', value: 'lab/4x16', reason: DEFAULT },
    { field: '/cluster/region', value: 'r1', reason: 'region of the default node type' },
    { field: '/cluster/networkMode', value: 'std', reason: 'default network mode of Lab cluster (test fixture)' },
    { field: '/pricing/model', value: 'onDemand', reason: 'list prices, as the providers publish them' },
    { field: '/pricing/book', value: 'lab-book', reason: 'Lab prices (test fixture)' },
    { field: '/cluster/cni', value: 'other', reason: 'no CNI given: nothing a mesh needs is assumed to be installed already' },
    { field: '/options/highAvailability', value: false, reason: 'the charts\' default install' },
    { field: '/options/proxyRequests', value: 'chart defaults', reason: 'each mesh\'s proxy (sidecar or per-node proxy) requests what its chart or injector sets by default' },
    { field: '/options/observability', value: false, reason: 'the observability add-ons are optional installs' }
  ])
  t.same(s.meshes.map((m) => m.id), ['alpha', 'beta', 'gamma'])
  t.match(s, {
    pods: 10,
    basis: 'max',
    requestsPerSecondPerPod: 100,
    distribution: 'even',
    trafficGroups: [{ podShare: 1, requestsPerSecondPerPod: 100 }],
    hopsPerRequest: 1,
    services: 5,
    clusterPods: 10,
    sidecarScoping: false,
    servicesVisibleWhenScoped: 2,
    servicesVisiblePerSidecar: 5,
    proxyRequests: {},
    proxyRequestScale: 1,
    waypoints: 1,
    podRequests: { cpuCores: 1, memoryGiB: 2 },
    pools: [{ name: 'lab/4x16', nodes: null, maxNodes: Infinity, pointer: '/cluster/nodeType', pricingModel: 'onDemand' }],
    pricingPool: 0,
    node: { id: 'lab/4x16', vcpu: 4, memoryGiB: 16, kubeletMemoryGiB: 16, maxPods: 10, systemPods: { pods: 0, cpuCores: 0, memoryGiB: 0 }, hourlyPrice: 0.2 },
    cni: 'other',
    highAvailability: false,
    observability: false
  })
  t.equal(s.trafficGroups.length, 1)
  t.same(s.notes, [])
})

t.test('given values replace the defaults and leave no default behind', async (t) => {
  const s = resolve({
    meshes: ['gamma', 'alpha'],
    basis: 'requests',
    traffic: { requestsPerSecondPerPod: 7, distribution: 'even', hopsPerRequest: 3, activeConnectionsPerPod: 200 },
    workload: { services: 4, clusterPods: 30, waypoints: 4, podRequests: { cpuCores: 0.5, memoryGiB: 1 }, servicesVisibleWhenScoped: 3, podChurnPerMinute: 12 },
    options: { sidecarScoping: true, highAvailability: true, observability: true, proxyRequests: { cpuCores: 0.2 } },
    cluster: { nodeType: 'lab/4x16', region: 'r1', networkMode: 'dense', cni: 'cilium', nodes: 7 },
    pricing: { model: 'onDemand', book: 'lab-book' }
  })
  t.same(s.defaultsApplied, [], 'nothing defaulted')
  t.same(s.meshes.map((m) => m.id), ['gamma', 'alpha'], 'in the order asked')
  t.match(s, { basis: 'requests', requestsPerSecondPerPod: 7, hopsPerRequest: 3, activeConnectionsPerPod: 200, podChurnPerMinute: 12, services: 4, clusterPods: 30, waypoints: 4, podRequests: { cpuCores: 0.5, memoryGiB: 1 }, sidecarScoping: true, highAvailability: true, observability: true, proxyRequests: { cpuCores: 0.2 }, cni: 'cilium', pools: [{ nodes: 7 }] })
  t.equal(s.servicesVisiblePerSidecar, 3, 'scoped: min(4 services, 3 visible)')
  t.equal(s.node.maxPods, 100, 'dense network mode')
  t.equal(resolve({ workload: { services: 4, servicesVisibleWhenScoped: 9 }, options: { sidecarScoping: true } }).servicesVisiblePerSidecar, 4, 'min(4, 9)')
  const scoped = resolve({ options: { sidecarScoping: true } })
  t.equal(scoped.servicesVisiblePerSidecar, 2, 'min(5 services, 2 by default)')
  t.ok(scoped.defaultsApplied.some((d) => d.field === '/workload/servicesVisibleWhenScoped' && d.value === 2 && d.reason === DEFAULT))
  t.notOk(resolve({}).defaultsApplied.some((d) => d.field === '/workload/servicesVisibleWhenScoped'), 'not scoped: no default for it')
  t.equal(resolve({ options: { sidecarScoping: false } }).servicesVisiblePerSidecar, 5)
})

t.test('services, traffic and distribution', async (t) => {
  t.equal(resolve({ pods: 1 }).services, 1, 'ceil(1 / 2) = 1')
  t.equal(resolve({ pods: 11 }).services, 6, 'ceil(11 / 2) = 6')
  // 1,000 requests per second over 10 pods = 100 per pod
  const total = resolve({ traffic: { requestsPerSecond: 1000 } })
  t.equal(total.requestsPerSecondPerPod, 100)
  t.notOk(total.defaultsApplied.some((d) => d.field === '/traffic/requestsPerSecondPerPod'))
  t.equal(resolve({ traffic: { requestsPerSecond: 1_000_000 } }).requestsPerSecondPerPod, 100_000, '1,000,000 / 10 is the limit')
  t.same(errorOf(t, { traffic: { requestsPerSecond: 1_000_010 } }), [{ pointer: '/traffic/requestsPerSecond', detail: 'is 100001 per pod over 10 pods; at most 100000 per pod' }])
  t.same(errorOf(t, { traffic: { requestsPerSecond: 10, requestsPerSecondPerPod: 1 } }), [{ pointer: '/traffic/requestsPerSecond', detail: 'give either requestsPerSecond (total) or requestsPerSecondPerPod, not both' }])
  // skewed: 20% of the pods carry 80% of 100 per pod: 100 x 0.8 / 0.2 = 400 per pod; the rest 100 x 0.2 / 0.8 = 25
  const skewed = resolve({ traffic: { distribution: 'skewed' } })
  t.equal(skewed.distribution, 'skewed')
  t.equal(skewed.trafficGroups.length, 2)
  t.equal(skewed.trafficGroups[0]?.podShare, 0.2)
  t.ok(Math.abs((skewed.trafficGroups[0]?.requestsPerSecondPerPod ?? 0) - 400) < 1e-9)
  t.ok(Math.abs((skewed.trafficGroups[1]?.podShare ?? 0) - 0.8) < 1e-12)
  t.ok(Math.abs((skewed.trafficGroups[1]?.requestsPerSecondPerPod ?? 0) - 25) < 1e-9)
  t.same(skewed.notes, ['Skewed traffic: 20% of the pods carry 80% of the requests (default in models/defaults.yaml).'])
  t.same(errorOf(t, { workload: { clusterPods: 9 } }), [{ pointer: '/workload/clusterPods', detail: 'counts every pod in the cluster, so it cannot be fewer than the 10 meshed pods' }])
  t.equal(resolve({ workload: { clusterPods: 10 } }).clusterPods, 10)
  t.same(errorOf(t, { workload: { waypoints: 6 } }), [{ pointer: '/workload/waypoints', detail: 'is 6, but a waypoint serves a namespace or a service, and the mesh has 5 services: at most 5' }])
  t.same(errorOf(t, { pods: 2, workload: { waypoints: 2 } }), [{ pointer: '/workload/waypoints', detail: 'is 2, but a waypoint serves a namespace or a service, and the mesh has 1 service: at most 1' }])
  t.equal(resolve({ workload: { waypoints: 5 } }).waypoints, 5)
})

t.test('meshes and nodes: unknown names, regions, network modes, custom nodes', async (t) => {
  t.same(errorOf(t, { meshes: ['alpha', 'x', 'y'] }), [
    { pointer: '/meshes/1', detail: 'unknown mesh "x"; known meshes: alpha, beta, gamma' },
    { pointer: '/meshes/2', detail: 'unknown mesh "y"; known meshes: alpha, beta, gamma' }
  ])
  t.same(errorOf(t, { cluster: { nodeType: 'lab/nope' } }), [{ pointer: '/cluster/nodeType', detail: 'unknown node type "lab/nope"; see GET /node-types' }])
  t.same(errorOf(t, { cluster: { nodeType: 'lab/4x16', region: 'r2' } }), [{ pointer: '/cluster/region', detail: 'no price for lab/4x16 in region "r2"; priced regions: r1' }])
  t.same(errorOf(t, { cluster: { region: 'r2' } }), [{ pointer: '/cluster/region', detail: 'no price for lab/4x16 in region "r2"; priced regions: r1' }], 'a region for the default node type')
  t.same(errorOf(t, { cluster: { networkMode: 'x' } }), [{ pointer: '/cluster/networkMode', detail: 'unknown network mode "x" for lab; known: std, dense' }])
  const named = resolve({ cluster: { nodeType: 'lab/4x16' } })
  t.same(named.defaultsApplied.filter((d) => d.field.startsWith('/cluster/') && d.field !== '/cluster/cni'), [
    { field: '/cluster/region', value: 'r1', reason: 'first priced region of the node type' },
    { field: '/cluster/networkMode', value: 'std', reason: 'default network mode of Lab cluster (test fixture)' }
  ])
  // a named node is priced from its own price with the lab provider's split: 0.03 / 0.006 = 5.00 GiB-hours per vCPU-hour
  t.same(named.notes, ['Unit prices derived from the node price by OpenCost\'s method: OpenCost\'s lab CPU:memory price ratio (5.00 GiB-hours per vCPU-hour), scaled so that 4 vCPU + 16 GiB (memory as the kubelet reports it) cost 0.2 USD per hour.'])
  t.equal(named.prices.source, 'derived-from-node-price')
  t.equal(resolve({ cluster: { region: 'r1' } }).prices.source, 'lab-book', 'a region alone does not name the node')

  for (const extra of [{ nodeType: 'lab/4x16' }, { region: 'r1' }, { networkMode: 'std' }]) {
    t.same(errorOf(t, { cluster: { node: { vcpu: 8, memoryGiB: 32, maxPods: 50 }, ...extra } }), [{ pointer: '/cluster/node', detail: 'give either cluster.node (a custom node) or cluster.nodeType with region and networkMode, not both' }], JSON.stringify(extra))
  }
  const custom = resolve({ cluster: { node: { vcpu: 8, memoryGiB: 32, maxPods: 50, hourlyPrice: 0.4 } } })
  t.match(custom.node, { id: 'custom', vcpu: 8, memoryGiB: 32, kubeletMemoryGiB: 32, maxPods: 50, systemPods: { pods: 0, cpuCores: 0, memoryGiB: 0 }, hourlyPrice: 0.4 })
  t.equal(custom.node.reservation, fixtureModels().nodeCatalogs.get('lab')?.reservation, 'no GKE rule in the fixture: the first catalog\'s')
  t.equal(custom.notes[0], 'Custom node: allocatable follows the Lab cluster (test fixture) reservation rule, the one documented rule that depends only on capacity; its memory is taken as the kubelet reports it, and no system pods are counted on it.')
  // the custom node's price, split by the book's ratio: 0.4 / (8 x 0.04 + 32 x 0.005) = 0.4 / 0.48; CPU 0.04 x 0.8333 = 0.03333333333
  t.equal(custom.prices.cpuCoreHour, 0.03333333333)
  t.notOk(custom.defaultsApplied.some((d) => d.field.startsWith('/cluster/node') || d.field === '/cluster/region'))
  const unpriced = resolve({ cluster: { node: { vcpu: 8, memoryGiB: 32, maxPods: 50 } } })
  t.equal(unpriced.node.hourlyPrice, null)
  t.equal(unpriced.prices.source, 'lab-book')

  // shipped models: custom nodes follow GKE's rule; system pods summed from the provider's list
  const shipped = resolveScenario({ pods: 10, cluster: { node: { vcpu: 4, memoryGiB: 16, maxPods: 110 } } }, shippedModels())
  t.equal(shipped.node.reservation, shippedModels().nodeCatalogs.get('gcp')?.reservation)
  t.match(shipped.notes[0], /^Custom node: allocatable follows the Google Kubernetes Engine \(Standard node pools/)
  const aws = resolveScenario({ pods: 10, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } }, shippedModels())
  t.ok(Math.abs(aws.node.kubeletMemoryGiB - 8 * 0.9326) < 1e-12, 'm5.large: 8 GiB x 0.9326 as the kubelet reports it')
  // models/nodes/aws.yaml: aws-node 50m and kube-proxy 100m, no memory requests: 2 pods, 0.15 cores, 0 GiB
  t.equal(aws.node.systemPods.pods, 2)
  t.ok(Math.abs(aws.node.systemPods.cpuCores - 0.15) < 1e-12, `${aws.node.systemPods.cpuCores}`)
  t.equal(aws.node.systemPods.memoryGiB, 0)
  t.equal(resolveScenario({ pods: 10, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } }, shippedModels()).node.systemPods, aws.node.systemPods, 'summed once per node catalog')
})
