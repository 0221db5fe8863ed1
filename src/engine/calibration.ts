// Rebuilds a published figure as a scenario and reads back what one replica uses. On the model file as written
// (the priors) it is an arithmetic guard: the file was built to give the figure back within its tolerance. On the
// served model (the evidence fit in place) the figure must fall inside the replica's [low, high]: the fit pools
// every source, so it need not give one source's figure back, but a range that excludes a project's own
// published figure is wrong. Neither is a prediction check (the fit saw these figures): GET /validation is.
import type { Models } from '../models/load.js'
import { cpuCores, memoryGiB } from '../models/quantity.js'
import type { Calibration, MeshModel } from '../models/schema.js'
import { estimate } from './answer.js'

export interface CalibrationResult {
  model: { cpuCores: number, memoryGiB: number }
  /** one replica's [low, high] */
  range: { cpuCores: { low: number, high: number }, memoryGiB: { low: number, high: number } }
  published: { cpuCores?: number, memoryGiB?: number }
  /** every published figure within the stated tolerance */
  pass: boolean
}

const within = (model: number, published: number, percent: number): boolean =>
  Math.abs(model - published) <= (percent / 100) * published + 1e-9

/** `served`: the model with its evidence fit, judged by its range; otherwise the model file, judged by the tolerance. */
export function reproduce (mesh: MeshModel, calibration: Calibration, models: Models, served = false): CalibrationResult {
  const s = calibration.scenario
  const result = estimate({
    pods: s.pods,
    meshes: [mesh.id],
    basis: 'usage',
    ...(s.requestsPerSecondPerPod === undefined ? {} : { traffic: { requestsPerSecondPerPod: s.requestsPerSecondPerPod } }),
    workload: {
      ...(s.services === undefined ? {} : { services: s.services }),
      ...(s.servicesVisibleWhenScoped === undefined ? {} : { servicesVisibleWhenScoped: s.servicesVisibleWhenScoped })
    },
    ...(s.nodes === undefined && s.nodeType === undefined ? {} : { cluster: { ...(s.nodes === undefined ? {} : { nodes: s.nodes }), ...(s.nodeType === undefined ? {} : { nodeType: s.nodeType }) } }),
    ...(s.sidecarScoping === undefined ? {} : { options: { sidecarScoping: s.sidecarScoping } })
  }, served ? models : { ...models, meshes: models.priors })
  const component = result.estimates[0]?.components.find((c) => c.id === calibration.component)
  if (component === undefined || component.replicas === 0) throw new Error(`${mesh.id}: ${calibration.component} is not in the estimate`)
  const n = component.replicas
  const model = { cpuCores: component.usage.cpuCores.expected / n, memoryGiB: component.usage.memoryGiB.expected / n }
  const perReplica = (r: { low: number, high: number }): { low: number, high: number } => ({ low: r.low / n, high: r.high / n })
  const range = { cpuCores: perReplica(component.usage.cpuCores), memoryGiB: perReplica(component.usage.memoryGiB) }
  const published = {
    ...(calibration.cpu === undefined ? {} : { cpuCores: cpuCores(calibration.cpu) }),
    ...(calibration.memory === undefined ? {} : { memoryGiB: memoryGiB(calibration.memory) })
  }
  // the estimate's figures carry 6 decimals: a bound is met within that rounding
  const inside = (r: { low: number, high: number }, x: number): boolean => x >= r.low - 1e-6 && x <= r.high + 1e-6
  const holds = (resource: 'cpuCores' | 'memoryGiB'): boolean => {
    const figure = published[resource]
    if (figure === undefined) return true
    return served ? inside(range[resource], figure) : within(model[resource], figure, calibration.tolerancePercent)
  }
  return { model, range, published, pass: holds('cpuCores') && holds('memoryGiB') }
}
