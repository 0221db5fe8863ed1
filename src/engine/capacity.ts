// Node allocatable and bin packing: how many nodes a workload needs, with and without a mesh.
// Packing uses requests, because requests are what the scheduler and the cluster autoscaler act on.
import type { Reservation } from '../models/schema.js'
import { DomainError } from '../errors.js'
import { memoized } from './memo.js'
import { round } from '../units.js'

export interface Resources { cpuCores: number, memoryGiB: number }

/** A node as packing and pricing see it: its size, the provider's reservation rule and system pods, its price. */
export interface NodeShape {
  id: string
  vcpu: number
  /** nominal memory, as the provider sells it */
  memoryGiB: number
  /** memory the kubelet reports as node capacity: what allocatable and OpenCost's price split start from */
  kubeletMemoryGiB: number
  maxPods: number
  /** the provider's own per-node pods (kube-proxy, CNI agent...), there with or without a mesh */
  systemPods: { pods: number, cpuCores: number, memoryGiB: number }
  /** null when no price is known for the region or in the scenario's currency */
  hourlyPrice: number | null
  reservation: Reservation
}

export type BindingResource = 'cpu' | 'memory' | 'pods'

// Float slack so that e.g. 0.1 + 0.2 fits in 0.3.
const EPSILON = 1e-9

/** Sum of fraction x slice over the tiers, e.g. 6% of the first core + 1% of the second... */
function tiered (amount: number, tiers: Reservation['cpuTiers']): number {
  let reserved = 0
  let start = 0
  for (const { upTo, fraction } of tiers) {
    const end = upTo ?? Infinity
    if (amount <= start) break
    reserved += (Math.min(amount, end) - start) * fraction
    start = end
  }
  return reserved
}

/**
 * The kubelet's capacity minus kube/system reservation and the eviction threshold (the provider's documented
 * rule). The rules are written against the machine's nominal memory; they are subtracted from the memory the
 * kubelet reports, which is smaller (EKS m5.large: 7.461 GiB - 674 MiB = 6.803 GiB, as measured).
 */
export function allocatable (node: Pick<NodeShape, 'vcpu' | 'memoryGiB' | 'kubeletMemoryGiB' | 'maxPods' | 'reservation'>): Resources {
  return memoized(allocatables, node, allocatableOf)
}

// A node shape is not changed once resolved (a scenario's variants share it): its allocatable is computed once.
const allocatables = new WeakMap<object, Resources>()

function allocatableOf (node: Pick<NodeShape, 'vcpu' | 'memoryGiB' | 'kubeletMemoryGiB' | 'maxPods' | 'reservation'>): Resources {
  const r = node.reservation
  const kubeReservedMiB = r.memoryFixedMiB + r.memoryPerPodMiB * node.maxPods
  const cappedMiB = r.memoryCapFraction === undefined ? kubeReservedMiB : Math.min(kubeReservedMiB, r.memoryCapFraction * node.memoryGiB * 1024)
  const memoryReservedMiB = cappedMiB + r.evictionMiB
  return Object.freeze({
    cpuCores: node.vcpu - tiered(node.vcpu, r.cpuTiers),
    memoryGiB: node.kubeletMemoryGiB - tiered(node.memoryGiB, r.memoryTiers) - memoryReservedMiB / 1024
  })
}

/**
 * A node pool as the packing sees it: its node shape, and how far the cluster autoscaler may grow it. A scenario's
 * single node (cluster.nodeType or cluster.node) is one pool that may grow without bound.
 */
export interface PackPool {
  node: NodeShape
  /** the cluster autoscaler's maximum size of the node group: it never grows the pool past this */
  maxNodes: number
  /** the request field the pool came from, for errors */
  pointer: string
}

/** No per-node agents: the workload alone. */
export const NO_AGENTS: PackInput['perNode'] = Object.freeze({ cpuCores: 0, memoryGiB: 0, pods: 0 })

export interface PackInput {
  workloadPods: number
  /** requests of one workload pod, sidecars included */
  pod: Resources
  /** requests of the mesh's DaemonSet pods on every node of every pool, and how many pods they are (the provider's own system pods come with the node) */
  perNode: Resources & { pods: number }
  /** Deployment replicas to place beside the workload; replicas with the same `spread` never share a node */
  clusterPods: Array<Resources & { spread?: string }>
  /** what one workload pod is, for the message when it fits on no node */
  podLabel: string
  /** per pool, the nodes it runs already: the packing never shrinks a pool below them */
  minNodes: readonly number[]
}

/** One pool's share of a packing. */
export interface PoolPacking {
  nodes: number
  /** workload pods one node of the pool holds; 0 when the pod fits none of its nodes */
  podsPerNode: number
  binding: BindingResource
}

export interface PackResult {
  /** nodes over all pools */
  nodes: number
  /** the scaling pool's (see `scalePool`) */
  podsPerNode: number
  binding: BindingResource
  /** the pool the workload's pods were added to, or, when they fitted on the nodes there were, the first pool holding some */
  scalePool: number
  pools: PoolPacking[]
}

/** `spread`: the anti-affinity groups already on the node (null until one is: most packings have none; a node holds a few) */
interface Bin { pool: number, count: number, cpuCores: number, memoryGiB: number, pods: number, spread: string[] | null }

const fits = (bin: Bin, pod: Resources & { spread?: string }): boolean =>
  bin.pods >= 1 && bin.cpuCores + EPSILON >= pod.cpuCores && bin.memoryGiB + EPSILON >= pod.memoryGiB &&
  (pod.spread === undefined || bin.spread === null || !bin.spread.includes(pod.spread))

/** A packing whose pools, pod shape and per-node agents are fixed: placing is then arithmetic plus a few replicas. */
export interface Packer {
  /** per pool, how many workload pods a node holds (0: none) and what runs out first */
  pools: ReadonlyArray<Omit<PoolPacking, 'nodes'>>
  /**
   * Nodes per pool for `workloadPods` pods and the Deployment replicas, which must come sorted by CPU, largest
   * first (byCpuDescending), into `out` (one entry per pool); returns the pool the pods were added to (see PackResult.scalePool).
   */
  place: (workloadPods: number, sortedClusterPods: PackInput['clusterPods'], minNodes: readonly number[], out: number[]) => number
}

/** Deployment replicas in the order they are placed: largest CPU first, ties in their given order (the sort is stable). */
export const byCpuDescending = (pods: PackInput['clusterPods']): PackInput['clusterPods'] => [...pods].sort((a, b) => b.cpuCores - a.cpuCores)

/**
 * Workload pods go first onto the nodes the pools run already (the scheduler binds a pending pod to any node with
 * room), each node filled up to the first resource that runs out (CPU, memory or pod slots). Pods left over are
 * added as the cluster autoscaler's least-waste expander adds them (kubernetes/autoscaler,
 * cluster-autoscaler/expander/waste/waste.go): for each pool that can grow, the nodes it needs for them (up to
 * its maximum) and the share of those nodes' CPU and memory capacity the pods leave unrequested; the pool with
 * the least summed share grows, ties to the pool listed first (the autoscaler breaks them at random), and again
 * while pods are left. Then each Deployment replica goes, largest CPU first, into the first node with room (pools
 * in order; under required anti-affinity, onto none of its siblings' nodes), or onto a new node of the pool
 * whose node it wastes least.
 * Nodes with identical free space are kept as one group, so large clusters cost no more than small ones.
 */
export function pack (pools: readonly PackPool[], input: PackInput): PackResult {
  const p = packer(pools, input.pod, input.perNode, input.podLabel)
  const nodes = pools.map(() => 0)
  const scalePool = p.place(input.workloadPods, byCpuDescending(input.clusterPods), input.minNodes, nodes)
  const perPool = p.pools.map((shape, i) => ({ nodes: nodes[i] as number, podsPerNode: shape.podsPerNode, binding: shape.binding }))
  const scaled = perPool[scalePool] as PoolPacking
  return { nodes: nodes.reduce((sum, n) => sum + n, 0), podsPerNode: scaled.podsPerNode, binding: scaled.binding, scalePool, pools: perPool }
}

/** One pool's free room per node once its system pods and the per-node agents are placed, and its pods per node. */
interface PoolRoom { free: Resources & { pods: number }, podsPerNode: number, binding: BindingResource, capacity: Resources }

function roomOf (pool: PackPool, podRequests: Resources, perNode: PackInput['perNode']): PoolRoom {
  const { node } = pool
  const capacity = allocatable(node)
  const system = node.systemPods
  const free = {
    cpuCores: capacity.cpuCores - system.cpuCores - perNode.cpuCores,
    memoryGiB: capacity.memoryGiB - system.memoryGiB - perNode.memoryGiB,
    pods: node.maxPods - system.pods - perNode.pods
  }
  // Per-node agents are DaemonSet pods: they run on every node of every pool, so each must leave room.
  if (free.cpuCores <= 0 || free.memoryGiB <= 0 || free.pods <= 0) {
    throw new DomainError([{ pointer: pool.pointer, detail: `a ${node.id} node has no room left once its system reservation${system.pods > 0 ? `, its ${system.pods} system pods` : ''} and per-node agents are placed (allocatable ${round(capacity.cpuCores, 3)} cores, ${round(capacity.memoryGiB, 3)} GiB, ${node.maxPods} pods)` }])
  }
  // The first resource to run out; on a tie, pods before CPU before memory.
  let binding: BindingResource = 'pods'
  let podsPerNode = free.pods
  const byCpu = podRequests.cpuCores > 0 ? Math.floor((free.cpuCores + EPSILON) / podRequests.cpuCores) : Infinity
  if (byCpu < podsPerNode) { binding = 'cpu'; podsPerNode = byCpu }
  const byMemory = podRequests.memoryGiB > 0 ? Math.floor((free.memoryGiB + EPSILON) / podRequests.memoryGiB) : Infinity
  if (byMemory < podsPerNode) { binding = 'memory'; podsPerNode = byMemory }
  return { free, podsPerNode: Math.max(0, podsPerNode), binding, capacity: { cpuCores: node.vcpu, memoryGiB: node.kubeletMemoryGiB } }
}

/** The least-waste expander's score: the share of the new nodes' CPU and memory capacity the pods leave unrequested, summed. */
const wasteOf = (capacity: Resources, nodes: number, requested: Resources): number =>
  (nodes * capacity.cpuCores - requested.cpuCores) / (nodes * capacity.cpuCores) + (nodes * capacity.memoryGiB - requested.memoryGiB) / (nodes * capacity.memoryGiB)

/**
 * What pack computes from the pools, the pod and the per-node agents alone (free room, pods per node, the binding
 * resource, and the errors when nothing fits), once; a sweep then places each x's pods with `place`.
 */
export function packer (pools: readonly PackPool[], podRequests: Resources, perNode: PackInput['perNode'], podLabel: string): Packer {
  const rooms = pools.map((pool) => roomOf(pool, podRequests, perNode))
  if (rooms.every((r) => r.podsPerNode < 1)) {
    const shown = rooms.map((r, i) => `a ${(pools[i] as PackPool).node.id} node (${round(r.free.cpuCores, 3)} cores, ${round(r.free.memoryGiB, 3)} GiB free)`)
    const where = shown.length === 1 ? `on ${shown[0] as string}` : `on any pool's node: ${shown.join('; ')}`
    throw new DomainError([{ pointer: '/workload/podRequests', detail: `${podLabel} (${round(podRequests.cpuCores, 3)} cores, ${round(podRequests.memoryGiB, 3)} GiB) does not fit ${where}` }])
  }
  return new PoolsPacker(pools, podRequests, rooms)
}

/** A packer as a class: a sensitivity analysis or a sweep makes many, and methods are not made anew for each. */
class PoolsPacker implements Packer {
  readonly pools: Packer['pools']
  /** per pool, the workload pods on its nodes in the current place() */
  private readonly held: number[]

  constructor (private readonly shapes: readonly PackPool[], private readonly podRequests: Resources, private readonly rooms: readonly PoolRoom[]) {
    this.pools = rooms.map((r) => ({ podsPerNode: r.podsPerNode, binding: r.binding }))
    this.held = rooms.map(() => 0)
  }

  place (workloadPods: number, clusterPods: PackInput['clusterPods'], minNodes: readonly number[], nodes: number[]): number {
    const { rooms, shapes, held, podRequests } = this
    let pending = workloadPods
    let scalePool = -1
    for (let i = 0; i < rooms.length; i++) {
      const existing = minNodes[i] ?? 0
      nodes[i] = existing
      const onExisting = Math.min(pending, existing * (rooms[i] as PoolRoom).podsPerNode)
      held[i] = onExisting
      pending -= onExisting
      if (scalePool < 0 && onExisting > 0) scalePool = i
    }
    let grown = -1
    while (pending > 0) {
      let best = -1; let bestScore = Infinity; let bestNodes = 0; let bestPods = 0
      for (let i = 0; i < rooms.length; i++) {
        const r = rooms[i] as PoolRoom
        const growth = (shapes[i] as PackPool).maxNodes - (nodes[i] as number)
        if (r.podsPerNode < 1 || growth < 1) continue
        const added = Math.min(Math.ceil(pending / r.podsPerNode), growth)
        const pods = Math.min(pending, added * r.podsPerNode)
        const score = wasteOf(r.capacity, added, { cpuCores: pods * podRequests.cpuCores, memoryGiB: pods * podRequests.memoryGiB })
        if (score < bestScore - EPSILON) { best = i; bestScore = score; bestNodes = added; bestPods = pods } // a tie (to float slack) keeps the earlier pool
      }
      if (best < 0) throw tooFewNodes(shapes, `${pending} of the ${workloadPods} workload pods`)
      nodes[best] = (nodes[best] as number) + bestNodes
      held[best] = (held[best] as number) + bestPods
      pending -= bestPods
      if (grown < 0) grown = best
    }
    if (grown >= 0) scalePool = grown
    if (scalePool < 0) scalePool = 0
    if (clusterPods.length === 0) return scalePool

    const bins: Bin[] = []
    for (let i = 0; i < rooms.length; i++) {
      const perNodePods = (rooms[i] as PoolRoom).podsPerNode
      const pods = held[i] as number
      const full = perNodePods < 1 ? 0 : Math.floor(pods / perNodePods)
      const remainder = pods - full * perNodePods
      const partial = remainder > 0 ? 1 : 0
      this.addBins(bins, i, full, perNodePods)
      this.addBins(bins, i, partial, remainder)
      this.addBins(bins, i, (nodes[i] as number) - full - partial, 0)
    }
    for (const pod of clusterPods) {
      let bin: Bin | undefined
      for (const b of bins) {
        if (fits(b, pod)) { bin = b; break }
      }
      if (bin === undefined) {
        const pool = this.newNodeFor(pod, nodes)
        this.addBins(bins, pool, 1, 0)
        nodes[pool] = (nodes[pool] as number) + 1
        bin = bins[bins.length - 1] as Bin
      }
      if (bin.count > 1) {
        bin.count -= 1
        bin = { ...bin, count: 1, spread: bin.spread === null ? null : [...bin.spread] }
        bins.push(bin)
      }
      bin.cpuCores -= pod.cpuCores
      bin.memoryGiB -= pod.memoryGiB
      bin.pods -= 1
      if (pod.spread !== undefined) (bin.spread ??= []).push(pod.spread)
    }
    return scalePool
  }

  /** The pool a replica that fits on no node gets a new node from: least waste among the pools that can grow and whose empty node holds it. */
  private newNodeFor (pod: Resources, nodes: readonly number[]): number {
    const { rooms, shapes } = this
    let best = -1; let bestScore = Infinity
    for (let i = 0; i < rooms.length; i++) {
      const r = rooms[i] as PoolRoom
      if ((shapes[i] as PackPool).maxNodes - (nodes[i] as number) < 1) continue
      if (r.free.cpuCores + EPSILON < pod.cpuCores || r.free.memoryGiB + EPSILON < pod.memoryGiB) continue
      const score = wasteOf(r.capacity, 1, pod)
      if (score < bestScore - EPSILON) { best = i; bestScore = score }
    }
    if (best >= 0) return best
    const fitsEmpty = rooms.some((r) => r.free.cpuCores + EPSILON >= pod.cpuCores && r.free.memoryGiB + EPSILON >= pod.memoryGiB)
    if (fitsEmpty) throw tooFewNodes(shapes, `a mesh replica (${round(pod.cpuCores, 3)} cores, ${round(pod.memoryGiB, 3)} GiB)`)
    const [first] = shapes as [PackPool]
    const on = shapes.length === 1 ? `an empty ${first.node.id} node` : 'an empty node of any pool'
    throw new DomainError([{ pointer: first.pointer, detail: `a mesh replica (${round(pod.cpuCores, 3)} cores, ${round(pod.memoryGiB, 3)} GiB) does not fit on ${on}` }])
  }

  /** `count` nodes of pool `pool` holding `pods` workload pods each. */
  private addBins (bins: Bin[], pool: number, count: number, pods: number): void {
    const { free } = this.rooms[pool] as PoolRoom
    if (count > 0) bins.push({ pool, count, cpuCores: free.cpuCores - pods * this.podRequests.cpuCores, memoryGiB: free.memoryGiB - pods * this.podRequests.memoryGiB, pods: free.pods - pods, spread: null })
  }
}

/** Every pool that could hold what is left is at its maximum size. */
function tooFewNodes (pools: readonly PackPool[], what: string): DomainError {
  const limits = pools.map((p) => `${p.node.id} at most ${p.maxNodes}`).join(', ')
  return new DomainError([{ pointer: '/cluster/nodePools', detail: `${what} fit on no node: every pool that could hold them is at its maxCount (${limits})` }])
}
