// The answers of POST /estimate: the full one (every mesh's estimate, the assumptions and the sensitivity of the
// cost to each default) and view=summary's (per mesh the totals, capacity, cost and delta). estimate.ts computes
// the meshes; sensitivity.ts varies them; this module puts the answer together, above both.
import type { Models } from '../models/load.js'
import type { EstimateRequest, EstimateResponse, EstimateSummaryResponse } from '../schemas/estimate.js'
import { borrowedEvidence, borrowedEvidenceNote } from './borrowed-evidence.js'
import { estimateMeshes, GENERAL_NOTES, included, summarizeMeshes } from './estimate.js'
import { sensitivityOf } from './sensitivity.js'
import { HOURS_PER_MONTH, round } from '../units.js'

export function estimate (request: EstimateRequest, models: Models): EstimateResponse {
  const { scenario, workload, estimates, cores } = estimateMeshes(request, models)
  return {
    estimates,
    assumptions: {
      basis: scenario.basis,
      hoursPerMonth: HOURS_PER_MONTH,
      pricing: scenario.prices, // to 10 significant digits, as computed with: see resolveScenario
      requestsPerSecondPerPod: round(scenario.requestsPerSecondPerPod, 6),
      trafficDistribution: scenario.distribution,
      hopsPerRequest: scenario.hopsPerRequest,
      services: scenario.services,
      clusterPods: scenario.clusterPods,
      servicesVisiblePerSidecar: scenario.servicesVisiblePerSidecar,
      activeConnectionsPerPod: scenario.activeConnectionsPerPod,
      podChurnPerMinute: scenario.podChurnPerMinute,
      waypoints: scenario.waypoints,
      sidecarScoping: scenario.sidecarScoping,
      podRequests: scenario.podRequests,
      proxyRequests: { cpuCores: scenario.proxyRequests.cpuCores ?? null, memoryGiB: scenario.proxyRequests.memoryGiB ?? null },
      cni: scenario.cni,
      highAvailability: scenario.highAvailability,
      observability: scenario.observability,
      defaultsApplied: scenario.defaultsApplied,
      sensitivity: sensitivityOf(scenario, workload, estimates, cores),
      notes: [...GENERAL_NOTES, ...scenario.notes, ...scenario.meshes.flatMap((mesh) => borrowedEvidence(mesh, models.evidence)
        .filter((b) => included(b.component, scenario)).map((b) => borrowedEvidenceNote(mesh, b)))]
    }
  }
}

/**
 * What view=summary answers: estimate(request)'s figures per mesh, computed without what it leaves out
 * (sensitivity, and each mesh's components, latency and sources), and the scenario's own notes.
 */
export function estimateSummary (request: EstimateRequest, models: Models): EstimateSummaryResponse {
  const { scenario, estimates } = summarizeMeshes(request, models)
  return { view: 'summary', basis: scenario.basis, estimates, notes: [...scenario.notes] }
}
