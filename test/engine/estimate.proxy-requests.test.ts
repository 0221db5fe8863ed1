// options.proxyRequests: the data-plane proxy's requests as Helm values or annotations set them, for every mesh.
// Expected values are worked out by hand from the charts' defaults cited in models/meshes/*.yaml.
import t from 'tap'
import { estimate } from '../../src/engine/answer.js'
import type { EstimateRequest, MeshEstimate } from '../../src/schemas/estimate.js'
import { shippedModels, testApp } from '../helpers.js'

const run = (request: EstimateRequest): Record<string, MeshEstimate> =>
  Object.fromEntries(estimate(request, shippedModels()).estimates.map((e) => [e.mesh, e]))

// A node large enough that no mesh adds one, priced by nothing: cost is the overhead alone. Unit prices 1 per
// core-hour and 0.1 per GiB-hour make the arithmetic readable.
const base = { pods: 10, cluster: { node: { vcpu: 64, memoryGiB: 256, maxPods: 250 } }, pricing: { cpuCoreHour: 1, memoryGiBHour: 0.1 } } as const
const component = (e: MeshEstimate | undefined, id: string) => e?.components.find((c) => c.id === id)

t.test('requests basis: Istio\'s sidecars at the given requests, istiod and the gateway at their chart defaults', async (t) => {
  const chart = run({ ...base, meshes: ['istio'], basis: 'requests' }).istio
  // chart defaults: istio-proxy 100m / 128Mi x 10, istiod 500m / 2048Mi, ingress gateway 100m / 128Mi
  // CPU 1 + 0.5 + 0.1 = 1.6 cores, memory 1.25 + 2 + 0.125 = 3.375 GiB: (1.6 x 1 + 3.375 x 0.1) x 730 = 1414.375
  t.ok(Math.abs((chart?.cost.monthly.expected ?? 0) - 1414.375) < 0.006, `${chart?.cost.monthly.expected}`)
  const given = run({ ...base, meshes: ['istio'], basis: 'requests', options: { proxyRequests: { cpuCores: 0.25, memoryGiB: 0.5 } } }).istio
  // CPU 2.5 + 0.6 = 3.1, memory 5 + 2.125 = 7.125: (3.1 + 0.7125) x 730 = 2783.125
  t.ok(Math.abs((given?.cost.monthly.expected ?? 0) - 2783.125) < 0.006, `${given?.cost.monthly.expected}`)
  t.match(component(given, 'istio-proxy')?.requests.perReplica, { cpuCores: 0.25, memoryGiB: 0.5 })
  t.match(component(given, 'istiod')?.requests.perReplica, { cpuCores: 0.5, memoryGiB: 2 })
  t.match(component(given, 'istio-ingressgateway')?.requests.perReplica, { cpuCores: 0.1, memoryGiB: 0.125 })
})

t.test('max basis: requests far above usage set the sidecars\' cost', async (t) => {
  const at = (cpuCores: number, memoryGiB: number) => run({ ...base, meshes: ['istio'], options: { proxyRequests: { cpuCores, memoryGiB } } }).istio
  const one = at(1, 1)
  const two = at(2, 2)
  // max(request, usage) per sidecar: 1 core and 1 GiB (usage at 35 rps is a few millicores and tens of MiB)
  t.match(component(one, 'istio-proxy')?.basis.cpuCores, { expected: 10 })
  t.match(component(one, 'istio-proxy')?.basis.memoryGiB, { expected: 10 })
  // doubling them adds 10 cores and 10 GiB and nothing else: 10 x (1 x 1 + 1 x 0.1) x 730 = 8030 a month
  t.ok(Math.abs((two?.cost.monthly.expected ?? 0) - (one?.cost.monthly.expected ?? 0) - 8030) < 0.011)
})

t.test('one field alone: the other keeps the chart default (Linkerd\'s proxy requests nothing)', async (t) => {
  const linkerd = run({ ...base, meshes: ['linkerd'], basis: 'requests', options: { proxyRequests: { cpuCores: 0.1 } } }).linkerd
  t.match(component(linkerd, 'linkerd-proxy')?.requests.perReplica, { cpuCores: 0.1, memoryGiB: 0 })
  // Linkerd's control plane requests nothing by default: 10 x 0.1 core x 1 x 730 = 730
  t.ok(Math.abs((linkerd?.cost.monthly.expected ?? 0) - 730) < 0.006, `${linkerd?.cost.monthly.expected}`)
})

t.test('per-node proxies take them too (ztunnel, cilium-envoy); waypoints and other agents keep their own', async (t) => {
  const out = run({ ...base, meshes: ['istio-ambient', 'cilium'], basis: 'requests', options: { proxyRequests: { cpuCores: 0.05, memoryGiB: 0.25 } } })
  t.match(component(out['istio-ambient'], 'ztunnel')?.requests.perReplica, { cpuCores: 0.05, memoryGiB: 0.25 })
  t.match(component(out.cilium, 'cilium-envoy')?.requests.perReplica, { cpuCores: 0.05, memoryGiB: 0.25 })
  // istio-cni (a CNI agent, 100m / 100Mi in its chart) and the cilium agent are not the proxy
  t.notMatch(component(out['istio-ambient'], 'istio-cni')?.requests.perReplica, { cpuCores: 0.05 })
  t.notMatch(component(out.cilium, 'cilium-agent')?.requests.perReplica, { cpuCores: 0.05 })
  const waypoint = component(out['istio-ambient'], 'waypoint')
  if (waypoint !== undefined) t.notMatch(waypoint.requests.perReplica, { cpuCores: 0.05 })
})

t.test('capacity packs the pods with the given proxy requests', async (t) => {
  // EKS m5.large: 1.78 free cores after aws-node and kube-proxy; pods of 10m + a 100m proxy = 0.11 core:
  // floor(1.78 / 0.11) = 16 per node
  const { linkerd } = run({ pods: 29, meshes: ['linkerd'], workload: { podRequests: { cpuCores: 0.01, memoryGiB: 64 / 1024 } }, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' }, options: { proxyRequests: { cpuCores: 0.1 } } })
  t.match(linkerd?.capacity, { podsPerNodeWithMesh: 16, bindingResource: 'cpu' })
})

t.test('the answer echoes it, and says when the charts\' defaults applied', async (t) => {
  const given = estimate({ ...base, meshes: ['istio'], options: { proxyRequests: { memoryGiB: 0.25 } } }, shippedModels())
  t.same(given.assumptions.proxyRequests, { cpuCores: null, memoryGiB: 0.25 })
  t.notOk(given.assumptions.defaultsApplied.some((d) => d.field === '/options/proxyRequests'))
  const defaulted = estimate({ ...base, meshes: ['istio'] }, shippedModels())
  t.same(defaulted.assumptions.proxyRequests, { cpuCores: null, memoryGiB: null })
  t.ok(defaulted.assumptions.defaultsApplied.some((d) => d.field === '/options/proxyRequests'))
})

t.test('bad proxy requests are a 400 naming the field; GET /estimate takes proxyCpuCores and proxyMemoryGiB', async (t) => {
  const app = await testApp(t)
  const post = (proxyRequests: unknown) => app.inject({ method: 'POST', url: '/estimate', payload: { pods: 1, options: { proxyRequests } } })
  for (const bad of [{}, { cpuCores: -1 }, { memoryGiB: 'a lot' }, { cpu: '100m' }]) {
    const res = await post(bad)
    t.equal(res.statusCode, 400, JSON.stringify(bad))
    t.match(res.headers['content-type'], /problem\+json/)
    t.match(res.body, /proxyRequests/)
  }
  const res = await app.inject('/estimate?pods=10&meshes=istio&proxyCpuCores=0.25&proxyMemoryGiB=0.5')
  t.equal(res.statusCode, 200)
  t.same(res.json<{ assumptions: { proxyRequests: unknown } }>().assumptions.proxyRequests, { cpuCores: 0.25, memoryGiB: 0.5 })
})
