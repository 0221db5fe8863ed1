// One replica's usage from its model: the base range plus each scaling term times the value of its driver.
// Shared by the estimate (drivers from a scenario) and the fit and validation (drivers from a measured setup).
import { cpuCores, memoryGiB } from '../models/quantity.js'
import type { ScalingDriver, Usage } from '../models/schema.js'
import type { Range } from '../schemas/common.js'
import { addRanges, mapRange } from '../units.js'

export interface ReplicaUsage { cpuCores: Range, memoryGiB: Range }

/** Usage of one replica when each driver has the value `driver` gives it. */
export function usageWith (usage: Usage, driver: (per: ScalingDriver) => number): ReplicaUsage {
  let cpu = mapRange((k) => cpuCores(usage.cpu[k]))
  let memory = mapRange((k) => memoryGiB(usage.memory[k]))
  for (const term of usage.scaling ?? []) {
    const x = driver(term.per)
    if (term.cpu) { const t = term.cpu; cpu = addRanges(cpu, mapRange((k) => cpuCores(t[k]) * x)) }
    if (term.memory) { const t = term.memory; memory = addRanges(memory, mapRange((k) => memoryGiB(t[k]) * x)) }
  }
  return { cpuCores: cpu, memoryGiB: memory }
}
