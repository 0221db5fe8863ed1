// What-if cost as Prometheus metrics: the live cluster re-estimated on an interval (CLUSTER_REFRESH_S), every
// mesh's cost and overhead exported as gauges beside OpenCost's series, and for the mesh that runs, measured
// usage beside the model's range per component, so that an alert can say when reality leaves the model.
// Names follow Prometheus' conventions: base units (_bytes, _seconds; CPU in _cores as cAdvisor's rates are),
// one _info metric for versions, no per-pod labels (mesh, component, basis and bound are bounded sets).
import { Gauge, type Registry } from 'prom-client'
import type { Models } from '../models/load.js'
import type { Basis } from '../schemas/estimate.js'
import type { PrometheusClient } from './client.js'
import { PrometheusError } from './client.js'
import { readCluster } from './cluster.js'
import { defaultScope } from './queries.js'
import { clusterEstimate } from './scenario.js'

const GiB = 2 ** 30
const BASES: readonly Basis[] = ['requests', 'usage', 'max']
const BOUNDS = ['low', 'expected', 'high'] as const

/** The gauges, registered in `registry`: set by each successful refresh, kept as they were by a failed one. */
export function whatIfGauges (registry: Registry, version: string) {
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Gauge<L>({ name, help, labelNames, registers: [registry] })
  const info = gauge('meshcost_info', 'meshcost\'s version (value 1)', ['version'])
  info.set({ version }, 1)
  const g = {
    monthly: gauge('meshcost_whatif_monthly_cost', 'Allocated monthly cost of a mesh\'s overhead on the live cluster, in its currency (730 hours)', ['mesh', 'basis', 'bound', 'currency']),
    cpu: gauge('meshcost_whatif_cpu_cores', 'CPU overhead of a mesh on the live cluster, cores, on the basis', ['mesh', 'basis', 'bound']),
    memory: gauge('meshcost_whatif_memory_bytes', 'Memory overhead of a mesh on the live cluster, bytes, on the basis', ['mesh', 'basis', 'bound']),
    sidecars: gauge('meshcost_whatif_sidecars', 'Proxy containers a mesh injects into the live cluster\'s application pods', ['mesh']),
    nodes: gauge('meshcost_whatif_additional_nodes', 'Nodes a mesh adds to the live cluster, on the basis', ['mesh', 'basis']),
    measuredCpu: gauge('meshcost_component_measured_cpu_cores', 'CPU a running mesh component uses per replica, measured (cAdvisor, mean over the window)', ['mesh', 'component']),
    measuredMemory: gauge('meshcost_component_measured_memory_bytes', 'Memory a running mesh component uses per replica, measured (cAdvisor working set, mean over the window)', ['mesh', 'component']),
    modelledCpu: gauge('meshcost_component_modelled_cpu_cores', 'CPU the model gives a running mesh component per replica, for the live cluster', ['mesh', 'component', 'bound']),
    modelledMemory: gauge('meshcost_component_modelled_memory_bytes', 'Memory the model gives a running mesh component per replica, for the live cluster', ['mesh', 'component', 'bound'])
  }
  return {
    /** Replaces every series with this refresh's: a mesh or component no longer estimated disappears. */
    set (byBasis: ReadonlyArray<{ basis: Basis, result: ReturnType<typeof clusterEstimate> }>): void {
      for (const each of Object.values(g)) each.reset()
      for (const { basis, result } of byBasis) {
        for (const e of result.estimates) {
          for (const bound of BOUNDS) {
            g.monthly.set({ mesh: e.mesh, basis, bound, currency: e.cost.currency }, e.cost.monthly[bound])
            g.cpu.set({ mesh: e.mesh, basis, bound }, e.totals.cpuCores[bound])
            g.memory.set({ mesh: e.mesh, basis, bound }, e.totals.memoryGiB[bound] * GiB)
          }
          g.sidecars.set({ mesh: e.mesh }, e.totals.sidecars)
          g.nodes.set({ mesh: e.mesh, basis }, e.capacity.additionalNodes)
        }
      }
      // Usage does not depend on the basis: any estimate's components carry it.
      const first = byBasis[0]?.result
      for (const m of first?.measured ?? []) {
        const estimated = first?.estimates.find((e) => e.mesh === m.mesh)
        for (const c of m.components) {
          const component = estimated?.components.find((x) => x.id === c.component)
          if (component === undefined || component.replicas === 0) continue
          const labels = { mesh: m.mesh, component: c.component }
          g.measuredCpu.set(labels, c.measured.cpuCoresPerReplica)
          g.measuredMemory.set(labels, c.measured.memoryGiBPerReplica * GiB)
          for (const bound of BOUNDS) {
            g.modelledCpu.set({ ...labels, bound }, component.usage.cpuCores[bound] / component.replicas)
            g.modelledMemory.set({ ...labels, bound }, component.usage.memoryGiB[bound] / component.replicas * GiB)
          }
        }
      }
    }
  }
}

/** The refresh's own health: success of the last attempt, when the last success was, how long it took. */
function refreshGauges (registry: Registry) {
  let lastSuccessSeconds = 0
  const success = new Gauge({ name: 'meshcost_cluster_refresh_success', help: '1 when the last refresh of the live cluster\'s estimate succeeded, 0 when it failed (the meshcost_whatif_* series then hold the last good values)', registers: [registry] })
  const last = new Gauge({ name: 'meshcost_cluster_refresh_last_success_timestamp_seconds', help: 'When the live cluster\'s estimate was last refreshed successfully, Unix time; 0 before the first', registers: [registry] })
  // eslint-disable-next-line no-new -- registered in the registry, computed on each scrape
  new Gauge({
    name: 'meshcost_cluster_refresh_age_seconds',
    help: 'Seconds since the live cluster\'s estimate was last refreshed successfully; -1 before the first',
    registers: [registry],
    collect () { this.set(lastSuccessSeconds === 0 ? -1 : Date.now() / 1000 - lastSuccessSeconds) }
  })
  const duration = new Gauge({ name: 'meshcost_cluster_refresh_duration_seconds', help: 'How long the last refresh took (reading Prometheus and estimating)', registers: [registry] })
  return {
    succeeded (seconds: number): void {
      lastSuccessSeconds = Date.now() / 1000
      success.set(1)
      last.set(lastSuccessSeconds)
      duration.set(seconds)
    },
    failed (seconds: number): void {
      success.set(0)
      duration.set(seconds)
    }
  }
}

export interface Refresher { refresh: () => Promise<boolean>, stop: () => void }

/**
 * Re-estimates the live cluster every `everySeconds` (and once at start), off the request path: a slow or
 * failing Prometheus delays no answer. A failure keeps the last values, sets the success gauge to 0 and is
 * logged once, until a refresh succeeds again.
 */
export function startRefresh (options: {
  client: PrometheusClient
  models: Models
  registry: Registry
  version: string
  everySeconds: number
  /** the range of measured rates and averages */
  window: string
  log: { warn: (obj: object, msg: string) => void, info: (obj: object, msg: string) => void }
}): Refresher {
  const whatif = whatIfGauges(options.registry, options.version)
  const health = refreshGauges(options.registry)
  let failing = false
  let running: Promise<boolean> | undefined
  async function once (): Promise<boolean> {
    const started = performance.now()
    try {
      const read = await readCluster(options.client, options.models, defaultScope, options.window)
      whatif.set(BASES.map((basis) => ({ basis, result: clusterEstimate(read, { basis }, options.models) })))
      health.succeeded((performance.now() - started) / 1000)
      if (failing) options.log.info({}, 'cluster refresh succeeded again')
      failing = false
      return true
    } catch (err) {
      health.failed((performance.now() - started) / 1000)
      // The operator's reason (the logger redacts the address and the token); once, not every interval.
      if (!failing) options.log.warn({ reason: err instanceof PrometheusError ? err.reason : (err as Error).message }, 'cluster refresh failed: the meshcost_whatif_* series keep their last values')
      failing = true
      return false
    }
  }
  const refresh = async (): Promise<boolean> => {
    running ??= once().finally(() => { running = undefined })
    return await running
  }
  const background = (): void => { refresh().catch(() => undefined) } // once() never rejects; this keeps it so
  const timer = setInterval(background, options.everySeconds * 1000).unref()
  background()
  return { refresh, stop: () => { clearInterval(timer) } }
}
