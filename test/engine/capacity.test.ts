// Packing and allocatable on hand-made nodes: every expected figure is worked out in the comments.
import t from 'tap'
import { allocatable, pack } from '../../src/engine/capacity.js'
import type { NodeShape, PackPool } from '../../src/engine/capacity.js'

/** A node as the one pool of a cluster without node pools. */
const one = (node: NodeShape): PackPool[] => [{ node, maxNodes: Infinity, pointer: '/cluster/nodeType' }]

// A node that reserves nothing, so allocatable = capacity and the packing arithmetic stands alone.
const bare = (vcpu: number, memoryGiB: number, maxPods: number): NodeShape => ({
  id: 'custom',
  vcpu,
  memoryGiB,
  kubeletMemoryGiB: memoryGiB,
  maxPods,
  systemPods: { pods: 0, cpuCores: 0, memoryGiB: 0 },
  hourlyPrice: null,
  reservation: { cpuTiers: [{ upTo: null, fraction: 0 }], memoryTiers: [], memoryFixedMiB: 0, memoryPerPodMiB: 0, evictionMiB: 0, sources: [] }
})
const none = { cpuCores: 0, memoryGiB: 0, pods: 0 }

t.test('replicas that land in a group of identical nodes take one node each from the group', async (t) => {
  // 4.5 cores: floor(4.5 / 1) = 4 pods of 1 core per node (memory 16 GiB and 10 slots leave room for more),
  // so 12 pods fill 3 identical nodes, each with 0.5 core free.
  const node = bare(4.5, 16, 10)
  const replica = { cpuCores: 0.5, memoryGiB: 0.5 }
  const input = { workloadPods: 12, pod: { cpuCores: 1, memoryGiB: 1 }, perNode: none, minNodes: [0], podLabel: 'pod' }
  t.match(pack(one(node), { ...input, clusterPods: [] }), { nodes: 3, podsPerNode: 4, binding: 'cpu' })
  // Three 0.5-core replicas: one into each of the three nodes' 0.5 core. No node is added.
  t.equal(pack(one(node), { ...input, clusterPods: [replica, replica, replica] }).nodes, 3)
  // A fourth finds every node full and opens a 4th node.
  t.equal(pack(one(node), { ...input, clusterPods: [replica, replica, replica, replica] }).nodes, 4)
  // Under required anti-affinity the three still spread over the three nodes.
  const spread = { ...replica, spread: 'cp' }
  t.equal(pack(one(node), { ...input, clusterPods: [spread, spread, spread] }).nodes, 3)
  // Two 0.25-core siblings under anti-affinity may not share the first node although it has room: 3 nodes still.
  const small = { cpuCores: 0.25, memoryGiB: 0.25, spread: 'cp' }
  t.equal(pack(one(node), { ...input, clusterPods: [small, small] }).nodes, 3)
  // Without anti-affinity, four 0.25-core replicas fill two nodes' 0.5 core each: 3 nodes.
  const loose = { cpuCores: 0.25, memoryGiB: 0.25 }
  t.equal(pack(one(node), { ...input, clusterPods: [loose, loose, loose, loose, loose, loose] }).nodes, 3)
  t.equal(pack(one(node), { ...input, clusterPods: [loose, loose, loose, loose, loose, loose, loose] }).nodes, 4)
})

t.test('memory binds when pods are memory-heavy', async (t) => {
  // 8 cores, 8 GiB, 110 slots: pods of 0.1 core / 1.5 GiB -> CPU allows 80, memory floor(8 / 1.5) = 5: memory binds.
  const result = pack(one(bare(8, 8, 110)), { workloadPods: 11, pod: { cpuCores: 0.1, memoryGiB: 1.5 }, perNode: none, clusterPods: [], minNodes: [0], podLabel: 'pod' })
  // ceil(11 / 5) = 3 nodes
  t.match(result, { nodes: 3, podsPerNode: 5, binding: 'memory' })
})

t.test('pod slots bind when pods are tiny, and per-node agents take slots', async (t) => {
  // 29 slots (an m5.large's max pods), pods of 10m / 64 MiB: CPU and memory allow hundreds, slots bind.
  const node = bare(2, 8, 29)
  const pod = { cpuCores: 0.01, memoryGiB: 0.0625 }
  t.match(pack(one(node), { workloadPods: 29, pod, perNode: none, clusterPods: [], minNodes: [0], podLabel: 'pod' }), { nodes: 1, podsPerNode: 29, binding: 'pods' })
  // Two agents on every node leave 27 slots: ceil(29 / 27) = 2 nodes.
  const agents = { cpuCores: 0.05, memoryGiB: 0.1, pods: 2 }
  t.match(pack(one(node), { workloadPods: 29, pod, perNode: agents, clusterPods: [], minNodes: [0], podLabel: 'pod' }), { nodes: 2, podsPerNode: 27, binding: 'pods' })
})

t.test('minNodes keeps empty nodes that replicas can use', async (t) => {
  // 4 pods of 1 core on 4-core nodes: 1 node is enough, but the cluster has 3; a 2-core replica goes on an empty one.
  const result = pack(one(bare(4, 16, 10)), { workloadPods: 4, pod: { cpuCores: 1, memoryGiB: 1 }, perNode: none, clusterPods: [{ cpuCores: 2, memoryGiB: 1 }], minNodes: [3], podLabel: 'pod' })
  t.equal(result.nodes, 3)
})

t.test('allocatable follows the tiers, the per-pod rule and the cap', async (t) => {
  // GKE-style tiers on a 4 vCPU / 16 GiB node: CPU 6% of the 1st core + 1% of the 2nd + 0.5% of the 3rd and 4th
  // = 0.06 + 0.01 + 0.01 = 0.08 -> 3.92 cores. Memory 25% of the first 4 GiB + 20% of the next 4 + 10% of the next 8
  // = 1 + 0.8 + 0.8 = 2.6 GiB, eviction 100 MiB -> 16 - 2.6 - 100/1024 = 13.302344 GiB.
  const gkeLike: NodeShape = {
    ...bare(4, 16, 110),
    reservation: {
      cpuTiers: [{ upTo: 1, fraction: 0.06 }, { upTo: 2, fraction: 0.01 }, { upTo: 4, fraction: 0.005 }, { upTo: null, fraction: 0.0025 }],
      memoryTiers: [{ upTo: 4, fraction: 0.25 }, { upTo: 8, fraction: 0.2 }, { upTo: 16, fraction: 0.1 }, { upTo: 128, fraction: 0.06 }, { upTo: null, fraction: 0.02 }],
      memoryFixedMiB: 0,
      memoryPerPodMiB: 0,
      evictionMiB: 100,
      sources: []
    }
  }
  const gke = allocatable(gkeLike)
  t.ok(Math.abs(gke.cpuCores - 3.92) < 1e-9, `cpu ${gke.cpuCores}`)
  t.ok(Math.abs(gke.memoryGiB - (16 - 2.6 - 100 / 1024)) < 1e-9, `memory ${gke.memoryGiB}`)

  // An AKS-style cap: 20 MiB x 250 pods + 255 fixed = 5,255 MiB, capped at 25% of 8 GiB = 2,048 MiB; + 100 eviction
  // -> 8 - 2148/1024 = 5.902344 GiB.
  const capped: NodeShape = { ...bare(2, 8, 250), reservation: { ...bare(2, 8, 250).reservation, memoryFixedMiB: 255, memoryPerPodMiB: 20, memoryCapFraction: 0.25, evictionMiB: 100 } }
  t.ok(Math.abs(allocatable(capped).memoryGiB - (8 - 2148 / 1024)) < 1e-9)
  // Uncapped, the same rule reserves 5,255 + 100 MiB -> 8 - 5355/1024 = 2.770508 GiB.
  const uncapped: NodeShape = { ...capped, reservation: { ...capped.reservation, memoryCapFraction: undefined } }
  t.ok(Math.abs(allocatable(uncapped).memoryGiB - (8 - 5355 / 1024)) < 1e-9)
})

t.test('replicas are placed largest first, so that small ones do not take the room a large one needs', async (t) => {
  // 4.6 cores, pods of 1 core: 4 per node. 7 pods: one full node (0.6 core free) and one with 3 pods (1.6 free).
  // Replicas 0.1, 0.6 and 1.5 cores, placed largest first into the first node with room:
  //   1.5 -> second node (0.1 left), 0.6 -> first node (0 left), 0.1 -> second node (0 left): 2 nodes.
  // In the given order they would need a third: 0.1 -> first (0.5 left), 0.6 -> second (1.0 left), 1.5 -> new node.
  const result = pack(one(bare(4.6, 16, 10)), {
    workloadPods: 7,
    pod: { cpuCores: 1, memoryGiB: 1 },
    perNode: none,
    minNodes: [0],
    podLabel: 'pod',
    clusterPods: [{ cpuCores: 0.1, memoryGiB: 0.1 }, { cpuCores: 0.6, memoryGiB: 0.1 }, { cpuCores: 1.5, memoryGiB: 0.1 }]
  })
  t.equal(result.nodes, 2)
})

t.test('a replica needs memory and a pod slot too, on full and part-full nodes alike', async (t) => {
  // 8 cores, 8 GiB, 5 slots; pods of 0.5 core / 1.5 GiB: memory binds at floor(8 / 1.5) = 5 = the slots (pods
  // binds first on a tie, being listed first). 6 pods: one full node (0 slots) and one with 1 pod (4 slots,
  // 6.5 GiB, 7.5 cores free).
  const node = bare(8, 8, 5)
  const input = { workloadPods: 6, pod: { cpuCores: 0.5, memoryGiB: 1.5 }, perNode: none, minNodes: [0], podLabel: 'pod' }
  t.match(pack(one(node), { ...input, clusterPods: [] }), { nodes: 2, podsPerNode: 5, binding: 'pods' })
  // Four 0.1-core replicas take the 4 free slots of the second node; a fifth needs a third node.
  const tiny = { cpuCores: 0.1, memoryGiB: 0.1 }
  t.equal(pack(one(node), { ...input, clusterPods: [tiny, tiny, tiny, tiny] }).nodes, 2)
  t.equal(pack(one(node), { ...input, clusterPods: [tiny, tiny, tiny, tiny, tiny] }).nodes, 3)
  // A 6.5 GiB replica fits the second node's 6.5 GiB exactly; a 6.6 GiB one does not, and opens a node.
  t.equal(pack(one(node), { ...input, clusterPods: [{ cpuCores: 0.1, memoryGiB: 6.5 }] }).nodes, 2)
  t.equal(pack(one(node), { ...input, clusterPods: [{ cpuCores: 0.1, memoryGiB: 6.6 }] }).nodes, 3)
  // Two 3.25 GiB replicas fill the second node's memory; a third opens a node.
  const half = { cpuCores: 0.1, memoryGiB: 3.25 }
  t.equal(pack(one(node), { ...input, clusterPods: [half, half] }).nodes, 2)
  t.equal(pack(one(node), { ...input, clusterPods: [half, half, half] }).nodes, 3)
})

t.test('the last free pod slot is usable', async (t) => {
  // 4 slots, pods of 1 core on 8 cores: slots bind at 4. 3 pods leave one node with 1 slot: a replica takes it.
  const node = bare(8, 16, 4)
  const input = { workloadPods: 3, pod: { cpuCores: 1, memoryGiB: 1 }, perNode: none, minNodes: [0], podLabel: 'pod' }
  t.equal(pack(one(node), { ...input, clusterPods: [{ cpuCores: 1, memoryGiB: 1 }] }).nodes, 1)
  t.equal(pack(one(node), { ...input, clusterPods: [{ cpuCores: 1, memoryGiB: 1 }, { cpuCores: 1, memoryGiB: 1 }] }).nodes, 2)
})

t.test('per-node agents take CPU and memory from every node', async (t) => {
  // 4 cores, 8 GiB; agents 1 core / 2 GiB leave 3 cores / 6 GiB. Pods of 0.5 core / 2 GiB: memory binds at 3.
  const result = pack(one(bare(4, 8, 110)), { workloadPods: 6, pod: { cpuCores: 0.5, memoryGiB: 2 }, perNode: { cpuCores: 1, memoryGiB: 2, pods: 1 }, clusterPods: [], minNodes: [0], podLabel: 'pod' })
  t.match(result, { nodes: 2, podsPerNode: 3, binding: 'memory' })
})

t.test('pods that request nothing are bound by pod slots alone', async (t) => {
  t.match(pack(one(bare(1, 1, 10)), { workloadPods: 25, pod: { cpuCores: 0, memoryGiB: 0 }, perNode: none, clusterPods: [], minNodes: [0], podLabel: 'pod' }), { nodes: 3, podsPerNode: 10, binding: 'pods' })
})

t.test('when two resources run out at once, the first listed (pods, then CPU) is named', async (t) => {
  // 10 slots and 10 cores for pods of 1 core: both allow 10, pods is named; 2 GiB pods on 20 GiB tie with CPU too.
  t.match(pack(one(bare(10, 100, 10)), { workloadPods: 10, pod: { cpuCores: 1, memoryGiB: 1 }, perNode: none, clusterPods: [], minNodes: [0], podLabel: 'pod' }), { podsPerNode: 10, binding: 'pods' })
  t.match(pack(one(bare(10, 20, 110)), { workloadPods: 10, pod: { cpuCores: 1, memoryGiB: 2 }, perNode: none, clusterPods: [], minNodes: [0], podLabel: 'pod' }), { podsPerNode: 10, binding: 'cpu' })
})

t.test('a node with no room, a pod or a replica too large: an error that names the field and the figures', async (t) => {
  const pod = { cpuCores: 1, memoryGiB: 1 }
  // Agents that take exactly all the CPU leave no room: an error, not a division by zero.
  t.throws(() => pack(one(bare(2, 8, 10)), { workloadPods: 1, pod, perNode: { cpuCores: 2, memoryGiB: 1, pods: 1 }, clusterPods: [], minNodes: [0], podLabel: 'pod' }),
    { message: 'a custom node has no room left once its system reservation and per-node agents are placed (allocatable 2 cores, 8 GiB, 10 pods)' })
  t.throws(() => pack(one(bare(2, 8, 10)), { workloadPods: 1, pod, perNode: { cpuCores: 1, memoryGiB: 8, pods: 1 }, clusterPods: [], minNodes: [0], podLabel: 'pod' }), /no room left/)
  t.throws(() => pack(one(bare(2, 8, 1)), { workloadPods: 1, pod, perNode: { cpuCores: 0, memoryGiB: 0, pods: 1 }, clusterPods: [], minNodes: [0], podLabel: 'pod' }), /no room left/)
  // 2.5 cores for a pod on a 2-core node, with a third of a core taken by agents: 1.667 cores free, rounded to 3 places.
  t.throws(() => pack(one(bare(2, 8, 10)), { workloadPods: 1, pod: { cpuCores: 2.5, memoryGiB: 1 }, perNode: { cpuCores: 1 / 3, memoryGiB: 0, pods: 0 }, clusterPods: [], minNodes: [0], podLabel: 'one application pod' }),
    { message: 'one application pod (2.5 cores, 1 GiB) does not fit on a custom node (1.667 cores, 8 GiB free)' })
  t.throws(() => pack(one(bare(2, 8, 10)), { workloadPods: 1, pod, perNode: none, clusterPods: [{ cpuCores: 3, memoryGiB: 1 }], minNodes: [0], podLabel: 'pod' }),
    { message: 'a mesh replica (3 cores, 1 GiB) does not fit on an empty custom node' })
})

// Several pools: bare nodes, so free room = capacity and the least-waste scores are plain fractions.
const pools = (...nodes: Array<[NodeShape, number?]>): PackPool[] => nodes.map(([node, maxNodes], i) => ({ node, maxNodes: maxNodes ?? Infinity, pointer: `/cluster/nodePools/${i}` }))

t.test('pools: existing nodes first, then the pool that wastes least grows', async (t) => {
  const small = bare(2, 8, 110)
  const large = { ...bare(8, 16, 110), id: 'large' }
  const input = { pod: { cpuCores: 1, memoryGiB: 1 }, perNode: none, clusterPods: [], podLabel: 'pod' }
  // 2 nodes of small already hold 2 x 2 = 4 pods; 3 more: small needs 2 nodes, wasting (4 - 3) / 4 + (16 - 3) / 16
  // = 1.0625; large needs 1, wasting (8 - 3) / 8 + (16 - 3) / 16 = 1.4375: small grows to 4.
  t.match(pack(pools([small], [large]), { ...input, workloadPods: 7, minNodes: [2, 0] }), { nodes: 4, scalePool: 0, pools: [{ nodes: 4, podsPerNode: 2 }, { nodes: 0, podsPerNode: 8 }] })
  // 13 more: small 7 nodes, (14 - 13) / 14 + (56 - 13) / 56 = 0.839; large 2 nodes, (16 - 13) / 16 + (32 - 13) / 32 = 0.781: large grows.
  t.match(pack(pools([small], [large]), { ...input, workloadPods: 17, minNodes: [2, 0] }), { nodes: 4, scalePool: 1, pools: [{ nodes: 2 }, { nodes: 2 }] })
  // The same with small capped at 2 nodes and large at 1: 8 of the 13 fit on one large node, 5 are left, and no pool may grow.
  t.throws(() => pack(pools([small, 2], [large, 1]), { ...input, workloadPods: 17, minNodes: [2, 0] }), { errors: [{ pointer: '/cluster/nodePools', detail: /5 of the 17 workload pods fit on no node: every pool that could hold them is at its maxCount/ }] })
})

t.test('pools: a tie keeps the pool listed first, in either order', async (t) => {
  // A node of 4 cores / 16 GiB is two of 2 cores / 8 GiB: 4 pods of 1 core / 1 GiB waste (4 - 4) / 4 + (16 - 4) / 16 on
  // two small nodes and on one large one alike.
  const small = bare(2, 8, 110)
  const large = { ...bare(4, 16, 110), id: 'large' }
  const input = { workloadPods: 4, pod: { cpuCores: 1, memoryGiB: 1 }, perNode: none, clusterPods: [], podLabel: 'pod' }
  t.match(pack(pools([small], [large]), { ...input, minNodes: [0, 0] }), { scalePool: 0, pools: [{ nodes: 2 }, { nodes: 0 }] })
  t.match(pack(pools([large], [small]), { ...input, minNodes: [0, 0] }), { scalePool: 0, pools: [{ nodes: 1 }, { nodes: 0 }] })
})

t.test('pools: a pool whose node holds no workload pod still takes replicas and per-node agents', async (t) => {
  // tiny: 1 core; the 2-core pods fit only on large. A replica of 0.5 core goes to tiny's existing node.
  const tiny = { ...bare(1, 4, 110), id: 'tiny' }
  const large = { ...bare(4, 16, 110), id: 'large' }
  const result = pack(pools([tiny], [large]), { workloadPods: 4, pod: { cpuCores: 2, memoryGiB: 1 }, perNode: { cpuCores: 0.25, memoryGiB: 0.5, pods: 1 }, clusterPods: [{ cpuCores: 0.5, memoryGiB: 1 }], minNodes: [1, 0], podLabel: 'pod' })
  // large: 3.75 cores free after the agent, floor(3.75 / 2) = 1 pod per node: 4 nodes; tiny: 0.75 core free holds the replica.
  t.match(result, { nodes: 5, pools: [{ nodes: 1, podsPerNode: 0 }, { nodes: 4, podsPerNode: 1 }] })
  // A per-node agent larger than tiny's node fails on tiny, naming it: DaemonSets run on every node of every pool.
  t.throws(() => pack(pools([tiny], [large]), { workloadPods: 1, pod: { cpuCores: 1, memoryGiB: 1 }, perNode: { cpuCores: 1.5, memoryGiB: 0, pods: 1 }, clusterPods: [], minNodes: [0, 0], podLabel: 'pod' }),
    { errors: [{ pointer: '/cluster/nodePools/0', detail: /a tiny node has no room left/ }] })
})
