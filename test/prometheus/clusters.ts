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
