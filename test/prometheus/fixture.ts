// A fictional cluster as exporters publish it: kube-state-metrics v2, cAdvisor, OpenCost and the meshes'
// request metrics, in Prometheus exposition text. Counters grow at fixed rates from the exporter's start,
// so rate() over them gives those rates back. Real Prometheus scrapes it (see harness.ts).
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

const MiB = 1024 ** 2
const GiB = 1024 ** 3

export interface FixtureContainer {
  name: string
  /** a native sidecar: an init container with restartPolicy: Always (kube_pod_init_container_* in kube-state-metrics) */
  native?: boolean
  cpuRequestCores?: number
  memoryRequestBytes?: number
  /** cAdvisor: CPU used, cores (the counter grows by this many seconds per second) */
  cpuUsageCores: number
  memoryWorkingSetBytes: number
}

export interface FixturePod {
  namespace: string
  name: string
  phase: 'Running' | 'Pending'
  node: string
  containers: FixtureContainer[]
  /** requests per second this pod's proxy handles, inbound and outbound */
  proxyInboundPerSecond?: number
  proxyOutboundPerSecond?: number
  /** the mesh whose request metrics count this pod's requests; default: the cluster's */
  mesh?: TrafficMesh
}

/** Meshes whose request counters the fixture exports, each in its own metrics' form. */
export type TrafficMesh = 'istio' | 'linkerd' | 'cilium' | 'kuma' | 'consul'

export interface FixtureNode {
  name: string
  providerId: string
  /** node.kubernetes.io/instance-type and topology.kubernetes.io/region; absent when kube-state-metrics does not allowlist labels */
  instanceType?: string
  region?: string
  /** more node labels as kube-state-metrics names them (label_karpenter_sh_capacity_type, label_kubernetes_io_arch, ...) */
  labels?: Record<string, string>
  capacity: { cpuCores: number, memoryBytes: number, pods: number }
  allocatable: { cpuCores: number, memoryBytes: number, pods: number }
  /** OpenCost: per core-hour and per GiB-hour; absent when the cluster runs no OpenCost */
  opencost?: { cpuCoreHour: number, ramGiBHour: number }
}

export interface FixtureCluster {
  nodes: FixtureNode[]
  pods: FixturePod[]
  mesh: 'none' | TrafficMesh
  /** meshes that run but whose request metrics Prometheus does not scrape (Hubble's http handler off, say) */
  unscraped?: TrafficMesh[]
}

export const bytes = { MiB, GiB }

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const

const labels = (l: Record<string, string | number>): string =>
  `{${Object.entries(l).map(([k, v]) => `${k}="${String(v)}"`).join(',')}}`

/** A value as the exposition format writes it: NaN, +Inf and -Inf as Prometheus spells them (tests set them on purpose). */
const sample = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v))

/**
 * The exposition text at `elapsedSeconds` after the exporter started. With `timestampMs`, every sample carries
 * it: Prometheus then stores the time the value was computed rather than the time the scrape began, so a slow
 * answer on a busy machine does not skew rate().
 */
export function exposition (cluster: FixtureCluster, elapsedSeconds: number, timestampMs?: number): string {
  const out: string[] = []
  const at = timestampMs === undefined ? '' : ` ${timestampMs}`
  const family = (name: string, type: 'gauge' | 'counter', help: string, samples: Array<[Record<string, string | number>, number]>) => {
    if (samples.length === 0) return
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [l, v] of samples) out.push(`${name}${labels(l)} ${sample(v)}${at}`)
  }

  // kube-state-metrics v2
  family('kube_node_info', 'gauge', 'Information about a cluster node.', cluster.nodes.map((n) => [
    { node: n.name, provider_id: n.providerId, kernel_version: '6.1.0', kubelet_version: 'v1.31.2', container_runtime_version: 'containerd://1.7.22', os_image: 'Fixture Linux', internal_ip: '10.0.0.1', system_uuid: n.name }, 1]))
  family('kube_node_labels', 'gauge', 'Kubernetes labels converted to Prometheus labels.', cluster.nodes.filter((n) => n.instanceType !== undefined).map((n) => [
    { node: n.name, label_node_kubernetes_io_instance_type: n.instanceType ?? '', label_topology_kubernetes_io_region: n.region ?? '', ...n.labels }, 1]))
  for (const [name, field] of [['kube_node_status_capacity', 'capacity'], ['kube_node_status_allocatable', 'allocatable']] as const) {
    family(name, 'gauge', `The ${field} for different resources of a node.`, cluster.nodes.flatMap((n) => [
      [{ node: n.name, resource: 'cpu', unit: 'core' }, n[field].cpuCores],
      [{ node: n.name, resource: 'memory', unit: 'byte' }, n[field].memoryBytes],
      [{ node: n.name, resource: 'pods', unit: 'integer' }, n[field].pods],
      [{ node: n.name, resource: 'ephemeral_storage', unit: 'byte' }, 100 * GiB]
    ] as Array<[Record<string, string>, number]>))
  }
  family('kube_pod_status_phase', 'gauge', 'The pods current phase.', cluster.pods.flatMap((p) =>
    PHASES.map((phase) => [{ namespace: p.namespace, pod: p.name, uid: `uid-${p.name}`, phase }, phase === p.phase ? 1 : 0] as [Record<string, string>, number])))
  // Regular containers, then native sidecars (init containers with restartPolicy: Always, kube-state-metrics >= 2.10).
  for (const [prefix, native, extra] of [['kube_pod_container', false, {}], ['kube_pod_init_container', true, { restart_policy: 'Always' }]] as const) {
    const containers = (p: FixturePod) => p.containers.filter((c) => (c.native === true) === native)
    family(`${prefix}_info`, 'gauge', 'Information about a container in a pod.', cluster.pods.flatMap((p) => containers(p).map((c) =>
      [{ namespace: p.namespace, pod: p.name, uid: `uid-${p.name}`, container: c.name, image_spec: `example/${c.name}:1`, image: `example/${c.name}:1`, container_id: `containerd://${p.name}-${c.name}`, ...extra }, 1] as [Record<string, string>, number])))
    family(`${prefix}_resource_requests`, 'gauge', 'The number of requested request resource by a container.', cluster.pods.flatMap((p) => containers(p).flatMap((c) => [
      ...(c.cpuRequestCores === undefined ? [] : [[{ namespace: p.namespace, pod: p.name, uid: `uid-${p.name}`, container: c.name, node: p.node, resource: 'cpu', unit: 'core' }, c.cpuRequestCores]]),
      ...(c.memoryRequestBytes === undefined ? [] : [[{ namespace: p.namespace, pod: p.name, uid: `uid-${p.name}`, container: c.name, node: p.node, resource: 'memory', unit: 'byte' }, c.memoryRequestBytes]])
    ] as Array<[Record<string, string>, number]>)))
  }

  // cAdvisor (kubelet /metrics/cadvisor): one series per container plus the pod's own cgroup (container="").
  const running = cluster.pods.filter((p) => p.phase === 'Running')
  family('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.', running.flatMap((p) => [
    ...p.containers.map((c) => [{ namespace: p.namespace, pod: p.name, container: c.name, id: `/kubepods/${p.name}/${c.name}`, image: `example/${c.name}:1` }, c.cpuUsageCores * elapsedSeconds] as [Record<string, string>, number]),
    [{ namespace: p.namespace, pod: p.name, container: '', id: `/kubepods/${p.name}`, image: '' }, p.containers.reduce((s, c) => s + c.cpuUsageCores, 0) * elapsedSeconds] as [Record<string, string>, number]
  ]))
  family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.', running.flatMap((p) => [
    ...p.containers.map((c) => [{ namespace: p.namespace, pod: p.name, container: c.name, id: `/kubepods/${p.name}/${c.name}`, image: `example/${c.name}:1` }, c.memoryWorkingSetBytes] as [Record<string, string>, number]),
    [{ namespace: p.namespace, pod: p.name, container: '', id: `/kubepods/${p.name}`, image: '' }, p.containers.reduce((s, c) => s + c.memoryWorkingSetBytes, 0)] as [Record<string, string>, number]
  ]))

  // OpenCost
  const priced = cluster.nodes.filter((n) => n.opencost !== undefined)
  const costLabels = (n: FixtureNode) => ({ instance: n.name, node: n.name, instance_type: n.instanceType ?? '', region: n.region ?? '', provider_id: n.providerId, arch: 'amd64' })
  family('node_cpu_hourly_cost', 'gauge', 'node_cpu_hourly_cost hourly cost for each cpu on this node', priced.map((n) => [costLabels(n), n.opencost?.cpuCoreHour ?? 0]))
  family('node_ram_hourly_cost', 'gauge', 'node_ram_hourly_cost hourly cost for each gb of ram on this node', priced.map((n) => [costLabels(n), n.opencost?.ramGiBHour ?? 0]))
  family('node_total_hourly_cost', 'gauge', 'node_total_hourly_cost Total node cost per hour', priced.map((n) => [costLabels(n),
    (n.opencost?.cpuCoreHour ?? 0) * n.capacity.cpuCores + (n.opencost?.ramGiBHour ?? 0) * n.capacity.memoryBytes / GiB]))

  // The meshes' request counters, one set per proxy, in each mesh's own form.
  const proxied = (mesh: TrafficMesh) => running.filter((p) => p.proxyInboundPerSecond !== undefined && (p.mesh ?? cluster.mesh) === mesh && cluster.unscraped?.includes(mesh) !== true)
  const counters = (mesh: TrafficMesh, series: (p: FixturePod, inbound: number, outbound: number) => Array<[Record<string, string>, number]>) =>
    proxied(mesh).flatMap((p) => series(p, (p.proxyInboundPerSecond ?? 0) * elapsedSeconds, (p.proxyOutboundPerSecond ?? 0) * elapsedSeconds))
  const workload = (p: FixturePod) => p.name.replace(/-[a-z0-9]+-[a-z0-9]+$/, '')
  family('istio_requests_total', 'counter', 'Total requests.', counters('istio', (p, inbound, outbound) => [
    [{ namespace: p.namespace, pod: p.name, reporter: 'destination', destination_workload: workload(p), response_code: '200', connection_security_policy: 'mutual_tls' }, inbound],
    [{ namespace: p.namespace, pod: p.name, reporter: 'source', source_workload: workload(p), response_code: '200', connection_security_policy: 'mutual_tls' }, outbound]
  ]))
  family('request_total', 'counter', 'Total count of HTTP requests.', counters('linkerd', (p, inbound, outbound) => [
    [{ namespace: p.namespace, pod: p.name, direction: 'inbound', tls: 'true', authority: `${p.namespace}.svc:8080` }, inbound],
    [{ namespace: p.namespace, pod: p.name, direction: 'outbound', tls: 'true', authority: `${p.namespace}.svc:8080` }, outbound]
  ]))
  // Hubble (httpV2 with sourceContext=pod, destinationContext=pod), served by the cilium-agent of the pod's node:
  // a request seen at the server's ingress (reporter="server") and at the client's egress (reporter="client").
  // Its flow metric counts each L7 flow, a request's and its response's: twice the requests, and not read.
  const hubble = (p: FixturePod) => ({ namespace: 'kube-system', pod: `cilium-${p.node}`, method: 'GET', protocol: 'HTTP/1.1', status: '200' })
  family('hubble_http_requests_total', 'counter', 'Count of HTTP requests', counters('cilium', (p, inbound, outbound) => [
    [{ ...hubble(p), reporter: 'server', source: `${p.namespace}/client`, destination: `${p.namespace}/${p.name}` }, inbound],
    [{ ...hubble(p), reporter: 'client', source: `${p.namespace}/${p.name}`, destination: `${p.namespace}/server` }, outbound]
  ]))
  family('hubble_flows_processed_total', 'counter', 'Total number of flows processed', [
    ...(cluster.mesh === 'cilium' || running.some((p) => p.mesh === 'cilium') ? [[{ namespace: 'kube-system', pod: 'cilium-flows', protocol: 'TCP', type: 'Trace', subtype: 'to-endpoint', verdict: 'FORWARDED' }, 500 * elapsedSeconds]] as Array<[Record<string, string>, number]> : []),
    ...counters('cilium', (p, inbound, outbound) => [
      [{ namespace: 'kube-system', pod: `cilium-${p.node}`, protocol: 'HTTP', type: 'L7', subtype: 'HTTP', verdict: 'FORWARDED', source: `${p.namespace}/${p.name}` }, 2 * (inbound + outbound)]
    ])
  ])
  // Envoy's HTTP connection manager stats, per listener prefix. Kuma's kuma-dp labels mesh listeners
  // kuma_io_mesh_traffic="true" (inbound localhost_<port>, outbound per service), not its admin listener.
  // Consul tags every stat with consul_source_service; its inbound listener is public_listener, its outbound
  // ones upstream, and envoy_prometheus_metrics serves the scrapes. The admin and scrape listeners' 5 rps (high,
  // so that counting them would show) are not traffic.
  const kuma = (p: FixturePod) => ({ namespace: p.namespace, pod: p.name, mesh: 'default', dataplane: `${p.name}.${p.namespace}`, kuma_io_service: `${workload(p)}_${p.namespace}_svc_8080` })
  const consul = (p: FixturePod) => ({ namespace: p.namespace, pod: p.name, local_cluster: workload(p), consul_source_service: workload(p), consul_source_namespace: 'default', consul_source_partition: 'default', consul_source_datacenter: 'dc1' })
  family('envoy_http_downstream_rq_total', 'counter', 'Total requests', [
    ...counters('kuma', (p, inbound, outbound) => [
      [{ ...kuma(p), envoy_http_conn_manager_prefix: 'localhost_8080', kuma_io_mesh_traffic: 'true' }, inbound],
      [{ ...kuma(p), envoy_http_conn_manager_prefix: `backend_${p.namespace}_svc_8080`, kuma_io_mesh_traffic: 'true' }, outbound],
      [{ ...kuma(p), envoy_http_conn_manager_prefix: 'kuma_envoy_admin' }, 5 * elapsedSeconds]
    ]),
    ...counters('consul', (p, inbound, outbound) => [
      [{ ...consul(p), envoy_http_conn_manager_prefix: 'public_listener' }, inbound],
      [{ ...consul(p), envoy_http_conn_manager_prefix: 'upstream', consul_upstream_service: 'backend', consul_upstream_namespace: 'default', consul_upstream_datacenter: 'dc1' }, outbound],
      [{ ...consul(p), envoy_http_conn_manager_prefix: 'envoy_prometheus_metrics' }, 5 * elapsedSeconds]
    ])
  ])
  return out.join('\n') + '\n'
}

/**
 * Serves the cluster's exposition text at /metrics on a loopback ephemeral port. `started` (ms since the epoch,
 * default now) is when the counters were zero: a history written before the server starts continues into its answers.
 */
export async function serveFixture (cluster: FixtureCluster, started = Date.now()): Promise<{ server: Server, target: string }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') { res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
    const now = Date.now()
    res.end(exposition(cluster, (now - started) / 1000, now))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  server.unref() // the test's teardown closes it; it must not keep the test process alive until then
  return { server, target: `127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** An application pod with its sidecar (when the mesh injects one). */
export function appPod (namespace: string, name: string, node: string, app: { cpu: number, memoryBytes: number, cpuUsed: number, memoryUsed: number }, sidecar?: { name: string, cpuUsed: number, memoryUsed: number, inbound: number, outbound: number, native?: boolean }, phase: 'Running' | 'Pending' = 'Running'): FixturePod {
  return {
    namespace,
    name,
    phase,
    node,
    containers: [
      { name: 'app', cpuRequestCores: app.cpu, memoryRequestBytes: app.memoryBytes, cpuUsageCores: app.cpuUsed, memoryWorkingSetBytes: app.memoryUsed },
      // the sidecar's own requests (the charts' defaults) must not count as the application's
      ...(sidecar === undefined ? [] : [{ name: sidecar.name, cpuRequestCores: 0.1, memoryRequestBytes: 128 * MiB, cpuUsageCores: sidecar.cpuUsed, memoryWorkingSetBytes: sidecar.memoryUsed, native: sidecar.native }])
    ],
    ...(sidecar === undefined ? {} : { proxyInboundPerSecond: sidecar.inbound, proxyOutboundPerSecond: sidecar.outbound })
  }
}

/** A platform pod (system namespaces): one container, or several for a control plane. */
export function platformPod (namespace: string, name: string, node: string, containers: Array<{ name: string, cpuUsed: number, memoryUsed: number }>): FixturePod {
  return {
    namespace,
    name,
    phase: 'Running',
    node,
    containers: containers.map((c) => ({ name: c.name, cpuRequestCores: 0.1, memoryRequestBytes: 128 * MiB, cpuUsageCores: c.cpuUsed, memoryWorkingSetBytes: c.memoryUsed }))
  }
}
