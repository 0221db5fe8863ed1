// Rebuilds a published figure as a scenario and reads back what the model file gives for one replica: an
// arithmetic guard on the model files as written (models/fitted/ figures are checked by leave-one-source-out).
import type { Models } from '../models/load.js'
import { cpuCores, memoryGiB } from '../models/quantity.js'
import type { Calibration, MeshModel } from '../models/schema.js'
import { estimate } from './estimate.js'

export interface CalibrationResult {
  model: { cpuCores: number, memoryGiB: number }
  published: { cpuCores?: number, memoryGiB?: number }
  /** every published figure within the stated tolerance */
  pass: boolean
}

const within = (model: number, published: number, percent: number): boolean =>
  Math.abs(model - published) <= (percent / 100) * published + 1e-9

export function reproduce (mesh: MeshModel, calibration: Calibration, models: Models): CalibrationResult {
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
    ...(s.nodes === undefined ? {} : { cluster: { nodes: s.nodes } }),
    ...(s.sidecarScoping === undefined ? {} : { options: { sidecarScoping: s.sidecarScoping } })
  }, { ...models, meshes: models.priors }) // the model file the figure was built into, before the evidence fit
  const component = result.estimates[0]?.components.find((c) => c.id === calibration.component)
  if (component === undefined || component.replicas === 0) throw new Error(`${mesh.id}: ${calibration.component} is not in the estimate`)
  const model = { cpuCores: component.usage.cpuCores.expected / component.replicas, memoryGiB: component.usage.memoryGiB.expected / component.replicas }
  const published = {
    ...(calibration.cpu === undefined ? {} : { cpuCores: cpuCores(calibration.cpu) }),
    ...(calibration.memory === undefined ? {} : { memoryGiB: memoryGiB(calibration.memory) })
  }
  const pass = (published.cpuCores === undefined || within(model.cpuCores, published.cpuCores, calibration.tolerancePercent)) &&
    (published.memoryGiB === undefined || within(model.memoryGiB, published.memoryGiB, calibration.tolerancePercent))
  return { model, published, pass }
}
