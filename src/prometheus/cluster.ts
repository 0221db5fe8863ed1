// Prometheus answers -> the cluster view of GET /cluster, and the view -> the scenario of POST /cluster/estimate.
// Every number of an answer is checked where it enters, here, against a bound of its quantity (plausible.ts):
// a value dropped as implausible is left out like an absent one, and `missing` says which series and why.
import type { Models } from '../models/load.js'
import type { ClusterResponse, MeasuredComponent, Missing } from '../schemas/cluster.js'
import type { PrometheusClient, Sample } from './client.js'
import { BOUNDS, perReplica, Plausibility, type Bound } from './plausible.js'
import { clusterQueries, FAMILIES, MESH_COMPONENTS, SYSTEM_NAMESPACES, TRAFFIC_SOURCES, type Family, type NamespaceScope, type QueryKey } from './queries.js'
import { round } from '../units.js'

const GiB = 1024 ** 3

/** What stands in for a figure Prometheus lacks: the traffic, the unit prices. */
const DEFAULT_TRAFFIC = 'the default traffic per pod (models/defaults.yaml)'
const LIST_PRICE = 'the node type\'s list price, else the default price book'

/** Prometheus' answer to each query. */
type Answers = Record<QueryKey, Sample[]>
type Queries = Record<QueryKey, string>

export interface ClusterRead {
  view: ClusterResponse
  /** the Prometheus read, for the operator's side of a PrometheusError */
  upstream: string
  /** running pods in every namespace, system ones included */
  clusterPods: number
  /** running pods in the namespaces named (any, system ones included), or outside the system ones */
  podsIn: (namespaces: readonly string[] | undefined) => number
  /** the `missing` entry of running-pod counts dropped as implausible in those namespaces (scoped as podsIn), if any */
  podsDroppedIn: (namespaces: readonly string[] | undefined) => Missing | undefined
  /** the `missing` entries of node capacity when dropped values left the most numerous node type's capacity incomplete, else [] */
  mainCapacityDropped: Missing[]
}

/** Reads the cluster: every query in parallel, under the client's deadline. */
export async function readCluster (client: PrometheusClient, models: Models, scope: NamespaceScope, window: string, signal?: AbortSignal): Promise<ClusterRead> {
  const queries = clusterQueries(scope, window)
  const answers = await client.queryAll(queries, signal)
  return clusterRead(answers, queries, models, window, client.upstream)
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

type Resource = 'cpu' | 'memory' | 'pods'
const RESOURCES: readonly Resource[] = ['cpu', 'memory', 'pods']

interface NodeFacts {
  instanceType: string | null
  region: string | null
  provider: string | null
  capacityType: CapacityType | null
  arch: string | null
  /** memory in GiB */
  capacity: Record<Resource, number | null>
  allocatable: Record<Resource, number | null>
  hourlyPrice: number | null
  /** the capacity resources whose value was dropped as implausible */
  capacityDropped: Set<Resource>
}

const NODE_FIGURES = {
  capacity: {
    family: 'kube_node_status_capacity',
    bounds: { cpu: BOUNDS.nodeCpuCores, memory: BOUNDS.nodeMemoryBytes, pods: BOUNDS.nodePods },
    replacedBy: 'left out of its node type\'s mean (null when no node of the type is left); POST /cluster/estimate answers 502 when it needs the capacity of a node type that is not in GET /node-types'
  },
  allocatable: {
    family: 'kube_node_status_allocatable',
    bounds: { cpu: BOUNDS.allocatableCpuCores, memory: BOUNDS.allocatableMemoryBytes, pods: BOUNDS.allocatablePods },
    replacedBy: 'left out of its node type\'s mean (null when no node of the type is left); the estimate computes allocatable from the node catalog\'s kubelet reservation rule'
  }
} as const satisfies Record<string, { family: Family, bounds: Record<Resource, Bound>, replacedBy: string }>

function nodeFacts (answers: Answers, checks: Plausibility): Map<string, NodeFacts> {
  const nodes = new Map<string, NodeFacts>()
  const node = (name: string): NodeFacts => {
    let facts = nodes.get(name)
    if (facts === undefined) {
      facts = { instanceType: null, region: null, provider: null, capacityType: null, arch: null, capacity: { cpu: null, memory: null, pods: null }, allocatable: { cpu: null, memory: null, pods: null }, hourlyPrice: null, capacityDropped: new Set() }
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
    facts.capacityType ??= capacityTypeOf(s.labels)
    facts.arch ??= s.labels.label_kubernetes_io_arch ?? null
  }
  for (const [key, field] of [['nodeCapacity', 'capacity'], ['nodeAllocatable', 'allocatable']] as const) {
    const { family, bounds, replacedBy } = NODE_FIGURES[field]
    for (const s of answers[key]) {
      const resource = s.labels.resource
      if (s.labels.node === undefined || !nodes.has(s.labels.node) || (resource !== 'cpu' && resource !== 'memory' && resource !== 'pods')) continue
      const facts = node(s.labels.node)
      const value = checks.check(family, `${family}{resource="${resource}"}`, s.value, bounds[resource], replacedBy)
      // A second series of a node (two kube-state-metrics replicas) does not undo a plausible first one.
      if (value !== null) facts[field][resource] = value
      else if (field === 'capacity') facts.capacityDropped.add(resource)
    }
  }
  for (const facts of nodes.values()) {
    for (const resource of RESOURCES) {
      // The kubelet's allocatable is its capacity less its reservations, never more.
      const capacity = facts.capacity[resource]
      const allocatable = facts.allocatable[resource]
      if (capacity !== null && allocatable !== null && allocatable > capacity) {
        const { family, replacedBy } = NODE_FIGURES.allocatable
        checks.reject(family, `${family}{resource="${resource}"}`, 'above capacity', `above the node's capacity (${allocatable} > ${capacity})`, replacedBy)
        facts.allocatable[resource] = null
      }
    }
    for (const field of ['capacity', 'allocatable'] as const) {
      const bytes = facts[field].memory
      if (bytes !== null) facts[field].memory = bytes / GiB
    }
  }
  // OpenCost labels its node metrics with the instance type and region it priced.
  for (const s of answers.nodeHourlyCost) {
    if (s.labels.node === undefined || !nodes.has(s.labels.node)) continue
    const facts = node(s.labels.node)
    const price = checks.check('node_total_hourly_cost', 'node_total_hourly_cost', s.value, BOUNDS.nodePrice,
      'left out of its node type\'s mean hourlyPrice; with none left, the node catalog\'s price for the node type (none for a custom node)')
    if (price !== null) facts.hourlyPrice = price
    if (s.labels.instance_type !== undefined && s.labels.instance_type !== '') facts.instanceType ??= s.labels.instance_type
    if (s.labels.region !== undefined && s.labels.region !== '') facts.region ??= s.labels.region
    if (s.labels.arch !== undefined && s.labels.arch !== '') facts.arch ??= s.labels.arch
  }
  return nodes
}

export type CapacityType = 'onDemand' | 'spot'

/**
 * On-Demand or Spot, from the well-known node labels as kube-state-metrics names them (its
 * --metric-labels-allowlist must list them): Karpenter's karpenter.sh/capacity-type (spot, on-demand), EKS
 * managed node groups' eks.amazonaws.com/capacityType (SPOT, ON_DEMAND), GKE's cloud.google.com/gke-spot and
 * gke-preemptible ("true"), AKS's kubernetes.azure.com/scalesetpriority (spot, regular). Null when none says.
 */
export function capacityTypeOf (labels: Record<string, string>): CapacityType | null {
  const karpenter = labels.label_karpenter_sh_capacity_type
  if (karpenter !== undefined) return karpenter === 'spot' ? 'spot' : 'onDemand'
  const eks = labels.label_eks_amazonaws_com_capacity_type
  if (eks !== undefined) return eks === 'SPOT' ? 'spot' : 'onDemand'
  if (labels.label_cloud_google_com_gke_spot === 'true' || labels.label_cloud_google_com_gke_preemptible === 'true') return 'spot'
  const aks = labels.label_kubernetes_azure_com_scalesetpriority
  if (aks !== undefined) return aks === 'spot' ? 'spot' : 'onDemand'
  return null
}

const mean = (xs: Array<number | null>): number | null => {
  const known = xs.filter((x): x is number => x !== null)
  return known.length === 0 ? null : round(known.reduce((a, b) => a + b, 0) / known.length)
}

type NodeTypeRow = ClusterResponse['nodes']['byType'][number]

/** The node types, most numerous first, each with whether dropped values left its capacity incomplete. */
function nodeTypes (nodes: Map<string, NodeFacts>, models: Models): Array<{ row: NodeTypeRow, capacityDropped: boolean }> {
  const groups = new Map<string, NodeFacts[]>()
  for (const facts of nodes.values()) {
    // A pool: nodes of one instance type, region, capacity type and architecture.
    const key = JSON.stringify([facts.provider, facts.instanceType, facts.region, facts.capacityType, facts.arch])
    groups.set(key, [...(groups.get(key) ?? []), facts])
  }
  const resources = (list: NodeFacts[], field: 'capacity' | 'allocatable') => ({
    cpuCores: mean(list.map((f) => f[field].cpu)),
    memoryGiB: mean(list.map((f) => f[field].memory)),
    pods: mean(list.map((f) => f[field].pods))
  })
  return [...groups.values()].map((list) => {
    const first = list[0] as NodeFacts
    const capacity = resources(list, 'capacity')
    const known: Record<Resource, number | null> = { cpu: capacity.cpuCores, memory: capacity.memoryGiB, pods: capacity.pods }
    return {
      row: {
        instanceType: first.instanceType,
        region: first.region,
        provider: first.provider,
        nodeType: knownNodeType(models, first.provider, first.instanceType),
        capacityType: first.capacityType,
        arch: first.arch,
        count: list.length,
        capacity,
        allocatable: resources(list, 'allocatable'),
        hourlyPrice: mean(list.map((f) => f.hourlyPrice))
      },
      capacityDropped: RESOURCES.some((r) => known[r] === null && list.some((f) => f.capacityDropped.has(r)))
    }
  }).sort((a, b) => b.row.count - a.row.count || String(a.row.instanceType).localeCompare(String(b.row.instanceType)))
}

/** The mesh components that run (replicas > 0), and the meshes they detect; the usage of those meshes' components. */
function meshComponents (answers: Answers, checks: Plausibility): { detected: string[], components: MeasuredComponent[] } {
  const byComponent = (key: 'meshReplicas' | 'meshCpuCores' | 'meshMemoryBytes') =>
    new Map(answers[key].map((s) => [s.labels.component ?? '', s.value]))
  const replicas = byComponent('meshReplicas')
  const cpu = byComponent('meshCpuCores')
  const memory = byComponent('meshMemoryBytes')
  const running = MESH_COMPONENTS.flatMap((c) => {
    const key = `${c.mesh}/${c.component}`
    const found = replicas.get(key)
    const count = found === undefined
      ? null
      : checks.check('kube_pod_container_info', `running pods of ${key}`, found, BOUNDS.runningPods, 'the component is not reported and does not detect its mesh')
    return count === null || count === 0 ? [] : [{ ...c, key, count }]
  })
  const detected = [...new Set(running.filter((c) => c.detects).map((c) => c.mesh))]
  // Only the meshes that run: istiod serves sidecar and ambient Istio alike, and is reported under the one that runs.
  const components = running.filter((c) => detected.includes(c.mesh)).map(({ mesh, component, key, count }) => {
    const measured = (values: Map<string, number>, family: Family, series: string, bound: Bound) => {
      const value = values.get(key)
      return value === undefined ? null : checks.check(family, `${series} of ${key}`, value, perReplica(bound, count), 'null: no measured usage of the component')
    }
    const cpuCores = measured(cpu, 'container_cpu_usage_seconds_total', 'sum(rate(container_cpu_usage_seconds_total))', BOUNDS.componentCpuCores)
    const bytes = measured(memory, 'container_memory_working_set_bytes', 'sum(avg_over_time(container_memory_working_set_bytes))', BOUNDS.componentMemoryBytes)
    return { mesh, component, replicas: count, cpuCores: cpuCores === null ? null : round(cpuCores), memoryGiB: bytes === null ? null : round(bytes / GiB) }
  })
  return { detected, components }
}

/** The cluster view of a set of answers; pure, so that it is tested on fixtures as well as on a real Prometheus. */
export function clusterView (answers: Answers, queries: Queries, models: Models, window: string): ClusterResponse {
  return clusterRead(answers, queries, models, window, '').view
}

/** The view, and what the estimate needs beside it; pure, as clusterView. `upstream` only names Prometheus to the operator. */
export function clusterRead (answers: Answers, queries: Queries, models: Models, window: string, upstream: string): ClusterRead {
  const checks = new Plausibility()
  /** The one value of an aggregated query, checked; null when Prometheus has none. */
  const scalar = (key: QueryKey, family: Family, series: string, bound: Bound, replacedBy: string): number | null => {
    const value = answers[key][0]?.value
    return value === undefined ? null : checks.check(family, series, value, bound, replacedBy)
  }

  const present = new Set(answers.families.map((s) => s.labels.__name__))
  const system = new Set<string>(SYSTEM_NAMESPACES)
  const running = new Map<string, number>()
  const droppedNamespaces = new Set<string>()
  const runningSeries = 'running pods by namespace (kube_pod_status_phase)'
  for (const s of answers.runningPodsByNamespace) {
    const namespace = s.labels.namespace
    if (namespace === undefined) continue
    const pods = checks.check('kube_pod_status_phase', runningSeries, s.value, BOUNDS.runningPods, 'the namespace\'s running pods are not counted')
    if (pods === null) droppedNamespaces.add(namespace)
    else running.set(namespace, pods)
  }
  const byNamespaceAll = [...running].map(([namespace, pods]) => ({ namespace, pods }))
  const byNamespace = byNamespaceAll.filter((n) => !system.has(n.namespace) && n.pods > 0)
    .sort((a, b) => b.pods - a.pods || a.namespace.localeCompare(b.namespace))
  const systemPods = byNamespaceAll.filter((n) => system.has(n.namespace)).reduce((sum, n) => sum + n.pods, 0)
  const podsTotal = byNamespace.reduce((sum, n) => sum + n.pods, 0)

  const requestsDropped = 'the default pod requests (models/defaults.yaml)'
  const cpuRequest = (key: QueryKey, what: string) => scalar(key, 'kube_pod_container_resource_requests', `${what} CPU request of a pod (kube_pod_container_resource_requests)`, BOUNDS.podCpuRequestCores, requestsDropped)
  const memoryRequest = (key: QueryKey, what: string) => scalar(key, 'kube_pod_container_resource_requests', `${what} memory request of a pod (kube_pod_container_resource_requests)`, BOUNDS.podMemoryRequestBytes, requestsDropped)
  const cpuMedian = cpuRequest('podCpuRequestMedian', 'median')
  const cpuMean = cpuRequest('podCpuRequestMean', 'mean')
  const memMedian = memoryRequest('podMemoryRequestMedian', 'median')
  const memMean = memoryRequest('podMemoryRequestMean', 'mean')
  const requests = cpuMedian !== null && cpuMean !== null && memMedian !== null && memMean !== null
    ? { cpuCores: { median: round(cpuMedian), mean: round(cpuMean) }, memoryGiB: { median: round(memMedian / GiB), mean: round(memMean / GiB) } }
    : null

  const { detected, components } = meshComponents(answers, checks)

  // Only the meshes that run; a mesh that runs without its metric is listed in `missing`, its traffic not guessed.
  const meshesRunning = TRAFFIC_SOURCES.filter((t) => detected.includes(t.mesh))
  const unanswered = meshesRunning.filter((t) => answers[t.key].length === 0)
  const measuredTraffic = meshesRunning.flatMap((t) => {
    const value = scalar(t.key, t.family, `sum(rate(${t.metric}))`, BOUNDS.requestsPerSecond, DEFAULT_TRAFFIC)
    return value === null ? [] : [{ ...t, value }]
  })
  // Per proxy: the meshes with a proxy in each pod, over those proxies (Cilium's L7 proxy runs per node).
  const perPod = measuredTraffic.filter((t) => t.proxy !== null)
  const proxies = components.filter((c) => perPod.some((t) => t.mesh === c.mesh && t.proxy === c.component))
    .reduce((sum, c) => sum + c.replicas, 0)
  const perPodRequests = perPod.reduce((sum, t) => sum + t.value, 0)
  const requestsPerSecond = measuredTraffic.reduce((sum, t) => sum + t.value, 0)
  const traffic = measuredTraffic.length === 0
    ? null
    : { requestsPerSecond: round(requestsPerSecond, 3), requestsPerSecondPerProxy: proxies > 0 ? round(perPodRequests / proxies, 3) : null, metric: measuredTraffic.map((t) => t.metric).join(' + ') }

  const cpuCoreHour = scalar('cpuCoreHour', 'node_cpu_hourly_cost', 'avg(node_cpu_hourly_cost)', BOUNDS.unitPrice, LIST_PRICE)
  const memoryGiBHour = scalar('memoryGiBHour', 'node_ram_hourly_cost', 'avg(node_ram_hourly_cost)', BOUNDS.unitPrice, LIST_PRICE)
  // Rounded first: a price that rounds to 0 is no price (POST /estimate takes only prices above 0).
  const unitPrices = cpuCoreHour !== null && memoryGiBHour !== null ? { cpuCoreHour: round(cpuCoreHour, 8), memoryGiBHour: round(memoryGiBHour, 8) } : null
  const prices = unitPrices !== null && unitPrices.cpuCoreHour > 0 && unitPrices.memoryGiBHour > 0 ? { source: 'opencost' as const, currency: 'USD', ...unitPrices } : null

  const types = nodeTypes(nodeFacts(answers, checks), models)
  const capacityEntries = (['cpu', 'memory', 'pods'] as const).flatMap((r) => checks.entry(`kube_node_status_capacity{resource="${r}"}`) ?? [])

  const view: ClusterResponse = {
    window,
    nodes: { total: answers.nodeInfo.length, byType: types.map((t) => t.row) },
    pods: {
      total: podsTotal,
      system: systemPods,
      systemNamespaces: [...SYSTEM_NAMESPACES],
      byNamespace,
      requests
    },
    mesh: { detected, components },
    traffic,
    prices,
    missing: [
      ...missingFamilies(present),
      ...unanswered.map((t) => ({ metric: t.metric, exporter: FAMILIES[t.family], replacedBy: DEFAULT_TRAFFIC })),
      ...checks.missing()
    ],
    queries: {
      'nodes.total': queries.nodeInfo,
      'nodes.byType.instanceType': `${queries.nodeLabels} (label_node_kubernetes_io_instance_type), else ${queries.nodeHourlyCost} (instance_type)`,
      'nodes.byType.region': `${queries.nodeLabels} (label_topology_kubernetes_io_region), else ${queries.nodeHourlyCost} (region)`,
      'nodes.byType.capacityType': `${queries.nodeLabels} (label_karpenter_sh_capacity_type, label_eks_amazonaws_com_capacity_type, label_cloud_google_com_gke_spot, label_cloud_google_com_gke_preemptible, label_kubernetes_azure_com_scalesetpriority)`,
      'nodes.byType.arch': `${queries.nodeLabels} (label_kubernetes_io_arch), else ${queries.nodeHourlyCost} (arch)`,
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
      ...Object.fromEntries(TRAFFIC_SOURCES.map((t) => [`traffic.${t.mesh}`, queries[t.key]])),
      'prices.cpuCoreHour': queries.cpuCoreHour,
      'prices.memoryGiBHour': queries.memoryGiBHour,
      missing: queries.families
    }
  }
  const inScope = (namespaces: readonly string[] | undefined) => (n: string) => namespaces === undefined ? !system.has(n) : namespaces.includes(n)
  return {
    view,
    upstream,
    clusterPods: [...running.values()].reduce((a, b) => a + b, 0),
    podsIn: (namespaces) => namespaces === undefined ? podsTotal : namespaces.reduce((sum, n) => sum + (running.get(n) ?? 0), 0),
    podsDroppedIn: (namespaces) => [...droppedNamespaces].some(inScope(namespaces)) ? checks.entry(runningSeries) : undefined,
    mainCapacityDropped: types[0]?.capacityDropped === true ? capacityEntries : []
  }
}

type TrafficFamily = typeof TRAFFIC_SOURCES[number]['family']

/** What replaces each family when Prometheus lacks it; a mesh's request metric is missing with its mesh (clusterRead). */
const REPLACEMENTS: Record<Exclude<Family, TrafficFamily>, string> = {
  kube_node_info: 'no node count: the estimate sizes the cluster from the workload',
  kube_node_labels: 'instance type and region from OpenCost\'s node_total_hourly_cost labels, else a custom node from capacity',
  kube_node_status_capacity: 'no node capacity: a known node type (GET /node-types) when the instance type is known, else the default node type',
  kube_node_status_allocatable: 'allocatable computed from the node catalog\'s kubelet reservation rule',
  kube_pod_status_phase: 'no running pods: POST /cluster/estimate cannot build a scenario',
  kube_pod_container_info: 'no mesh detected and no component replicas',
  kube_pod_container_resource_requests: 'the default pod requests (models/defaults.yaml)',
  container_cpu_usage_seconds_total: 'no measured CPU of mesh components',
  container_memory_working_set_bytes: 'no measured memory of mesh components',
  node_cpu_hourly_cost: LIST_PRICE,
  node_ram_hourly_cost: LIST_PRICE,
  node_total_hourly_cost: 'the node catalog\'s price for the node type; no price for a custom node'
}

/**
 * The families Prometheus lacks. The meshes' request metrics are not among them: each is missing when its mesh
 * runs and its query answers no series (Kuma's and Consul's share a family name, so the family says too little).
 */
function missingFamilies (present: Set<string | undefined>): Missing[] {
  return (Object.keys(FAMILIES) as Family[])
    .filter((family): family is keyof typeof REPLACEMENTS => family in REPLACEMENTS && !present.has(family))
    .map((family) => ({ metric: family, exporter: FAMILIES[family], replacedBy: REPLACEMENTS[family] }))
}
