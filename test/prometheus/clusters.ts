// The fictional clusters of the tests, with round figures so that every expected value is worked out by hand
// in the test that reads it.
import { appPod, bytes, platformPod, type FixtureCluster, type FixtureNode, type FixturePod } from './fixture.js'

const { MiB, GiB } = bytes

function range<T> (n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i))
}

/**
 * EKS in us-east-1 with Istio sidecars and OpenCost:
 * two pools: 3 m5.xlarge On-Demand (an EKS managed node group) + 1 m5.large Spot (Karpenter), all amd64; shop 6 running pods (+1 pending) at 0.25 core / 512 MiB, payments 4 at 0.5 core / 1 GiB,
 * each with an istio-proxy using 0.02 core / 64 MiB and handling 10 rps in, 5 rps out (shop's injected as classic
 * sidecars, payments' as native sidecars, init containers with restartPolicy: Always, Istio's default since 1.27:
 * a cluster part-way through an upgrade); istiod 0.05 core / 256 MiB;
 * 2 ingress gateways at 0.01 core / 96 MiB; kube-system 5 pods. OpenCost: 0.024 per core-hour, 0.003 per GiB-hour.
 */
export function istioCluster (): FixtureCluster {
  const opencost = { cpuCoreHour: 0.024, ramGiBHour: 0.003 }
  const nodes: FixtureNode[] = [
    ...range(3, (i) => ({
      name: `ip-10-0-1-${i + 1}.ec2.internal`,
      providerId: `aws:///us-east-1a/i-00000000000000${i + 1}`,
      instanceType: 'm5.xlarge',
      region: 'us-east-1',
      labels: { label_eks_amazonaws_com_capacity_type: 'ON_DEMAND', label_kubernetes_io_arch: 'amd64' },
      capacity: { cpuCores: 4, memoryBytes: 16 * GiB, pods: 58 },
      allocatable: { cpuCores: 3.92, memoryBytes: 14.5 * GiB, pods: 58 },
      opencost
    })),
    {
      name: 'ip-10-0-2-1.ec2.internal',
      providerId: 'aws:///us-east-1b/i-000000000000009',
      instanceType: 'm5.large',
      region: 'us-east-1',
      labels: { label_karpenter_sh_capacity_type: 'spot', label_kubernetes_io_arch: 'amd64' },
      capacity: { cpuCores: 2, memoryBytes: 8 * GiB, pods: 29 },
      allocatable: { cpuCores: 1.93, memoryBytes: 6.5 * GiB, pods: 29 },
      opencost
    }
  ]
  const node = 'ip-10-0-1-1.ec2.internal'
  const sidecar = { name: 'istio-proxy', cpuUsed: 0.02, memoryUsed: 64 * MiB, inbound: 10, outbound: 5 }
  const pods: FixturePod[] = [
    ...range(6, (i) => appPod('shop', `web-7f9c8d6b5-s${i}x0q`, node, { cpu: 0.25, memoryBytes: 512 * MiB, cpuUsed: 0.1, memoryUsed: 300 * MiB }, sidecar)),
    appPod('shop', 'web-7f9c8d6b5-pend0', node, { cpu: 0.25, memoryBytes: 512 * MiB, cpuUsed: 0, memoryUsed: 0 }, sidecar, 'Pending'),
    ...range(4, (i) => appPod('payments', `api-5d6f7c8b9-p${i}y1w`, node, { cpu: 0.5, memoryBytes: GiB, cpuUsed: 0.2, memoryUsed: 700 * MiB }, { ...sidecar, native: true })),
    ...range(2, (i) => platformPod('kube-system', `coredns-6d4b75cb6d-c${i}dns`, node, [{ name: 'coredns', cpuUsed: 0.005, memoryUsed: 20 * MiB }])),
    ...range(3, (i) => platformPod('kube-system', `kube-proxy-k${i}prx`, node, [{ name: 'kube-proxy', cpuUsed: 0.002, memoryUsed: 15 * MiB }])),
    platformPod('istio-system', 'istiod-5d7c9b8f6-x1y2z', node, [{ name: 'discovery', cpuUsed: 0.05, memoryUsed: 256 * MiB }]),
    ...range(2, (i) => platformPod('istio-system', `istio-ingressgateway-6b8d7c9f5-g${i}tw0`, node, [{ name: 'istio-proxy', cpuUsed: 0.01, memoryUsed: 96 * MiB }]))
  ]
  return { nodes, pods, mesh: 'istio' }
}

/**
 * GKE in us-central1 with Linkerd and OpenCost: 2 n2-standard-4; api 8 pods at 1 core / 2 GiB with a
 * linkerd-proxy using 0.01 core / 20 MiB and handling 20 rps in, 20 rps out; the linkerd control plane (destination,
 * identity, proxy-injector, each with its own linkerd-proxy); kube-system 2 pods. OpenCost: 0.0316 / 0.0042.
 */
export function linkerdCluster (): FixtureCluster {
  const opencost = { cpuCoreHour: 0.0316, ramGiBHour: 0.0042 }
  const nodes: FixtureNode[] = range(2, (i) => ({
    name: `gke-prod-pool-1-abcd-${i}`,
    providerId: `gce://example-project/us-central1-a/gke-prod-pool-1-abcd-${i}`,
    instanceType: 'n2-standard-4',
    region: 'us-central1',
    capacity: { cpuCores: 4, memoryBytes: 16 * GiB, pods: 110 },
    allocatable: { cpuCores: 3.92, memoryBytes: 13 * GiB, pods: 110 },
    opencost
  }))
  const node = 'gke-prod-pool-1-abcd-0'
  const sidecar = { name: 'linkerd-proxy', cpuUsed: 0.01, memoryUsed: 20 * MiB, inbound: 20, outbound: 20 }
  const proxy = { name: 'linkerd-proxy', cpuUsed: 0.005, memoryUsed: 10 * MiB }
  const pods: FixturePod[] = [
    ...range(8, (i) => appPod('api', `orders-7c9d8b6f5-o${i}rd8`, node, { cpu: 1, memoryBytes: 2 * GiB, cpuUsed: 0.3, memoryUsed: GiB }, sidecar)),
    ...range(2, (i) => platformPod('kube-system', `coredns-6d4b75cb6d-c${i}dns`, node, [{ name: 'coredns', cpuUsed: 0.005, memoryUsed: 20 * MiB }])),
    platformPod('linkerd', 'linkerd-destination-6b8f9d7c5-d1st0', node, [
      { name: 'destination', cpuUsed: 0.01, memoryUsed: 40 * MiB }, { name: 'sp-validator', cpuUsed: 0.001, memoryUsed: 10 * MiB },
      { name: 'policy', cpuUsed: 0.002, memoryUsed: 14 * MiB }, proxy]),
    platformPod('linkerd', 'linkerd-identity-5f6d7c8b9-id3nt', node, [{ name: 'identity', cpuUsed: 0.001, memoryUsed: 16 * MiB }, proxy]),
    platformPod('linkerd', 'linkerd-proxy-injector-7d8c9b6f5-inj3c', node, [{ name: 'proxy-injector', cpuUsed: 0.001, memoryUsed: 22 * MiB }, proxy])
  ]
  return { nodes, pods, mesh: 'linkerd' }
}

/**
 * On-premises, no mesh, no OpenCost, and kube-state-metrics without a label allowlist (no instance types):
 * 5 nodes of 16 cores / 64 GiB / 110 pods; team-a 12 pods at 0.5 core / 1 GiB, team-b 3 pods that set no
 * requests; kube-system 4 pods.
 */
export function plainCluster (): FixtureCluster {
  const nodes: FixtureNode[] = range(5, (i) => ({
    name: `worker-${i}`,
    providerId: `metal://rack-1/worker-${i}`,
    capacity: { cpuCores: 16, memoryBytes: 64 * GiB, pods: 110 },
    allocatable: { cpuCores: 15.5, memoryBytes: 60 * GiB, pods: 110 }
  }))
  const node = 'worker-0'
  const pods: FixturePod[] = [
    ...range(12, (i) => appPod('team-a', `svc-6f7d8c9b5-a${i}aaa`, node, { cpu: 0.5, memoryBytes: GiB, cpuUsed: 0.1, memoryUsed: 500 * MiB })),
    ...range(3, (i) => ({ namespace: 'team-b', name: `batch-${i}`, phase: 'Running' as const, node, containers: [{ name: 'job', cpuUsageCores: 0.05, memoryWorkingSetBytes: 50 * MiB }] })),
    ...range(4, (i) => platformPod('kube-system', `kube-proxy-k${i}prx`, node, [{ name: 'kube-proxy', cpuUsed: 0.002, memoryUsed: 15 * MiB }]))
  ]
  return { nodes, pods, mesh: 'none' }
}

/** Nodes of the traffic clusters below: 3 m5.2xlarge in eu-west-1 priced by OpenCost, so that nothing but traffic is missing. */
function trafficNodes (prefix: string): FixtureNode[] {
  return range(3, (i) => ({
    name: `${prefix}-${i}`,
    providerId: `aws:///eu-west-1a/i-0000000000000${i}${prefix.length}`,
    instanceType: 'm5.2xlarge',
    region: 'eu-west-1',
    labels: { label_kubernetes_io_arch: 'amd64' },
    capacity: { cpuCores: 8, memoryBytes: 32 * GiB, pods: 58 },
    allocatable: { cpuCores: 7.91, memoryBytes: 29 * GiB, pods: 58 },
    opencost: { cpuCoreHour: 0.024, ramGiBHour: 0.003 }
  }))
}

/** Cilium's agent and its Envoy on each node (kube-system). */
const ciliumNodePods = (nodes: FixtureNode[]): FixturePod[] => nodes.flatMap((n, i) => [
  platformPod('kube-system', `cilium-c${i}lm`, n.name, [{ name: 'cilium-agent', cpuUsed: 0.05, memoryUsed: 200 * MiB }]),
  platformPod('kube-system', `cilium-envoy-e${i}nv`, n.name, [{ name: 'cilium-envoy', cpuUsed: 0.02, memoryUsed: 60 * MiB }])
])

/**
 * Cilium with Hubble's httpV2 metrics and L7 visibility: web 4 pods at 0.5 core / 1 GiB, no sidecar, each
 * serving 25 rps (Hubble's reporter="server") and sending 10 (reporter="client"); the agent and cilium-envoy on
 * each of the 3 nodes. Hubble's flow metric counts each request's and response's L7 flow, and L3/L4 traces.
 */
export function ciliumCluster (): FixtureCluster {
  const nodes = trafficNodes('cilium-node')
  const node = nodes[0]?.name ?? ''
  const pods: FixturePod[] = [
    ...range(4, (i) => ({ ...appPod('web', `web-6c8d9f7b5-w${i}eb0`, node, { cpu: 0.5, memoryBytes: GiB, cpuUsed: 0.2, memoryUsed: 600 * MiB }), proxyInboundPerSecond: 25, proxyOutboundPerSecond: 10 })),
    ...ciliumNodePods(nodes)
  ]
  return { nodes, pods, mesh: 'cilium' }
}

/**
 * Kuma: demo 6 pods at 0.25 core / 512 MiB, each with a kuma-sidecar (kuma-dp) handling 12 rps in (listener
 * localhost_8080) and 8 out, and answering Prometheus and probes on its admin listener (5 rps, not traffic);
 * kuma-control-plane in kuma-system.
 */
export function kumaCluster (): FixtureCluster {
  const nodes = trafficNodes('kuma-node')
  const node = nodes[0]?.name ?? ''
  const sidecar = { name: 'kuma-sidecar', cpuUsed: 0.015, memoryUsed: 48 * MiB, inbound: 12, outbound: 8 }
  const pods: FixturePod[] = [
    ...range(6, (i) => appPod('demo', `demo-app-5f7d8c9b6-d${i}mo0`, node, { cpu: 0.25, memoryBytes: 512 * MiB, cpuUsed: 0.1, memoryUsed: 256 * MiB }, sidecar)),
    platformPod('kuma-system', 'kuma-control-plane-7b9c8d6f5-k1cp0', node, [{ name: 'control-plane', cpuUsed: 0.03, memoryUsed: 180 * MiB }])
  ]
  return { nodes, pods, mesh: 'kuma' }
}

/**
 * Consul on Kubernetes: shop 5 pods at 0.5 core / 1 GiB, each with a consul-dataplane whose Envoy handles 9 rps
 * in (public_listener) and 6 out (upstream), and Prometheus' scrapes (5 rps on envoy_prometheus_metrics, not
 * traffic); consul-server and the connect injector in consul.
 */
export function consulCluster (): FixtureCluster {
  const nodes = trafficNodes('consul-node')
  const node = nodes[0]?.name ?? ''
  const sidecar = { name: 'consul-dataplane', cpuUsed: 0.02, memoryUsed: 56 * MiB, inbound: 9, outbound: 6 }
  const pods: FixturePod[] = [
    ...range(5, (i) => appPod('shop', `frontend-7d9f8c6b5-f${i}nt0`, node, { cpu: 0.5, memoryBytes: GiB, cpuUsed: 0.2, memoryUsed: 500 * MiB }, sidecar)),
    platformPod('consul', 'consul-server-0', node, [{ name: 'consul', cpuUsed: 0.04, memoryUsed: 200 * MiB }]),
    platformPod('consul', 'consul-connect-injector-6b8d7c9f5-inj0c', node, [{ name: 'sidecar-injector', cpuUsed: 0.01, memoryUsed: 50 * MiB }])
  ]
  return { nodes, pods, mesh: 'consul' }
}

/**
 * Three meshes, two without their request metrics: Cilium as the CNI, Hubble exporting its flow metric but not
 * httpV2; Kuma in demo (3 pods, 12 rps in and 8 out each) with its metrics; Consul in shop (2 pods, 9 in and 6 out
 * each) whose Envoy metrics Prometheus does not scrape. Kuma's and Consul's Envoy metrics share a family name.
 */
export function unscrapedCluster (): FixtureCluster {
  const nodes = trafficNodes('mixed-node')
  const node = nodes[0]?.name ?? ''
  const app = { cpu: 0.25, memoryBytes: 512 * MiB, cpuUsed: 0.1, memoryUsed: 256 * MiB }
  const pods: FixturePod[] = [
    ...range(3, (i) => ({ ...appPod('demo', `demo-app-5f7d8c9b6-d${i}mo0`, node, app, { name: 'kuma-sidecar', cpuUsed: 0.015, memoryUsed: 48 * MiB, inbound: 12, outbound: 8 }), mesh: 'kuma' as const })),
    platformPod('kuma-system', 'kuma-control-plane-7b9c8d6f5-k1cp0', node, [{ name: 'control-plane', cpuUsed: 0.03, memoryUsed: 180 * MiB }]),
    ...range(2, (i) => ({ ...appPod('shop', `frontend-7d9f8c6b5-f${i}nt0`, node, app, { name: 'consul-dataplane', cpuUsed: 0.02, memoryUsed: 56 * MiB, inbound: 9, outbound: 6 }), mesh: 'consul' as const })),
    platformPod('consul', 'consul-server-0', node, [{ name: 'consul', cpuUsed: 0.04, memoryUsed: 200 * MiB }]),
    ...ciliumNodePods(nodes)
  ]
  return { nodes, pods, mesh: 'cilium', unscraped: ['consul'] }
}
