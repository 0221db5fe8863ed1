// Every number meshcost reads from Prometheus passes one check, where it enters (src/prometheus/cluster.ts),
// before anything uses it: a value that is NaN, infinite, negative or beyond a physical bound is dropped, and
// the answer's `missing` says which series and why. Prometheus answers NaN, +Inf and -Inf as sample values, and
// a broken exporter or recording rule can answer anything; nothing of it may reach a schema (a 500) or the
// estimate's validation (a 422 that blames the client). The bounds are generous: they catch broken data, they
// do not judge a real cluster. Each says why it is where it is.
import type { Missing } from '../schemas/cluster.js'
import { LIMITS } from '../schemas/estimate.js'
import { FAMILIES, type Family } from './queries.js'

const GiB = 1024 ** 3
const TiB = 1024 ** 4

/** CPUs of one node: Linux (x86-64, MAXSMP) runs on at most 8192; the largest cloud machines have 1,920 vCPUs (GCP x4-1920-32t, AWS u7inh). */
const NODE_CPU_CORES = 8192
/** Memory of one node: twice the 32 TiB of the largest cloud machines (GCP X4, AWS u7in), and above the largest single machines sold (48 TiB). */
const NODE_MEMORY_BYTES = 64 * TiB
/** Pods of one node: the estimate's own ceiling (LIMITS.maxPods), 4x the 2,500 OpenShift supports, the most of any distribution (kubelet's default is 110). */
const NODE_PODS = LIMITS.maxPods
/** Running pods in a cluster: the estimate's ceiling on workload.clusterPods, over 60x the 150,000 Kubernetes is designed for. */
const CLUSTER_PODS = LIMITS.pods * 10
/** Requests a second through all proxies of a cluster: about ten times the HTTP traffic of Cloudflare's whole network (~1e8 a second). */
const CLUSTER_REQUESTS_PER_SECOND = 1e9
/**
 * A price per core-hour, GiB-hour or node-hour: the estimate's own ceiling (LIMITS.price), which POST /estimate
 * enforces on every price. List prices are ~0.01-0.1 USD per core-hour and at most a few hundred USD per node-hour.
 */
const PRICE = LIMITS.price

/** What one quantity may be. */
export interface Bound {
  min: number
  /** min itself is implausible too: a node has more than 0 CPUs */
  minExclusive?: boolean
  max: number
  /** a count: whole numbers only */
  whole?: boolean
  /** the unit, for the reason: cores, bytes, pods... */
  unit: 'cores' | 'bytes' | 'pods' | 'requests/s' | 'an hour'
}

export const BOUNDS = {
  nodeCpuCores: { min: 0, minExclusive: true, max: NODE_CPU_CORES, unit: 'cores' },
  nodeMemoryBytes: { min: 0, minExclusive: true, max: NODE_MEMORY_BYTES, unit: 'bytes' },
  nodePods: { min: 1, max: NODE_PODS, whole: true, unit: 'pods' },
  // The kubelet subtracts its reservations from capacity and stops at 0; allocatable above capacity is refused apart.
  allocatableCpuCores: { min: 0, max: NODE_CPU_CORES, unit: 'cores' },
  allocatableMemoryBytes: { min: 0, max: NODE_MEMORY_BYTES, unit: 'bytes' },
  allocatablePods: { min: 0, max: NODE_PODS, whole: true, unit: 'pods' },
  // A running pod was scheduled where its requests fit, so no request is larger than a node.
  podCpuRequestCores: { min: 0, max: NODE_CPU_CORES, unit: 'cores' },
  podMemoryRequestBytes: { min: 0, max: NODE_MEMORY_BYTES, unit: 'bytes' },
  runningPods: { min: 0, max: CLUSTER_PODS, whole: true, unit: 'pods' },
  // A replica uses at most its node: these are multiplied by the replicas (perReplica below).
  componentCpuCores: { min: 0, max: NODE_CPU_CORES, unit: 'cores' },
  componentMemoryBytes: { min: 0, max: NODE_MEMORY_BYTES, unit: 'bytes' },
  requestsPerSecond: { min: 0, max: CLUSTER_REQUESTS_PER_SECOND, unit: 'requests/s' },
  unitPrice: { min: 0, max: PRICE, unit: 'an hour' },
  nodePrice: { min: 0, max: PRICE, unit: 'an hour' }
} as const satisfies Record<string, Bound>

/** A per-replica bound over all replicas of a component. */
export const perReplica = (bound: Bound, replicas: number): Bound => ({ ...bound, max: bound.max * replicas })

/** A value as Prometheus writes it: NaN, +Inf, -Inf, else the number. */
export function promValue (value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}

function amount (x: number, unit: Bound['unit']): string {
  if (unit === 'bytes' && x >= TiB) return `${x / TiB} TiB`
  if (unit === 'bytes' && x >= GiB) return `${x / GiB} GiB`
  return unit === 'an hour' ? `${x} an hour` : `${x} ${unit}`
}

/** Why a value is implausible ({ kind, text }), or null when it is plausible. */
export function fault (value: number, bound: Bound): { kind: string, text: string } | null {
  const why = (kind: string, text = kind) => ({ kind, text: `${text} (${promValue(value)})` })
  if (Number.isNaN(value)) return why('not a number')
  if (!Number.isFinite(value)) return why('infinite')
  if (value < 0 && bound.min >= 0) return why('negative')
  if (value < bound.min || (bound.minExclusive === true && value === bound.min)) {
    return why('too small', bound.minExclusive === true ? `not above ${amount(bound.min, bound.unit)}` : `below ${amount(bound.min, bound.unit)}`)
  }
  if (value > bound.max) return why('too large', `above ${amount(bound.max, bound.unit)}`)
  if (bound.whole === true && !Number.isInteger(value)) return why('not a whole number')
  return null
}

interface Tally { family: Family, series: string, replacedBy: string, seen: number, dropped: number, faults: Map<string, string> }

/**
 * The checks of one read: each value checked is counted under its series (the family and what tells the
 * quantity apart, e.g. kube_node_status_capacity{resource="cpu"}); the dropped ones become `missing` entries.
 */
export class Plausibility {
  private readonly tallies = new Map<string, Tally>()

  /** The value when it is plausible; else null, and the drop is noted with `replacedBy`, what meshcost uses instead. */
  check (family: Family, series: string, value: number, bound: Bound, replacedBy: string): number | null {
    const tally = this.tally(family, series, replacedBy)
    tally.seen++
    const found = fault(value, bound)
    if (found === null) return value
    this.drop(tally, found.kind, found.text)
    return null
  }

  /** Drops a value that passed check() but contradicts another (allocatable above capacity). */
  reject (family: Family, series: string, kind: string, text: string, replacedBy: string): void {
    this.drop(this.tally(family, series, replacedBy), kind, text)
  }

  /** The `missing` entry of a series, when something of it was dropped. */
  entry (series: string): Missing | undefined {
    const tally = this.tallies.get(series)
    return tally === undefined || tally.dropped === 0 ? undefined : toMissing(tally)
  }

  /** Every series with drops, in the order of FAMILIES, then as first checked. */
  missing (): Missing[] {
    const order = Object.keys(FAMILIES)
    return [...this.tallies.values()]
      .filter((t) => t.dropped > 0)
      .sort((a, b) => order.indexOf(a.family) - order.indexOf(b.family))
      .map(toMissing)
  }

  private tally (family: Family, series: string, replacedBy: string): Tally {
    let tally = this.tallies.get(series)
    if (tally === undefined) {
      tally = { family, series, replacedBy, seen: 0, dropped: 0, faults: new Map() }
      this.tallies.set(series, tally)
    }
    return tally
  }

  private drop (tally: Tally, kind: string, text: string): void {
    tally.dropped++
    if (!tally.faults.has(kind)) tally.faults.set(kind, text) // the first value of each kind, as an example
  }
}

function toMissing (t: Tally): Missing {
  const faults = [...t.faults.values()].join(', ')
  const what = t.seen <= 1 && t.dropped === 1 ? 'dropped' : `${t.dropped} of ${Math.max(t.seen, t.dropped)} series dropped`
  return { metric: t.family, exporter: FAMILIES[t.family], replacedBy: t.replacedBy, dropped: t.dropped, reason: `${t.series}: ${what}: ${faults}` }
}
