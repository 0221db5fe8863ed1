// The PromQL meshcost runs, and the metric families it reads: kube-state-metrics v2, cAdvisor (kubelet),
// OpenCost and the meshes' own request metrics. docs/integrations.md lists each with what replaces it.
// Values from a request (namespaces, window) enter a query only through the validators below.
import { KUBERNETES_NAME, WINDOW } from '../promql-inputs.js'

export { KUBERNETES_NAME } from '../promql-inputs.js'
const kubernetesName = new RegExp(KUBERNETES_NAME)

export { DEFAULT_WINDOW, WINDOW } from '../promql-inputs.js'
const window = new RegExp(WINDOW)

/**
 * Namespaces that hold the platform rather than the workload: Kubernetes' own and the meshes' control planes.
 * Their pods are not offered to a mesh, so the default scenario leaves them out.
 */
export const SYSTEM_NAMESPACES = [
  'kube-system', 'kube-public', 'kube-node-lease',
  'istio-system', 'istio-ingress', 'linkerd', 'linkerd-viz', 'linkerd-jaeger', 'cilium', 'consul', 'kuma-system'
] as const

export type Family = keyof typeof FAMILIES
/** Every metric family read, with who exports it. */
export const FAMILIES = {
  kube_node_info: 'kube-state-metrics',
  kube_node_labels: 'kube-state-metrics',
  kube_node_status_capacity: 'kube-state-metrics',
  kube_node_status_allocatable: 'kube-state-metrics',
  kube_pod_status_phase: 'kube-state-metrics',
  kube_pod_container_info: 'kube-state-metrics',
  kube_pod_container_resource_requests: 'kube-state-metrics',
  container_cpu_usage_seconds_total: 'cAdvisor',
  container_memory_working_set_bytes: 'cAdvisor',
  node_cpu_hourly_cost: 'OpenCost',
  node_ram_hourly_cost: 'OpenCost',
  node_total_hourly_cost: 'OpenCost',
  istio_requests_total: 'Istio (Envoy sidecars and gateways, istio-proxy)',
  request_total: 'Linkerd (linkerd-proxy)',
  hubble_http_requests_total: 'Cilium (Hubble metrics, handler httpV2 or http; L7 visibility needed)',
  envoy_http_downstream_rq_total: 'Envoy (Kuma\'s kuma-dp, Consul\'s consul-dataplane)'
} as const

// The Envoy series of Kuma's and Consul's proxies, told apart by their labels (TRAFFIC_SOURCES says which)
const KUMA_TRAFFIC = 'envoy_http_downstream_rq_total{kuma_io_mesh_traffic="true"}'
const CONSUL_TRAFFIC = 'envoy_http_downstream_rq_total{consul_source_service!="", envoy_http_conn_manager_prefix=~"public_listener.*|upstream.*"}'

/**
 * Where each mesh's traffic is read: requests per second through every proxy that handles them, inbound plus
 * outbound, as the estimate's traffic means it. `metric`: the series read, as `traffic.metric` and `missing`
 * name it; `proxy`: the per-pod proxy component the rate is shared by (null: the mesh has none).
 * docs/integrations.md gives the source of each.
 */
export const TRAFFIC_SOURCES = [
  // Each request reported once by the client's proxy (reporter="source") and once by the server's ("destination").
  { mesh: 'istio', family: 'istio_requests_total', metric: 'istio_requests_total', key: 'istioRequestsPerSecond', proxy: 'istio-proxy' },
  // linkerd-proxy counts what it receives (direction="inbound") and what it sends (direction="outbound").
  { mesh: 'linkerd', family: 'request_total', metric: 'request_total', key: 'linkerdRequestsPerSecond', proxy: 'linkerd-proxy' },
  // Hubble counts each HTTP request the L7 proxy sees, reporter="client" at the client pod's egress and
  // reporter="server" at the server pod's ingress (httpV2 on response flows, http on request flows; same name).
  // Cilium's L7 proxy runs per node, not per pod: no per-proxy rate.
  { mesh: 'cilium', family: 'hubble_http_requests_total', metric: 'hubble_http_requests_total', key: 'ciliumRequestsPerSecond', proxy: null },
  // kuma-dp labels the stats of mesh listeners kuma_io_mesh_traffic="true" (not admin, not Prometheus): each
  // sidecar's inbound listeners (localhost_<port>, self_inbound_dp_<port>) and outbound ones.
  { mesh: 'kuma', family: 'envoy_http_downstream_rq_total', metric: KUMA_TRAFFIC, key: 'kumaRequestsPerSecond', proxy: 'kuma-dp' },
  // Consul tags every stat of its Envoy with consul_source_service; public_listener is the inbound listener,
  // upstream the outbound ones (public_listener_http, upstream_<name>_http before Consul 1.9's tags).
  { mesh: 'consul', family: 'envoy_http_downstream_rq_total', metric: CONSUL_TRAFFIC, key: 'consulRequestsPerSecond', proxy: 'consul-dataplane' }
] as const satisfies ReadonlyArray<{ mesh: string, family: Family, metric: string, key: QueryKey, proxy: string | null }>

export type TrafficSource = typeof TRAFFIC_SOURCES[number]

/** Which pods a query covers: the namespaces a request named, or every namespace but the system ones. */
export type NamespaceScope = { include: readonly string[] } | { exclude: readonly string[] }

export const defaultScope: NamespaceScope = { exclude: SYSTEM_NAMESPACES }

/** The label matcher of a scope. Throws on a name that is not a Kubernetes name: nothing else reaches PromQL. */
export function namespaceMatcher (scope: NamespaceScope): string {
  const names = 'include' in scope ? scope.include : scope.exclude
  for (const name of names) {
    if (!kubernetesName.test(name)) throw new Error(`not a Kubernetes namespace name: ${JSON.stringify(name)}`)
  }
  return `namespace${'include' in scope ? '=~' : '!~'}"${names.join('|')}"`
}

function checkedWindow (value: string): string {
  if (!window.test(value)) throw new Error(`not a window such as 1h: ${JSON.stringify(value)}`)
  return value
}

/**
 * Mesh components as cAdvisor and kube-state-metrics label them (namespace, pod, container), keyed by the
 * model's mesh and component ids. `detects`: a running one means the mesh runs (sidecars, node agents,
 * control planes). Container names are the charts' defaults.
 */
export const MESH_COMPONENTS: ReadonlyArray<{ mesh: string, component: string, matchers: string, detects: boolean }> = [
  // Gateways and ztunnel also run an "istio-proxy" container; the sidecar is the one in other pods.
  { mesh: 'istio', component: 'istio-proxy', matchers: 'container="istio-proxy", pod!~"istio-ingressgateway-.*|istio-egressgateway-.*|ztunnel-.*"', detects: true },
  { mesh: 'istio', component: 'istiod', matchers: 'container="discovery", pod=~"istiod-.*"', detects: true },
  { mesh: 'istio', component: 'istio-ingressgateway', matchers: 'container="istio-proxy", pod=~"istio-ingressgateway-.*"', detects: false },
  { mesh: 'istio-ambient', component: 'ztunnel', matchers: 'container="istio-proxy", pod=~"ztunnel-.*"', detects: true },
  { mesh: 'istio-ambient', component: 'istio-cni', matchers: 'container="install-cni", pod=~"istio-cni-node-.*"', detects: false },
  { mesh: 'istio-ambient', component: 'istiod', matchers: 'container="discovery", pod=~"istiod-.*"', detects: false },
  { mesh: 'linkerd', component: 'linkerd-proxy', matchers: 'container="linkerd-proxy", namespace!~"linkerd|linkerd-viz|linkerd-jaeger"', detects: true },
  { mesh: 'linkerd', component: 'linkerd-destination', matchers: 'container=~"destination|sp-validator|policy|linkerd-proxy", pod=~"linkerd-destination-.*"', detects: true },
  { mesh: 'linkerd', component: 'linkerd-identity', matchers: 'container=~"identity|linkerd-proxy", pod=~"linkerd-identity-.*"', detects: true },
  { mesh: 'linkerd', component: 'linkerd-proxy-injector', matchers: 'container=~"proxy-injector|linkerd-proxy", pod=~"linkerd-proxy-injector-.*"', detects: false },
  { mesh: 'cilium', component: 'cilium-agent', matchers: 'container="cilium-agent"', detects: true },
  { mesh: 'cilium', component: 'cilium-envoy', matchers: 'container="cilium-envoy"', detects: true },
  { mesh: 'cilium', component: 'cilium-operator', matchers: 'container="cilium-operator"', detects: false },
  { mesh: 'cilium', component: 'hubble-relay', matchers: 'container="hubble-relay"', detects: false },
  { mesh: 'consul', component: 'consul-dataplane', matchers: 'container="consul-dataplane"', detects: true },
  { mesh: 'consul', component: 'connect-injector', matchers: 'container="sidecar-injector", pod=~".*connect-injector-.*"', detects: false },
  { mesh: 'consul', component: 'consul-server', matchers: 'container="consul", pod=~".*consul-server-[0-9]+"', detects: true },
  { mesh: 'kuma', component: 'kuma-dp', matchers: 'container="kuma-sidecar"', detects: true },
  { mesh: 'kuma', component: 'kuma-control-plane', matchers: 'container="control-plane", pod=~"kuma-control-plane-.*"', detects: true }
]

/**
 * A container's info series. A native sidecar (an init container with restartPolicy: Always: Istio's
 * istio-proxy by default since 1.27, Linkerd's with proxy.nativeSidecar) is listed by kube-state-metrics under
 * kube_pod_init_container_info, not kube_pod_container_info; cAdvisor measures it as any container. A cluster
 * without init containers has no such series: not a missing family, so it is not in FAMILIES.
 */
const containerInfo = (matchers: string): string => `(kube_pod_container_info{${matchers}} or kube_pod_init_container_info{${matchers}})`

/**
 * Sidecar containers, left out of "the application pod's requests" (the estimate adds its own sidecar). Native
 * sidecars' requests are in kube_pod_init_container_resource_requests, which that query does not read.
 */
const SIDECAR_CONTAINERS = 'istio-proxy|istio-init|istio-validation|linkerd-proxy|linkerd-init|linkerd-network-validator|consul-dataplane|consul-connect-inject-init|kuma-sidecar|kuma-init'

const RUNNING = (ns: string) => `(kube_pod_status_phase{phase="Running", ${ns}} == 1)`

/** One series per component, labelled component="mesh/component", so one query answers them all. */
function perComponent (expr: (matchers: string) => string): string {
  return MESH_COMPONENTS
    .map((c) => `label_replace(${expr(c.matchers)}, "component", "${c.mesh}/${c.component}", "", "")`)
    .join(' or ')
}

export type QueryKey = keyof ReturnType<typeof clusterQueries>

/** Every query of one read of the cluster; independent of each other, so they run in parallel. */
export function clusterQueries (scope: NamespaceScope, rangeWindow: string) {
  const w = checkedWindow(rangeWindow)
  const ns = namespaceMatcher(scope)
  const podRequests = (resource: 'cpu' | 'memory') =>
    `sum by (namespace, pod) (kube_pod_container_resource_requests{resource="${resource}", ${ns}, container!~"${SIDECAR_CONTAINERS}"}) and on (namespace, pod) ${RUNNING(ns)}`
  return {
    families: `group by (__name__) ({__name__=~"${Object.keys(FAMILIES).join('|')}"})`,
    nodeInfo: 'kube_node_info',
    nodeLabels: 'kube_node_labels',
    nodeCapacity: 'kube_node_status_capacity{resource=~"cpu|memory|pods"}',
    nodeAllocatable: 'kube_node_status_allocatable{resource=~"cpu|memory|pods"}',
    runningPodsByNamespace: 'sum by (namespace) (kube_pod_status_phase{phase="Running"} == 1)',
    podCpuRequestMedian: `quantile(0.5, ${podRequests('cpu')})`,
    podCpuRequestMean: `avg(${podRequests('cpu')})`,
    podMemoryRequestMedian: `quantile(0.5, ${podRequests('memory')})`,
    podMemoryRequestMean: `avg(${podRequests('memory')})`,
    meshReplicas: perComponent((m) => `count(count by (namespace, pod) ${containerInfo(m)} and on (namespace, pod) ${RUNNING('namespace!=""')})`),
    meshCpuCores: perComponent((m) => `sum(rate(container_cpu_usage_seconds_total{${m}}[${w}]))`),
    meshMemoryBytes: perComponent((m) => `sum(avg_over_time(container_memory_working_set_bytes{${m}}[${w}]))`),
    // Each proxy counts what it handles (TRAFFIC_SOURCES): the sum is requests through all proxies, inbound
    // plus outbound, as the estimate's traffic means it.
    istioRequestsPerSecond: `sum(rate(istio_requests_total[${w}]))`,
    linkerdRequestsPerSecond: `sum(rate(request_total{direction=~"inbound|outbound"}[${w}]))`,
    ciliumRequestsPerSecond: `sum(rate(hubble_http_requests_total[${w}]))`,
    kumaRequestsPerSecond: `sum(rate(${KUMA_TRAFFIC}[${w}]))`,
    consulRequestsPerSecond: `sum(rate(${CONSUL_TRAFFIC}[${w}]))`,
    cpuCoreHour: 'avg(node_cpu_hourly_cost)',
    memoryGiBHour: 'avg(node_ram_hourly_cost)',
    nodeHourlyCost: 'node_total_hourly_cost'
  }
}
