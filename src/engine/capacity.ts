// Node allocatable and bin packing: how many nodes a workload needs, with and without a mesh.
// Packing uses requests, because requests are what the scheduler and the cluster autoscaler act on.
import type { Reservation } from '../models/schema.js'
import { DomainError } from '../errors.js'
import type { NodeShape } from './scenario.js'
import { round } from '../units.js'

export interface Resources { cpuCores: number, memoryGiB: number }
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
  let capacity = allocatables.get(node)
  if (capacity === undefined) {
    capacity = Object.freeze(allocatableOf(node))
    allocatables.set(node, capacity)
  }
  return capacity
}

// A node shape is not changed once resolved (a scenario's variants share it): its allocatable is computed once.
const allocatables = new WeakMap<object, Resources>()

function allocatableOf (node: Pick<NodeShape, 'vcpu' | 'memoryGiB' | 'kubeletMemoryGiB' | 'maxPods' | 'reservation'>): Resources {
  const r = node.reservation
  const kubeReservedMiB = r.memoryFixedMiB + r.memoryPerPodMiB * node.maxPods
  const cappedMiB = r.memoryCapFraction === undefined ? kubeReservedMiB : Math.min(kubeReservedMiB, r.memoryCapFraction * node.memoryGiB * 1024)
  const memoryReservedMiB = cappedMiB + r.evictionMiB
  return {
    cpuCores: node.vcpu - tiered(node.vcpu, r.cpuTiers),
    memoryGiB: node.kubeletMemoryGiB - tiered(node.memoryGiB, r.memoryTiers) - memoryReservedMiB / 1024
  }
}

export interface PackInput {
  workloadPods: number
  /** requests of one workload pod, sidecars included */
  pod: Resources
  /** requests of the mesh's DaemonSet pods on every node, and how many pods they are (the provider's own system pods come with the node) */
  perNode: Resources & { pods: number }
  /** Deployment replicas to place beside the workload; replicas with the same `spread` never share a node */
  clusterPods: Array<Resources & { spread?: string }>
  /** what one workload pod is, for the message when it fits on no node */
  podLabel: string
  /** the cluster never shrinks below this many nodes */
  minNodes: number
}

export interface PackResult {
  nodes: number
  podsPerNode: number
  binding: BindingResource
}

/** `spread`: the anti-affinity groups already on the node (null until one is: most packings have none; a node holds a few) */
interface Bin { count: number, cpuCores: number, memoryGiB: number, pods: number, spread: string[] | null }

const fits = (bin: Bin, pod: Resources & { spread?: string }): boolean =>
  bin.pods >= 1 && bin.cpuCores + EPSILON >= pod.cpuCores && bin.memoryGiB + EPSILON >= pod.memoryGiB &&
  (pod.spread === undefined || bin.spread === null || !bin.spread.includes(pod.spread))

/** A packing whose node, pod shape and per-node agents are fixed: placing is then arithmetic plus a few replicas. */
export interface Packer {
  podsPerNode: number
  binding: BindingResource
  /** Nodes for `workloadPods` pods and the Deployment replicas, which must come sorted by CPU, largest first (byCpuDescending). */
  place: (workloadPods: number, sortedClusterPods: PackInput['clusterPods'], minNodes: number) => number
}

/** Deployment replicas in the order they are placed: largest CPU first, ties in their given order (the sort is stable). */
export const byCpuDescending = (pods: PackInput['clusterPods']): PackInput['clusterPods'] => [...pods].sort((a, b) => b.cpuCores - a.cpuCores)

/**
 * Identical workload pods fill each node up to the first resource that runs out (CPU, memory or pod slots);
 * then each Deployment replica goes, largest CPU first, into the first node with room (and, under required
 * anti-affinity, none of its siblings), or onto a new node.
 * Nodes with identical free space are kept as one group, so large clusters cost no more than small ones.
 */
export function pack (node: NodeShape, input: PackInput): PackResult {
  const p = packer(node, input.pod, input.perNode, input.podLabel)
  return { nodes: p.place(input.workloadPods, byCpuDescending(input.clusterPods), input.minNodes), podsPerNode: p.podsPerNode, binding: p.binding }
}

/**
 * What pack computes from the node, the pod and the per-node agents alone (free room, pods per node, the binding
 * resource, and the errors when nothing fits), once; a sweep then places each x's pods with `place`.
 */
export function packer (node: NodeShape, podRequests: Resources, perNode: PackInput['perNode'], podLabel: string): Packer {
  const capacity = allocatable(node)
  const system = node.systemPods
  const free = {
    cpuCores: capacity.cpuCores - system.cpuCores - perNode.cpuCores,
    memoryGiB: capacity.memoryGiB - system.memoryGiB - perNode.memoryGiB,
    pods: node.maxPods - system.pods - perNode.pods
  }
  if (free.cpuCores <= 0 || free.memoryGiB <= 0 || free.pods <= 0) {
    throw new DomainError([{ pointer: nodePointer(node), detail: `a ${node.id} node has no room left once its system reservation${system.pods > 0 ? `, its ${system.pods} system pods` : ''} and per-node agents are placed (allocatable ${round(capacity.cpuCores, 3)} cores, ${round(capacity.memoryGiB, 3)} GiB, ${node.maxPods} pods)` }])
  }
  // The first resource to run out; on a tie, pods before CPU before memory.
  let binding: BindingResource = 'pods'
  let podsPerNode = free.pods
  const byCpu = podRequests.cpuCores > 0 ? Math.floor((free.cpuCores + EPSILON) / podRequests.cpuCores) : Infinity
  if (byCpu < podsPerNode) { binding = 'cpu'; podsPerNode = byCpu }
  const byMemory = podRequests.memoryGiB > 0 ? Math.floor((free.memoryGiB + EPSILON) / podRequests.memoryGiB) : Infinity
  if (byMemory < podsPerNode) { binding = 'memory'; podsPerNode = byMemory }
  if (podsPerNode < 1) {
    throw new DomainError([{ pointer: '/workload/podRequests', detail: `${podLabel} (${round(podRequests.cpuCores, 3)} cores, ${round(podRequests.memoryGiB, 3)} GiB) does not fit on a ${node.id} node (${round(free.cpuCores, 3)} cores, ${round(free.memoryGiB, 3)} GiB free)` }])
  }

  function place (workloadPods: number, clusterPods: PackInput['clusterPods'], minNodes: number): number {
    const fullNodes = Math.floor(workloadPods / podsPerNode)
    const remainder = workloadPods - fullNodes * podsPerNode
    const partial = remainder > 0 ? 1 : 0
    const empty = Math.max(0, minNodes - fullNodes - partial)
    // No replicas to place (a mesh of sidecars and DaemonSets only): the node count is the sum of the groups below.
    if (clusterPods.length === 0) return fullNodes + partial + empty
    const bins: Bin[] = []
    addBins(bins, fullNodes, podsPerNode)
    addBins(bins, partial, remainder)
    addBins(bins, empty, 0)

    for (const pod of clusterPods) {
      let bin: Bin | undefined
      for (const b of bins) {
        if (fits(b, pod)) { bin = b; break }
      }
      if (bin === undefined) {
        addBins(bins, 1, 0)
        bin = bins[bins.length - 1] as Bin
        if (!fits(bin, pod)) {
          throw new DomainError([{ pointer: nodePointer(node), detail: `a mesh replica (${round(pod.cpuCores, 3)} cores, ${round(pod.memoryGiB, 3)} GiB) does not fit on an empty ${node.id} node` }])
        }
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
    let nodes = 0
    for (const b of bins) nodes += b.count
    return nodes
  }
  /** `count` nodes holding `pods` workload pods each. */
  function addBins (bins: Bin[], count: number, pods: number): void {
    if (count > 0) bins.push({ count, cpuCores: free.cpuCores - pods * podRequests.cpuCores, memoryGiB: free.memoryGiB - pods * podRequests.memoryGiB, pods: free.pods - pods, spread: null })
  }
  return { podsPerNode, binding, place }
}

const nodePointer = (node: NodeShape): string => (node.id === 'custom' ? '/cluster/node' : '/cluster/nodeType')
