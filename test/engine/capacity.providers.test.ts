// The cluster that is there without a mesh: each provider's own per-node pods and the memory the kubelet
// reports, counted with and without the mesh. Expected values are worked out by hand from the providers'
// documents and manifests cited in models/nodes/*.yaml, never by project code.
import t from 'tap'
import { estimate } from '../../src/engine/answer.js'
import type { EstimateRequest, MeshEstimate } from '../../src/schemas/estimate.js'
import { near, shippedModels } from '../helpers.js'

const run = (request: EstimateRequest): Record<string, MeshEstimate> =>
  Object.fromEntries(estimate(request, shippedModels()).estimates.map((e) => [e.mesh, e]))

t.test('EKS: 29 pods of 10m / 64Mi on m5.large with Linkerd need 2 nodes, and the mesh adds none', async (t) => {
  const { linkerd } = run({ pods: 29, meshes: ['linkerd'], workload: { podRequests: { cpuCores: 0.01, memoryGiB: 64 / 1024 } }, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } })
  // eni-max-pods.txt gives m5.large 29 pods, 2 of them for aws-node and kube-proxy (host network): 27 left per node.
  // CPU: 1.93 allocatable - 0.05 (aws-node) - 0.1 (kube-proxy) = 1.78 cores = 178 pods of 10m; memory 6.8 GiB = 108
  // pods of 64Mi: pod slots bind. 29 pods -> 27 + 2 -> 2 nodes.
  t.match(linkerd?.capacity, { maxPodsPerNode: 29, systemPodsPerNode: { pods: 2, cpuCores: 0.15, memoryGiB: 0 }, nodesWithoutMesh: 2, podsPerNodeWithoutMesh: 27, bindingResource: 'pods' })
  // Linkerd's chart requests nothing for the proxy; its 3 control-plane pods (destination, identity, proxy-injector)
  // fit in the second node's 27 - 2 = 25 free slots: no node is added.
  t.match(linkerd?.capacity, { nodesWithMesh: 2, additionalNodes: 0 })
  t.equal(linkerd?.cost.additionalNodesMonthly, 0)
})

t.test('EKS: without the system pods the same workload would fit one node (the case fails if they are dropped)', async (t) => {
  // 27 pods fill exactly one node's free slots; 28 need a second.
  t.equal(run({ pods: 27, meshes: ['linkerd'], workload: { podRequests: { cpuCores: 0.01, memoryGiB: 64 / 1024 } }, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } }).linkerd?.capacity.nodesWithoutMesh, 1)
  t.equal(run({ pods: 28, meshes: ['linkerd'], workload: { podRequests: { cpuCores: 0.01, memoryGiB: 64 / 1024 } }, cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } }).linkerd?.capacity.nodesWithoutMesh, 2)
})

t.test('EKS m5.large: the kubelet reports 7.461 GiB, and allocatable is what 2i2c measured', async (t) => {
  const { linkerd } = run({ pods: 1, meshes: ['linkerd'], cluster: { nodeType: 'aws/m5.large', region: 'us-east-1' } })
  const capacity = linkerd?.capacity
  // 2i2c instance_capacities.yaml: m5.large memory capacity 7.461-7.473 GiB; 8 x 0.9326 = 7.4608
  t.ok(near(capacity?.kubeletMemoryPerNodeGiB ?? 0, 7.4608))
  // minus 255 + 11 x 29 + 100 = 674 MiB (EKS AMI nodeadm): 6.8026 GiB; measured allocatable 6.803-6.815 GiB
  t.ok(Math.abs((capacity?.allocatablePerNode.memoryGiB ?? 0) - 6.803) < 0.001)
})

t.test('GKE n2-standard-4: system pods, kubelet memory and allocatable', async (t) => {
  const request = { meshes: ['linkerd'], workload: { podRequests: { cpuCores: 0.93, memoryGiB: 0.5 } }, cluster: { nodeType: 'gcp/n2-standard-4', region: 'us-central1' } }
  const { linkerd } = run({ pods: 8, ...request })
  // kube-proxy 100m, fluentbit-gke 105m / 230Mi, gke-metrics-agent 6m / 100Mi, pdcsi-node (no published requests)
  t.match(linkerd?.capacity.systemPodsPerNode, { pods: 4, cpuCores: 0.211 })
  t.ok(near(linkerd?.capacity.systemPodsPerNode.memoryGiB ?? 0, 330 / 1024))
  // 16 GiB x 0.970 (n1-standard-2: 7.276 of 7.5 GiB) = 15.52 GiB; GKE tiers on the machine's 16 GiB:
  // 25% of 4 + 20% of 4 + 10% of 8 = 2.6 GiB, + 100 MiB eviction -> 15.52 - 2.6 - 0.097656 = 12.822344
  t.ok(near(linkerd?.capacity.kubeletMemoryPerNodeGiB ?? 0, 15.52))
  t.ok(near(linkerd?.capacity.allocatablePerNode.memoryGiB ?? 0, 12.822344))
  // CPU: 4 - (6% + 1% + 2 x 0.5%) = 3.92, minus 0.211 = 3.709 free: 3 pods of 0.93 (4 would be 3.72), so 8 pods
  // need 3 nodes; without the system pods 4 would fit (3.72 <= 3.92) and 2 nodes would do.
  t.match(linkerd?.capacity, { podsPerNodeWithoutMesh: 3, nodesWithoutMesh: 3, bindingResource: 'cpu' })
})

t.test('AKS: system pods take slots of Azure CNI\'s 30 and their requests', async (t) => {
  const request = { meshes: ['linkerd'], workload: { podRequests: { cpuCores: 0.01, memoryGiB: 64 / 1024 } }, cluster: { nodeType: 'azure/Standard_D4s_v5', region: 'eastus', networkMode: 'azure-cni' } }
  const { linkerd } = run({ pods: 30, ...request })
  // kube-proxy 100m, cloud-node-manager 50m / 50Mi, csi-azuredisk-node 30m / 60Mi, csi-azurefile-node 30m / 60Mi
  t.match(linkerd?.capacity.systemPodsPerNode, { pods: 4, cpuCores: 0.21 })
  t.ok(near(linkerd?.capacity.systemPodsPerNode.memoryGiB ?? 0, 170 / 1024))
  // 30 - 4 = 26 workload pods per node: 30 pods -> 2 nodes
  t.match(linkerd?.capacity, { maxPodsPerNode: 30, podsPerNodeWithoutMesh: 26, nodesWithoutMesh: 2, bindingResource: 'pods' })
  // 16 GiB x 0.979 = 15.664 GiB; kube-reserved min(20 x 30 + 50 = 650 MiB, 25% of 16 GiB) + 100 MiB eviction = 750 MiB
  t.ok(near(linkerd?.capacity.kubeletMemoryPerNodeGiB ?? 0, 15.664))
  t.ok(near(linkerd?.capacity.allocatablePerNode.memoryGiB ?? 0, 15.664 - 750 / 1024))
})

t.test('custom nodes count no system pods and take the memory as given', async (t) => {
  const { linkerd } = run({ pods: 10, meshes: ['linkerd'], workload: { podRequests: { cpuCores: 0.1, memoryGiB: 0.1 } }, cluster: { node: { vcpu: 4, memoryGiB: 16, maxPods: 10 } } })
  t.match(linkerd?.capacity, { kubeletMemoryPerNodeGiB: 16, systemPodsPerNode: { pods: 0, cpuCores: 0, memoryGiB: 0 }, podsPerNodeWithoutMesh: 10, nodesWithoutMesh: 1 })
})
