// Oracles on the shipped models: every expected figure below is worked out by hand from the providers' and the
// meshes' own documents (as cited in models/), in the comments, never computed by project code. Golden files
// guard the same answers against regressions; these say whether the numbers are right.
import t, { type Test } from 'tap'
import { estimate } from '../../src/engine/answer.js'
import type { EstimateRequest, MeshEstimate } from '../../src/schemas/estimate.js'
import { near, shippedModels } from '../helpers.js'

const models = shippedModels()
const run = (request: EstimateRequest) => estimate(request, models)
const mesh = (estimates: MeshEstimate[], id: string): MeshEstimate => {
  const e = estimates.find((x) => x.mesh === id)
  if (e === undefined) throw new Error(`${id} missing`)
  return e
}
const close = (t: Test, actual: number | undefined, expected: number, what: string, tolerance = 1e-6): void => {
  t.ok(actual !== undefined && near(actual, expected, tolerance), `${what}: ${actual} = ${expected}`)
}

t.test('allocatable, one node per provider rule', async (t) => {
  // GKE (gcp/n2-standard-4, 4 vCPU, 16 GiB): CPU reserve 6% of core 1 + 1% of core 2 + 0.5% of cores 3-4
  //   = 0.06 + 0.01 + 0.01 = 0.08 -> 3.92 cores. Memory: the kubelet sees 0.970 x 16 = 15.52 GiB; reserve 25% of
  //   the first 4 GiB + 20% of the next 4 + 10% of the next 8 = 1 + 0.8 + 0.8 = 2.6 GiB, eviction 100 MiB
  //   -> 15.52 - 2.6 - 0.097656 = 12.822344 GiB.
  const gke = run({ pods: 1, meshes: ['linkerd'], cluster: { nodeType: 'gcp/n2-standard-4' } }).estimates[0]?.capacity
  close(t, gke?.allocatablePerNode.cpuCores, 3.92, 'GKE cpu')
  close(t, gke?.allocatablePerNode.memoryGiB, 12.822344, 'GKE memory')

  // EKS (aws/m5.large, 2 vCPU, 8 GiB, 29 pods with the VPC CNI): CPU 6% + 1% = 0.07 -> 1.93 cores. Memory: the
  //   kubelet sees 0.9326 x 8 = 7.4608 GiB; kube-reserved 255 MiB + 11 MiB x 29 pods = 574 MiB, eviction 100 MiB:
  //   7.4608 - 674 / 1024 = 6.802597 GiB (EKS nodes of this type report 6.803).
  const eks = run({ pods: 1, meshes: ['linkerd'], cluster: { nodeType: 'aws/m5.large' } }).estimates[0]?.capacity
  t.equal(eks?.maxPodsPerNode, 29)
  close(t, eks?.allocatablePerNode.cpuCores, 1.93, 'EKS cpu')
  close(t, eks?.allocatablePerNode.memoryGiB, 6.802597, 'EKS memory')

  // AKS (azure/Standard_D4s_v5, 4 vCPU, 16 GiB, 250 pods): CPU 6% + 4% + 2% x 2 = 0.14 -> 3.86 cores. Memory: the
  //   kubelet sees 0.979 x 16 = 15.664 GiB; kube-reserved = min(20 MiB x 250 + 50 MiB = 5,050 MiB, 25% of 16 GiB =
  //   4,096 MiB) = 4,096 MiB (the cap binds), eviction 100 MiB: 15.664 - 4,196 / 1024 = 11.566344 GiB.
  const aks = run({ pods: 1, meshes: ['linkerd'], cluster: { nodeType: 'azure/Standard_D4s_v5' } }).estimates[0]?.capacity
  t.equal(aks?.maxPodsPerNode, 250)
  close(t, aks?.allocatablePerNode.cpuCores, 3.86, 'AKS cpu')
  close(t, aks?.allocatablePerNode.memoryGiB, 11.566344, 'AKS memory')

  // A custom node (8 vCPU, 32 GiB, 110 pods) takes GKE's rule on its nominal memory: CPU 0.06 + 0.01 + 0.01 +
  //   0.25% x 4 = 0.09 -> 7.91 cores; memory 1 + 0.8 + 0.8 + 6% x 16 = 3.56 GiB + 100 MiB -> 32 - 3.56 - 0.097656
  //   = 28.342344 GiB.
  const custom = run({ pods: 1, meshes: ['linkerd'], cluster: { node: { vcpu: 8, memoryGiB: 32, maxPods: 110 } } }).estimates[0]?.capacity
  close(t, custom?.allocatablePerNode.cpuCores, 7.91, 'custom cpu')
  close(t, custom?.allocatablePerNode.memoryGiB, 28.342344, 'custom memory')
})

t.test('the default answer (100 pods of 500m / 2 GiB on gcp/n2-standard-4): nodes with and without each mesh', async (t) => {
  // Each node: 3.92 cores and 12.822344 GiB allocatable (above), 110 slots; GKE's own system pods take
  // kube-proxy 100m + fluentbit-gke 105m / 230 MiB + gke-metrics-agent 6m / 100 MiB + pdcsi-node, 4 slots:
  // free 3.709 cores, 12.822344 - 0.322266 = 12.500078 GiB, 106 slots.
  // Without a mesh: CPU allows floor(3.709 / 0.5) = 7 pods, memory floor(12.500078 / 2) = 6: memory binds,
  // ceil(100 / 6) = 17 nodes.
  const { estimates } = run({ pods: 100 })
  for (const e of estimates) t.match(e.capacity, { nodesWithoutMesh: 17, podsPerNodeWithoutMesh: 6 }, `${e.mesh} without`)

  // Istio: the sidecar's chart requests (100m / 128 MiB) make a pod 0.6 cores / 2.125 GiB: memory allows
  // floor(12.500078 / 2.125) = 5, CPU floor(3.709 / 0.6) = 6: 5 per node, 20 full nodes with 0.709 cores and
  // 1.875078 GiB left each. istiod (500m / 2 GiB) fits on none of them: a 21st node. The ingress gateway
  // (100m / 128 MiB) fits in a full node's leftovers. 21 nodes, 4 added, memory binding.
  t.match(mesh(estimates, 'istio').capacity, { nodesWithMesh: 21, additionalNodes: 4, podsPerNodeWithMesh: 5, bindingResource: 'memory' })

  // Istio ambient: ztunnel (200m / 512 MiB) and istio-cni (100m / 100 MiB) on every node leave 3.409 cores and
  // 12.500078 - 0.597656 = 11.902422 GiB: floor(11.902422 / 2) = 5 pods per node (CPU allows 6): 20 full nodes
  // with 0.909 cores and 1.902422 GiB left. istiod (500m / 2 GiB) needs a 21st node; the waypoint (100m /
  // 128 MiB) fits in a full node. 21 nodes, 4 added.
  t.match(mesh(estimates, 'istio-ambient').capacity, { nodesWithMesh: 21, additionalNodes: 4, podsPerNodeWithMesh: 5, bindingResource: 'memory' })

  // Kuma: kuma-dp (50m / 64 MiB) makes a pod 0.55 cores / 2.0625 GiB: CPU floor(3.709 / 0.55) = 6, memory
  // floor(12.500078 / 2.0625) = 6: a tie, CPU named first. 16 full nodes (0.409 cores, 0.125078 GiB left) and one
  // with 4 pods (1.509 cores, 4.250078 GiB left), where the control plane (500m / 256 MiB) fits: 17 nodes.
  t.match(mesh(estimates, 'kuma').capacity, { nodesWithMesh: 17, additionalNodes: 0, podsPerNodeWithMesh: 6, bindingResource: 'cpu' })

  // Consul: the dataplane sidecar requests nothing; connect-injector (50m / 200 MiB) and one consul-server
  // (100m / 200 MiB) fit in the 0.709 cores and 0.500078 GiB a full node has left. 17 nodes.
  t.match(mesh(estimates, 'consul').capacity, { nodesWithMesh: 17, additionalNodes: 0, bindingResource: 'memory' })

  // Linkerd's chart requests nothing, and Cilium's agents request nothing on this (non-Cilium) CNI: 17 nodes.
  t.match(mesh(estimates, 'linkerd').capacity, { nodesWithMesh: 17, additionalNodes: 0 })
  t.match(mesh(estimates, 'cilium').capacity, { nodesWithMesh: 17, additionalNodes: 0 })
})

t.test('requests basis, every bound, one component per scope (chart requests, so the bounds are equal)', async (t) => {
  const { estimates } = run({ pods: 100, basis: 'requests', meshes: ['istio', 'istio-ambient'] })
  const component = (m: string, id: string) => mesh(estimates, m).components.find((c) => c.id === id)
  // Per pod: istio-proxy 100m / 128 MiB x 100 pods = 10 cores / 12.5 GiB.
  t.same(component('istio', 'istio-proxy')?.basis, { cpuCores: { low: 10, expected: 10, high: 10 }, memoryGiB: { low: 12.5, expected: 12.5, high: 12.5 } })
  // Per node: ztunnel 200m / 512 MiB on each of the 21 nodes (above) = 4.2 cores / 10.5 GiB.
  t.equal(component('istio-ambient', 'ztunnel')?.replicas, 21)
  t.same(component('istio-ambient', 'ztunnel')?.basis, { cpuCores: { low: 4.2, expected: 4.2, high: 4.2 }, memoryGiB: { low: 10.5, expected: 10.5, high: 10.5 } })
  // Cluster: one istiod, 500m / 2 GiB.
  t.same(component('istio', 'istiod')?.basis, { cpuCores: { low: 0.5, expected: 0.5, high: 0.5 }, memoryGiB: { low: 2, expected: 2, high: 2 } })
})

t.test('the EKS system pods take slots: 29 pods of 10m / 64 MiB on aws/m5.large', async (t) => {
  // 29 slots; aws-node and kube-proxy (host network) take 2, leaving 27: ceil(29 / 27) = 2 nodes without a mesh.
  // Linkerd requests nothing and runs no DaemonSet: its 3 control-plane pods (one per node at most, required
  // anti-affinity) fit in the 25 slots the second node has left. 0 added.
  const e = run({ pods: 29, meshes: ['linkerd'], cluster: { nodeType: 'aws/m5.large' }, workload: { podRequests: { cpuCores: 0.01, memoryGiB: 0.0625 } } }).estimates[0]
  t.match(e?.capacity, { nodesWithoutMesh: 2, nodesWithMesh: 2, additionalNodes: 0, bindingResource: 'pods' })
})
