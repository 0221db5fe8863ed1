// One replica's usage from its model: the base range plus each scaling term times the value of its driver, and a
// fitted figure's range (fittedRange, which the validation also uses). The fit predicts in its own units from a
// record's setup (fit.ts pointAt), on the terms it fits, not on a model's parsed usage.
import { cpuCores, memoryGiB } from '../models/quantity.js'
import type { PartFactors, ScalingDriver, Usage } from '../models/schema.js'
import type { Range } from '../schemas/common.js'
import { memoized } from './memo.js'
import { mapRange } from '../units.js'

/** A usage model with its quantity strings parsed: what every estimate multiplies. */
export interface NumericUsage {
  cpu: Range
  memory: Range
  terms: Array<{ per: ScalingDriver, cpu: Range | null, memory: Range | null }>
  /** the fitted intervals' factors (Usage.intervals), or null where the terms' own ranges add up */
  cpuFactors: PartFactors | null
  memoryFactors: PartFactors | null
}

/**
 * A fitted prediction's range from its jackknife factors (src/engine/jackknife.ts): the base's factors on the part the
 * base and the unfitted terms carry, the fitted slope's on the slope's part, their excesses combined as independent
 * errors, in quadrature. The idle cost's spread (configuration, telemetry, threads) and the per-request cost's (CPU
 * type, payload, protocol) come from different causes, so a cluster is not expected at both 95th percentiles at
 * once; a plain sum would be. Monotone: more of any driver never lowers a bound.
 */
export function fittedRange (f: Pick<PartFactors, 'low' | 'high'> & { slope?: { low: number, high: number } }, expected: number, slopePart: number): { low: number, high: number } {
  const s = f.slope ?? f
  const rest = expected - slopePart
  return {
    low: expected - Math.hypot(rest * (1 - f.low), slopePart * (1 - s.low)),
    high: expected + Math.hypot(rest * (f.high - 1), slopePart * (s.high - 1))
  }
}

// Parsed once per usage model (the models do not change while they are loaded), not once per estimate.
const parsed = new WeakMap<Usage, NumericUsage>()

export function numeric (usage: Usage): NumericUsage {
  return memoized(parsed, usage, parseUsage)
}

function parseUsage (usage: Usage): NumericUsage {
  return {
    cpu: mapRange((k) => cpuCores(usage.cpu[k])),
    memory: mapRange((k) => memoryGiB(usage.memory[k])),
    terms: (usage.scaling ?? []).map((term) => ({
      per: term.per,
      cpu: term.cpu === undefined ? null : mapRange((k) => cpuCores((term.cpu as Usage['cpu'])[k])),
      memory: term.memory === undefined ? null : mapRange((k) => memoryGiB((term.memory as Usage['memory'])[k]))
    })),
    cpuFactors: usage.intervals?.cpu ?? null,
    memoryFactors: usage.intervals?.memory ?? null
  }
}

/** One replica's usage, written in place by termsAt and replicaUsage (plain numbers: the estimate runs it per component and x). */
export class OneReplica {
  cpuLow = 0; cpuExpected = 0; cpuHigh = 0
  memoryLow = 0; memoryExpected = 0; memoryHigh = 0
  /** the part of the expected value that the fitted slope's term carries (0 without one) */
  cpuSlope = 0; memorySlope = 0
}

/** The value of each scaling driver for one replica (estimate.ts reads them off a scenario). */
export interface DriverValues { value: (per: ScalingDriver) => number }

/**
 * One replica's usage when each driver has the value `drivers` gives it: the base range plus each term times its
 * driver, bound by bound. Without fitted factors this is the replica's range; the HPA's replica count reads its
 * expected CPU alone.
 */
export function termsAt (model: NumericUsage, drivers: DriverValues, out: OneReplica): void {
  const { cpuFactors, memoryFactors } = model
  let cpuLow = model.cpu.low; let cpuExpected = model.cpu.expected; let cpuHigh = model.cpu.high
  let memoryLow = model.memory.low; let memoryExpected = model.memory.expected; let memoryHigh = model.memory.high
  let cpuSlope = 0; let memorySlope = 0
  const cpuSlopePer = cpuFactors?.slope?.per
  const memorySlopePer = memoryFactors?.slope?.per
  for (const term of model.terms) {
    const x = drivers.value(term.per)
    const { cpu, memory } = term
    if (cpu !== null) {
      cpuLow += cpu.low * x; cpuExpected += cpu.expected * x; cpuHigh += cpu.high * x
      if (term.per === cpuSlopePer) cpuSlope += cpu.expected * x
    }
    if (memory !== null) {
      memoryLow += memory.low * x; memoryExpected += memory.expected * x; memoryHigh += memory.high * x
      if (term.per === memorySlopePer) memorySlope += memory.expected * x
    }
  }
  out.cpuLow = cpuLow; out.cpuExpected = cpuExpected; out.cpuHigh = cpuHigh
  out.memoryLow = memoryLow; out.memoryExpected = memoryExpected; out.memoryHigh = memoryHigh
  out.cpuSlope = cpuSlope; out.memorySlope = memorySlope
}

/**
 * One replica's usage range: termsAt, then a fitted figure's low and high are fittedRange's, on the part of the
 * expected value its fitted slope carries. The estimate stops each bound at the replica's ceiling (estimate.ts
 * sumReplicas).
 */
export function replicaUsage (model: NumericUsage, drivers: DriverValues, out: OneReplica): void {
  termsAt(model, drivers, out)
  const { cpuFactors, memoryFactors } = model
  if (cpuFactors !== null) { const r = fittedRange(cpuFactors, out.cpuExpected, out.cpuSlope); out.cpuLow = r.low; out.cpuHigh = r.high }
  if (memoryFactors !== null) { const r = fittedRange(memoryFactors, out.memoryExpected, out.memorySlope); out.memoryLow = r.low; out.memoryHigh = r.high }
}

/** The drivers a usage model scales with. */
export function driversOf (usage: Usage): ScalingDriver[] {
  return numeric(usage).terms.map((t) => t.per)
}
