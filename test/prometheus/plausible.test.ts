// The check every number from Prometheus passes where it enters (src/prometheus/plausible.ts), on answers made
// up here (no Prometheus needed): sample values as the HTTP API writes them, each bound, what is dropped and
// said in `missing`, the 502s of POST /cluster/estimate, and, over random answers, that the view always keeps to
// its schema and the estimate is either priced and finite, a 502, or a 422 naming the request's own fields.
import fc from 'fast-check'
import t from 'tap'
import { Compile } from 'typebox/compile'
import { DomainError } from '../../src/errors.js'
import { PrometheusError, sampleValue, type Sample } from '../../src/prometheus/client.js'
import { clusterRead } from '../../src/prometheus/cluster.js'
import { BOUNDS, fault, Plausibility } from '../../src/prometheus/plausible.js'
import { clusterQueries, defaultScope, type QueryKey } from '../../src/prometheus/queries.js'
import { clusterEstimate } from '../../src/prometheus/scenario.js'
import { ClusterEstimateResponse, ClusterResponse, type ClusterEstimateRequest } from '../../src/schemas/cluster.js'
import { shippedModels } from '../helpers.js'

const GiB = 1024 ** 3
const TiB = 1024 ** 4
const UPSTREAM = 'http://prometheus.internal.example:9090'
const queries = clusterQueries(defaultScope, '1h')

interface Figures {
  cpu: number[]
  memory: number[]
  pods: number[]
  allocatableCpu: number[]
  nodePrice: number[]
  running: Record<string, number>
  cpuRequest: number
  memoryRequest: number
  istioReplicas: number
  istioCpu: number
  istioMemory: number
  istioRps: number
  cpuCoreHour: number
  memoryGiBHour: number
}

/** Three nodes of an instance type the catalog does not know (so the estimate needs their capacity), Istio, OpenCost. */
const plausible = (): Figures => ({
  cpu: [16, 16, 16],
  memory: [64 * GiB, 64 * GiB, 64 * GiB],
  pods: [110, 110, 110],
  allocatableCpu: [15.5, 15.5, 15.5],
  nodePrice: [0.9, 0.9, 0.9],
  running: { shop: 12, 'kube-system': 4, 'istio-system': 1 },
  cpuRequest: 0.5,
  memoryRequest: GiB,
  istioReplicas: 12,
  istioCpu: 0.24,
  istioMemory: 12 * 64 * 1024 ** 2,
  istioRps: 180,
  cpuCoreHour: 0.03,
  memoryGiBHour: 0.004
})

/** The answers of one read, as the client parses them. */
function answers (f: Figures): Record<QueryKey, Sample[]> {
  const nodes = f.cpu.map((_, i) => `worker-${i}`)
  const one = (value: number): Sample[] => [{ labels: {}, value }]
  const perNode = (values: number[], resource: string) => nodes.map((node, i) => ({ labels: { node, resource }, value: values[i] ?? 0 }))
  return {
    families: ['kube_node_info', 'kube_node_labels', 'kube_node_status_capacity', 'kube_node_status_allocatable', 'kube_pod_status_phase', 'kube_pod_container_info', 'kube_pod_container_resource_requests',
      'container_cpu_usage_seconds_total', 'container_memory_working_set_bytes', 'node_cpu_hourly_cost', 'node_ram_hourly_cost', 'node_total_hourly_cost', 'istio_requests_total'].map((n) => ({ labels: { __name__: n }, value: 1 })),
    nodeInfo: nodes.map((node) => ({ labels: { node, provider_id: `metal://rack/${node}` }, value: 1 })),
    nodeLabels: nodes.map((node) => ({ labels: { node, label_node_kubernetes_io_instance_type: 'rack-server-16' }, value: 1 })),
    nodeCapacity: [...perNode(f.cpu, 'cpu'), ...perNode(f.memory, 'memory'), ...perNode(f.pods, 'pods')],
    nodeAllocatable: [...perNode(f.allocatableCpu, 'cpu'), ...perNode(f.memory.map((m) => m * 0.9), 'memory'), ...perNode([110, 110, 110], 'pods')],
    runningPodsByNamespace: Object.entries(f.running).map(([namespace, value]) => ({ labels: { namespace }, value })),
    podCpuRequestMedian: one(f.cpuRequest),
    podCpuRequestMean: one(f.cpuRequest),
    podMemoryRequestMedian: one(f.memoryRequest),
    podMemoryRequestMean: one(f.memoryRequest),
    meshReplicas: [{ labels: { component: 'istio/istio-proxy' }, value: f.istioReplicas }, { labels: { component: 'istio/istiod' }, value: 1 }],
    meshCpuCores: [{ labels: { component: 'istio/istio-proxy' }, value: f.istioCpu }, { labels: { component: 'istio/istiod' }, value: 0.05 }],
    meshMemoryBytes: [{ labels: { component: 'istio/istio-proxy' }, value: f.istioMemory }, { labels: { component: 'istio/istiod' }, value: 256 * 1024 ** 2 }],
    istioRequestsPerSecond: one(f.istioRps),
    linkerdRequestsPerSecond: [],
    ciliumRequestsPerSecond: [],
    kumaRequestsPerSecond: [],
    consulRequestsPerSecond: [],
    cpuCoreHour: one(f.cpuCoreHour),
    memoryGiBHour: one(f.memoryGiBHour),
    nodeHourlyCost: nodes.map((node, i) => ({ labels: { node }, value: f.nodePrice[i] ?? 0 }))
  }
}

const read = (f: Figures) => clusterRead(answers(f), queries, shippedModels(), '1h', UPSTREAM)
const with_ = (change: (f: Figures) => void): Figures => { const f = plausible(); change(f); return f }

t.test('sample values as the HTTP API writes them: NaN, +Inf and -Inf included; anything else is NaN, never 0', async (t) => {
  t.equal(sampleValue('0.024'), 0.024)
  t.equal(sampleValue('-1'), -1)
  t.equal(sampleValue('1e+308'), 1e308)
  t.equal(sampleValue('100000000000000000000'), 1e20)
  t.equal(sampleValue('+Inf'), Infinity, 'Number() would read it as NaN')
  t.equal(sampleValue('-Inf'), -Infinity)
  t.ok(Number.isNaN(sampleValue('NaN')))
  for (const junk of ['', ' ', '0x10', 'Infinity', '1,5', undefined, null, 5]) t.ok(Number.isNaN(sampleValue(junk)), `${JSON.stringify(junk)} is NaN (Number() gives ${Number(junk)})`)
})

t.test('the bounds: the largest real machines and clusters pass, broken values do not', async (t) => {
  // GCP x4-1920-32t and AWS u7inh-32tb.480xlarge: 1,920 vCPUs, 32 TiB; OpenShift: 2,500 pods per node.
  t.equal(fault(1920, BOUNDS.nodeCpuCores), null)
  t.equal(fault(32 * TiB, BOUNDS.nodeMemoryBytes), null)
  t.equal(fault(2500, BOUNDS.nodePods), null)
  t.equal(fault(0, BOUNDS.allocatableCpuCores), null, 'the kubelet stops allocatable at 0')
  t.equal(fault(150_000, BOUNDS.runningPods), null)
  t.equal(fault(0, BOUNDS.unitPrice), null)
  t.same(fault(-1, BOUNDS.nodeCpuCores), { kind: 'negative', text: 'negative (-1)' })
  t.same(fault(0, BOUNDS.nodeCpuCores), { kind: 'too small', text: 'not above 0 cores (0)' })
  t.same(fault(0, BOUNDS.nodePods), { kind: 'too small', text: 'below 1 pods (0)' })
  t.same(fault(8193, BOUNDS.nodeCpuCores), { kind: 'too large', text: 'above 8192 cores (8193)' })
  t.same(fault(1e308, BOUNDS.nodeMemoryBytes), { kind: 'too large', text: 'above 64 TiB (1e+308)' })
  t.same(fault(2e6, BOUNDS.unitPrice), { kind: 'too large', text: 'above 1000000 an hour (2000000)' })
  t.same(fault(NaN, BOUNDS.requestsPerSecond), { kind: 'not a number', text: 'not a number (NaN)' })
  t.same(fault(Infinity, BOUNDS.requestsPerSecond), { kind: 'infinite', text: 'infinite (+Inf)' })
  t.same(fault(-Infinity, BOUNDS.requestsPerSecond), { kind: 'infinite', text: 'infinite (-Inf)' })
  t.same(fault(2.5, BOUNDS.runningPods), { kind: 'not a whole number', text: 'not a whole number (2.5)' })

  const checks = new Plausibility()
  for (const v of [4, -1, NaN, -2]) checks.check('kube_node_status_capacity', 'kube_node_status_capacity{resource="cpu"}', v, BOUNDS.nodeCpuCores, 'instead')
  t.same(checks.missing(), [{ metric: 'kube_node_status_capacity', exporter: 'kube-state-metrics', replacedBy: 'instead', dropped: 3, reason: 'kube_node_status_capacity{resource="cpu"}: 3 of 4 series dropped: negative (-1), not a number (NaN)' }],
    'one entry per series: how many of how many, and an example of each fault')
})

t.test('a plausible cluster: nothing dropped, the estimate prices a custom node from capacity', async (t) => {
  const r = read(plausible())
  t.same(r.view.missing, [])
  const result = clusterEstimate(r, { meshes: ['istio'] }, shippedModels())
  t.same(result.scenario.cluster, { nodes: 3, node: { vcpu: 16, memoryGiB: 64, maxPods: 110, hourlyPrice: 0.9 } })
  t.equal(result.scenario.traffic?.requestsPerSecondPerPod, 15)
})

t.test('each implausible value is dropped and named; what it fed is null or left to its default', async (t) => {
  const cases: Array<[string, (f: Figures) => void, RegExp, (view: ClusterResponse) => unknown, unknown]> = [
    ['capacity -1 on one node', (f) => { f.cpu[0] = -1 }, /^kube_node_status_capacity\{resource="cpu"\}: 1 of 3 series dropped: negative \(-1\)$/, (v) => v.nodes.byType[0]?.capacity.cpuCores, 16],
    ['allocatable above capacity', (f) => { f.allocatableCpu[1] = 32 }, /^kube_node_status_allocatable\{resource="cpu"\}: 1 of 3 series dropped: above the node's capacity \(32 > 16\)$/, (v) => v.nodes.byType[0]?.allocatable.cpuCores, 15.5],
    ['pods capacity 110.5', (f) => { f.pods[2] = 110.5 }, /^kube_node_status_capacity\{resource="pods"\}: 1 of 3 series dropped: not a whole number \(110\.5\)$/, (v) => v.nodes.byType[0]?.capacity.pods, 110],
    ['a node price of +Inf', (f) => { f.nodePrice = [Infinity, Infinity, Infinity] }, /^node_total_hourly_cost: 3 of 3 series dropped: infinite \(\+Inf\)$/, (v) => v.nodes.byType[0]?.hourlyPrice, null],
    ['a request of -Inf', (f) => { f.cpuRequest = -Infinity }, /^median CPU request of a pod \(kube_pod_container_resource_requests\): dropped: infinite \(-Inf\)$/, (v) => v.pods.requests, null],
    ['traffic of 1e308', (f) => { f.istioRps = 1e308 }, /^sum\(rate\(istio_requests_total\)\): dropped: above 1000000000 requests\/s \(1e\+308\)$/, (v) => v.traffic, null],
    ['sidecar CPU above a node per replica', (f) => { f.istioCpu = 12 * 8192 + 1 }, /^sum\(rate\(container_cpu_usage_seconds_total\)\) of istio\/istio-proxy: dropped: above 98304 cores \(98305\)$/, (v) => v.mesh.components.find((c) => c.component === 'istio-proxy')?.cpuCores, null],
    ['replicas NaN', (f) => { f.istioReplicas = NaN }, /^running pods of istio\/istio-proxy: dropped: not a number \(NaN\)$/, (v) => v.mesh.components.map((c) => c.component), ['istiod']],
    ['a price of -0.03', (f) => { f.cpuCoreHour = -0.03 }, /^avg\(node_cpu_hourly_cost\): dropped: negative \(-0\.03\)$/, (v) => v.prices, null],
    ['a namespace of 1e308 pods', (f) => { f.running['kube-system'] = 1e308 }, /^running pods by namespace \(kube_pod_status_phase\): 1 of 3 series dropped: above 10000000 pods \(1e\+308\)$/, (v) => v.pods.system, 1]
  ]
  const valid = Compile(ClusterResponse)
  for (const [what, change, reason, figure, expected] of cases) {
    const r = read(with_(change))
    t.same([...valid.Errors(r.view)].map((e) => `${e.instancePath} ${e.message}`), [], `${what}: the view keeps to its schema`)
    const dropped = r.view.missing.filter((m) => m.dropped !== undefined)
    t.equal(new Set(dropped.map((m) => m.metric)).size, 1, `${what}: one metric named`)
    t.ok(dropped.some((m) => reason.test(m.reason ?? '')), `${what}: ${dropped.map((m) => m.reason).join('; ')}`)
    t.same(figure(r.view), expected, `${what}: the figure it fed`)
    const result = clusterEstimate(r, { meshes: ['istio'] }, shippedModels())
    t.same(result.missing, r.view.missing, `${what}: POST /cluster/estimate prices, and says what was dropped`)
  }
})

t.test('POST /cluster/estimate: a 502 naming the metric when the scenario cannot do without it; the client is blamed only for its own fields', async (t) => {
  const models = shippedModels()
  const attempt = (f: Figures, body: ClusterEstimateRequest): unknown => { try { return clusterEstimate(read(f), body, models) } catch (err) { return err } }

  const pods = attempt(with_((f) => { f.running.shop = NaN }), { namespaces: ['shop'] })
  t.ok(pods instanceof PrometheusError && pods.status === 502, 'no usable running-pod count in the namespaces asked for: 502, not a 422 on /namespaces')
  t.equal((pods as PrometheusError).publicMessage, 'Prometheus (PROMETHEUS_URL) answered no usable kube_pod_status_phase, which counts the pods to mesh: running pods by namespace (kube_pod_status_phase): 1 of 3 series dropped: not a number (NaN)')
  t.notMatch((pods as PrometheusError).publicMessage, 'prometheus.internal.example')
  t.match((pods as PrometheusError).message, UPSTREAM, 'the operator\'s message names the upstream')
  const elsewhere = attempt(with_((f) => { f.running.shop = NaN }), { namespaces: ['kube-system'] })
  t.notOk(elsewhere instanceof Error, 'a count dropped in another namespace does not matter')
  const none = attempt(plausible(), { namespaces: ['no-such-namespace'] })
  t.ok(none instanceof DomainError && none.status === 422 && none.errors[0]?.pointer === '/namespaces', 'no pods where Prometheus answered for every namespace: the client\'s own field, 422')

  const shape = attempt(with_((f) => { f.memory = [NaN, -1, 1e308] }), {})
  t.ok(shape instanceof PrometheusError && shape.status === 502, 'no usable capacity for a node type the catalog lacks: 502')
  t.equal((shape as PrometheusError).publicMessage, 'Prometheus (PROMETHEUS_URL) answered no usable kube_node_status_capacity, which shapes the cluster\'s most numerous node type (rack-server-16, not in GET /node-types): kube_node_status_capacity{resource="memory"}: 3 of 3 series dropped: not a number (NaN), negative (-1), above 64 TiB (1e+308)')

  // Plausible figures the estimate cannot price as read: a mean pod larger than the main node type's free room.
  const big = attempt(with_((f) => { f.cpuRequest = 200 }), {})
  t.ok(big instanceof PrometheusError && big.status === 502, 'a scenario derived from the cluster that cannot be priced: 502, not a 422 on /scenario')
  t.match((big as PrometheusError).publicMessage, /^Prometheus \(PROMETHEUS_URL\) describes a cluster the estimate cannot price as read: \/scenario\/workload\/podRequests \(kube_pod_container_resource_requests\): /)
  const unknownMesh = attempt(plausible(), { meshes: ['no-such-mesh'] })
  t.ok(unknownMesh instanceof DomainError && unknownMesh.status === 422, 'the client\'s own field: still a 422')
  t.equal((unknownMesh as DomainError).errors[0]?.pointer, '/meshes/0')
})

t.test('any answer, however broken: a view that keeps to its schema, and a finite estimate or a 502 (fuzz)', async (t) => {
  const models = shippedModels()
  const validView = Compile(ClusterResponse)
  const validEstimate = Compile(ClusterEstimateResponse)
  const junk = fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 1e308, -1e308, 5e-324, 2 ** 53 + 1), fc.double())
  const value = (good: number) => fc.oneof({ weight: 3, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: junk })
  const base = plausible()
  const three = (good: number[]) => fc.tuple(...good.map(value))
  const figures = fc.record({
    cpu: three(base.cpu),
    memory: three(base.memory),
    pods: three(base.pods),
    allocatableCpu: three(base.allocatableCpu),
    nodePrice: three(base.nodePrice),
    running: fc.record({ shop: value(12), 'kube-system': value(4), 'istio-system': value(1) }),
    cpuRequest: value(base.cpuRequest),
    memoryRequest: value(base.memoryRequest),
    istioReplicas: value(base.istioReplicas),
    istioCpu: value(base.istioCpu),
    istioMemory: value(base.istioMemory),
    istioRps: value(base.istioRps),
    cpuCoreHour: value(base.cpuCoreHour),
    memoryGiBHour: value(base.memoryGiBHour)
  })
  let priced = 0
  let failed = 0
  fc.assert(fc.property(figures, fc.constantFrom<ClusterEstimateRequest>({}, { namespaces: ['shop'] }, { meshes: ['istio', 'linkerd'] }), (f, body) => {
    const r = read(f)
    const viewErrors = [...validView.Errors(JSON.parse(JSON.stringify(r.view)))]
    if (viewErrors.length > 0) throw new Error(`the view breaks its schema: ${viewErrors[0]?.instancePath} ${viewErrors[0]?.message}`)
    try {
      const result = clusterEstimate(r, body, models)
      const errors = [...validEstimate.Errors(JSON.parse(JSON.stringify(result)))]
      if (errors.length > 0) throw new Error(`the estimate breaks its schema: ${errors[0]?.instancePath} ${errors[0]?.message}`)
      if (!result.estimates.every((e) => Number.isFinite(e.totals.cpuCores.expected) && Number.isFinite(e.cost.monthly.expected))) throw new Error('an estimate is not finite')
      priced++
    } catch (err) {
      if (err instanceof PrometheusError && err.status === 502) { failed++; return }
      // Prometheus reporting no running pods (plausibly: zeros) where the request asked is about the request's scope.
      if (err instanceof DomainError && err.errors.every((e) => e.pointer === '/namespaces') && err.message.includes('reports no running pods')) return
      if (err instanceof DomainError) throw new Error(`a ${err.status} blames the client: ${err.message}`)
      throw err
    }
  }), { numRuns: 300, seed: 24 })
  t.ok(priced > 0 && failed > 0, `priced ${priced}, 502 ${failed}`)
})
