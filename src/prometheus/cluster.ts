// Prometheus answers -> the cluster view of GET /cluster, and the view -> the scenario of POST /cluster/estimate.
import type { Models } from '../models/load.js'
import type { ClusterResponse, MeasuredComponent, Missing } from '../schemas/cluster.js'
import type { PrometheusClient, Sample } from './client.js'
import { clusterQueries, FAMILIES, MESH_COMPONENTS, SYSTEM_NAMESPACES, type Family, type NamespaceScope, type QueryKey } from './queries.js'
import { round } from '../units.js'

const GiB = 1024 ** 3

export interface ClusterRead {
  view: ClusterResponse
  /** running pods in every namespace, system ones included */
  clusterPods: number
  /** running pods in the namespaces named (any, system ones included), or outside the system ones */
  podsIn: (namespaces: readonly string[] | undefined) => number
}

/** Reads the cluster: every query in parallel, under the client's deadline. */
export async function readCluster (client: PrometheusClient, models: Models, scope: NamespaceScope, window: string, signal?: AbortSignal): Promise<ClusterRead> {
  const queries = clusterQueries(scope, window)
  const answers = await client.queryAll(queries, signal)
  const view = clusterView(answers, queries, models, window)
  const running = new Map(answers.runningPodsByNamespace.map((s) => [s.labels.namespace, Number.isFinite(s.value) ? Math.round(s.value) : 0]))
  return {
    view,
    clusterPods: [...running.values()].reduce((a, b) => a + b, 0),
    podsIn: (namespaces) => namespaces === undefined ? view.pods.total : namespaces.reduce((sum, n) => sum + (running.get(n) ?? 0), 0)
  }
}

/** A finite, non-negative number, or null: Prometheus answers NaN for 0/0 and nothing for an absent series. */
function scalar (samples: Sample[] | undefined): number | null {
  const value = samples?.[0]?.value
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : null
}

/** providerID prefixes of the clouds in the node catalogs (aws:///zone/id, gce://project/zone/name, azure:///...). */
function providerOf (providerId: string | undefined): string | null {
  if (providerId === undefined) return null
  if (providerId.startsWith('aws://')) return 'aws'
  if (providerId.startsWith('gce://')) return 'gcp'
  if (providerId.startsWith('azure://')) return 'azure'
  return null
}

/** The known node type (GET /node-types) of an instance type: by provider when known, else the only provider that has it. */
function knownNodeType (models: Models, provider: string | null, instanceType: string | null): string | null {
  if (instanceType === null) return null
  if (provider !== null) return models.nodeTypes.has(`${provider}/${instanceType}`) ? `${provider}/${instanceType}` : null
  const matches = [...models.nodeTypes.keys()].filter((id) => id.endsWith(`/${instanceType}`))
  return matches.length === 1 ? matches[0] ?? null : null
}

interface NodeFacts {
  instanceType: string | null
  region: string | null
  provider: string | null
  capacity: Record<'cpu' | 'memory' | 'pods', number | null>
  allocatable: Record<'cpu' | 'memory' | 'pods', number | null>
  hourlyPrice: number | null
}

function nodeFacts (answers: Record<QueryKey, Sample[]>): Map<string, NodeFacts> {
  const nodes = new Map<string, NodeFacts>()
  const node = (name: string): NodeFacts => {
    let facts = nodes.get(name)
    if (facts === undefined) {
      facts = { instanceType: null, region: null, provider: null, capacity: { cpu: null, memory: null, pods: null }, allocatable: { cpu: null, memory: null, pods: null }, hourlyPrice: null }
      nodes.set(name, facts)
    }
    return facts
  }
  for (const s of answers.nodeInfo) {
    if (s.labels.node !== undefined) node(s.labels.node).provider = providerOf(s.labels.provider_id)
  }
  // kube-state-metrics v2 exports node labels only when --metric-labels-allowlist names them.
  for (const s of answers.nodeLabels) {
    if (s.labels.node === undefined || !nodes.has(s.labels.node)) continue
    const facts = node(s.labels.node)
    facts.instanceType ??= s.labels.label_node_kubernetes_io_instance_type ?? s.labels.label_beta_kubernetes_io_instance_type ?? null
    facts.region ??= s.labels.label_topology_kubernetes_io_region ?? s.labels.label_failure_domain_beta_kubernetes_io_region ?? null
  }
  for (const [key, field] of [['nodeCapacity', 'capacity'], ['nodeAllocatable', 'allocatable']] as const) {
    for (const s of answers[key]) {
      const resource = s.labels.resource
      if (s.labels.node === undefined || !nodes.has(s.labels.node) || !Number.isFinite(s.value)) continue
      if (resource === 'cpu' || resource === 'memory' || resource === 'pods') node(s.labels.node)[field][resource] = resource === 'memory' ? s.value / GiB : s.value
    }
  }
  // OpenCost labels its node metrics with the instance type and region it priced.
  for (const s of answers.nodeHourlyCost) {
    if (s.labels.node === undefined || !nodes.has(s.labels.node)) continue
    const facts = node(s.labels.node)
    if (Number.isFinite(s.value)) facts.hourlyPrice = s.value
    if (s.labels.instance_type !== undefined && s.labels.instance_type !== '') facts.instanceType ??= s.labels.instance_type
    if (s.labels.region !== undefined && s.labels.region !== '') facts.region ??= s.labels.region
  }
  return nodes
}

const mean = (xs: Array<number | null>): number | null => {
  const known = xs.filter((x): x is number => x !== null)
  return known.length === 0 ? null : round(known.reduce((a, b) => a + b, 0) / known.length)
}

function nodeTypes (answers: Record<QueryKey, Sample[]>, models: Models): ClusterResponse['nodes']['byType'] {
  const groups = new Map<string, NodeFacts[]>()
  for (const facts of nodeFacts(answers).values()) {
    const key = JSON.stringify([facts.provider, facts.instanceType, facts.region])
    groups.set(key, [...(groups.get(key) ?? []), facts])
  }
  const resources = (list: NodeFacts[], field: 'capacity' | 'allocatable') => ({
    cpuCores: mean(list.map((f) => f[field].cpu)),
    memoryGiB: mean(list.map((f) => f[field].memory)),
    pods: mean(list.map((f) => f[field].pods))
  })
  return [...groups.values()].map((list) => {
    const first = list[0] as NodeFacts
    return {
      instanceType: first.instanceType,
      region: first.region,
      provider: first.provider,
      nodeType: knownNodeType(models, first.provider, first.instanceType),
      count: list.length,
      capacity: resources(list, 'capacity'),
      allocatable: resources(list, 'allocatable'),
      hourlyPrice: mean(list.map((f) => f.hourlyPrice))
    }
  }).sort((a, b) => b.count - a.count || String(a.instanceType).localeCompare(String(b.instanceType)))
}

function meshComponents (answers: Record<QueryKey, Sample[]>): MeasuredComponent[] {
  const byComponent = (key: 'meshReplicas' | 'meshCpuCores' | 'meshMemoryBytes') =>
    new Map(answers[key].map((s) => [s.labels.component ?? '', s.value]))
  const replicas = byComponent('meshReplicas')
  const cpu = byComponent('meshCpuCores')
  const memory = byComponent('meshMemoryBytes')
  const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) && x >= 0 ? x : null)
  return MESH_COMPONENTS.flatMap(({ mesh, component }) => {
    const key = `${mesh}/${component}`
    const count = finite(replicas.get(key))
    if (count === null || count === 0) return []
    const cpuCores = finite(cpu.get(key))
    const bytes = finite(memory.get(key))
    return [{ mesh, component, replicas: count, cpuCores: cpuCores === null ? null : round(cpuCores), memoryGiB: bytes === null ? null : round(bytes / GiB) }]
  })
}

/** The cluster view of a set of answers; pure, so that it is tested on fixtures as well as on a real Prometheus. */
export function clusterView (answers: Record<QueryKey, Sample[]>, queries: Record<QueryKey, string>, models: Models, window: string): ClusterResponse {
  const present = new Set(answers.families.map((s) => s.labels.__name__))
  const system = new Set<string>(SYSTEM_NAMESPACES)
  const byNamespaceAll = answers.runningPodsByNamespace
    .filter((s) => s.labels.namespace !== undefined && Number.isFinite(s.value))
    .map((s) => ({ namespace: s.labels.namespace as string, pods: Math.round(s.value) }))
  const byNamespace = byNamespaceAll.filter((n) => !system.has(n.namespace) && n.pods > 0)
    .sort((a, b) => b.pods - a.pods || a.namespace.localeCompare(b.namespace))
  const systemPods = byNamespaceAll.filter((n) => system.has(n.namespace)).reduce((sum, n) => sum + n.pods, 0)

  const cpuMedian = scalar(answers.podCpuRequestMedian)
  const cpuMean = scalar(answers.podCpuRequestMean)
  const memMedian = scalar(answers.podMemoryRequestMedian)
  const memMean = scalar(answers.podMemoryRequestMean)
  const requests = cpuMedian !== null && cpuMean !== null && memMedian !== null && memMean !== null
    ? { cpuCores: { median: round(cpuMedian), mean: round(cpuMean) }, memoryGiB: { median: round(memMedian / GiB), mean: round(memMean / GiB) } }
    : null

  const running = meshComponents(answers)
  const detected = [...new Set(running.filter((c) => MESH_COMPONENTS.some((m) => m.mesh === c.mesh && m.component === c.component && m.detects)).map((c) => c.mesh))]
  // Only the meshes that run: istiod serves sidecar and ambient Istio alike, and is reported under the one that runs.
  const components = running.filter((c) => detected.includes(c.mesh))

  const trafficSources = [
    { mesh: 'istio', metric: 'istio_requests_total', value: scalar(answers.istioRequestsPerSecond) },
    { mesh: 'linkerd', metric: 'request_total', value: scalar(answers.linkerdRequestsPerSecond) }
  ].filter((t) => t.value !== null && detected.includes(t.mesh))
  const proxies = components.filter((c) => trafficSources.some((t) => t.mesh === c.mesh) && (c.component === 'istio-proxy' || c.component === 'linkerd-proxy'))
    .reduce((sum, c) => sum + c.replicas, 0)
  const requestsPerSecond = trafficSources.reduce((sum, t) => sum + (t.value ?? 0), 0)
  const traffic = trafficSources.length === 0
    ? null
    : { requestsPerSecond: round(requestsPerSecond, 3), requestsPerSecondPerProxy: proxies > 0 ? round(requestsPerSecond / proxies, 3) : null, metric: trafficSources.map((t) => t.metric).join(' + ') }

  const cpuCoreHour = scalar(answers.cpuCoreHour)
  const memoryGiBHour = scalar(answers.memoryGiBHour)
  const prices = cpuCoreHour !== null && memoryGiBHour !== null && cpuCoreHour > 0 && memoryGiBHour > 0
    ? { source: 'opencost' as const, currency: 'USD', cpuCoreHour: round(cpuCoreHour, 8), memoryGiBHour: round(memoryGiBHour, 8) }
    : null

  return {
    window,
    nodes: { total: answers.nodeInfo.length, byType: nodeTypes(answers, models) },
    pods: {
      total: byNamespace.reduce((sum, n) => sum + n.pods, 0),
      system: systemPods,
      systemNamespaces: [...SYSTEM_NAMESPACES],
      byNamespace,
      requests
    },
    mesh: { detected, components },
    traffic,
    prices,
    missing: missingFamilies(present, detected),
    queries: {
      'nodes.total': queries.nodeInfo,
      'nodes.byType.instanceType': `${queries.nodeLabels} (label_node_kubernetes_io_instance_type), else ${queries.nodeHourlyCost} (instance_type)`,
      'nodes.byType.region': `${queries.nodeLabels} (label_topology_kubernetes_io_region), else ${queries.nodeHourlyCost} (region)`,
      'nodes.byType.capacity': queries.nodeCapacity,
      'nodes.byType.allocatable': queries.nodeAllocatable,
      'nodes.byType.hourlyPrice': queries.nodeHourlyCost,
      'pods.byNamespace': queries.runningPodsByNamespace,
      'pods.requests.cpuCores.median': queries.podCpuRequestMedian,
      'pods.requests.cpuCores.mean': queries.podCpuRequestMean,
      'pods.requests.memoryGiB.median': queries.podMemoryRequestMedian,
      'pods.requests.memoryGiB.mean': queries.podMemoryRequestMean,
      'mesh.components.replicas': queries.meshReplicas,
      'mesh.components.cpuCores': queries.meshCpuCores,
      'mesh.components.memoryGiB': queries.meshMemoryBytes,
      'traffic.istio': queries.istioRequestsPerSecond,
      'traffic.linkerd': queries.linkerdRequestsPerSecond,
      'prices.cpuCoreHour': queries.cpuCoreHour,
      'prices.memoryGiBHour': queries.memoryGiBHour,
      missing: queries.families
    }
  }
}

/** What replaces each family when Prometheus lacks it; mesh families matter only when that mesh runs. */
const REPLACEMENTS: Record<Family, string> = {
  kube_node_info: 'no node count: the estimate sizes the cluster from the workload',
  kube_node_labels: 'instance type and region from OpenCost\'s node_total_hourly_cost labels, else a custom node from capacity',
  kube_node_status_capacity: 'no node capacity: a known node type (GET /node-types) when the instance type is known, else the default node type',
  kube_node_status_allocatable: 'allocatable computed from the node catalog\'s kubelet reservation rule',
  kube_pod_status_phase: 'no running pods: POST /cluster/estimate cannot build a scenario',
  kube_pod_container_info: 'no mesh detected and no component replicas',
  kube_pod_container_resource_requests: 'the default pod requests (models/defaults.yaml)',
  container_cpu_usage_seconds_total: 'no measured CPU of mesh components',
  container_memory_working_set_bytes: 'no measured memory of mesh components',
  node_cpu_hourly_cost: 'the node type\'s list price, else the default price book',
  node_ram_hourly_cost: 'the node type\'s list price, else the default price book',
  node_total_hourly_cost: 'the node catalog\'s price for the node type; no price for a custom node',
  istio_requests_total: 'the default traffic per pod (models/defaults.yaml)',
  request_total: 'the default traffic per pod (models/defaults.yaml)'
}

function missingFamilies (present: Set<string | undefined>, detected: string[]): Missing[] {
  const meshFamily: Partial<Record<Family, string>> = { istio_requests_total: 'istio', request_total: 'linkerd' }
  return (Object.keys(FAMILIES) as Family[])
    .filter((family) => !present.has(family))
    .filter((family) => meshFamily[family] === undefined || detected.includes(meshFamily[family]))
    .map((family) => ({ metric: family, exporter: FAMILIES[family], replacedBy: REPLACEMENTS[family] }))
}
