// view=summary: an estimate cut down to the figures per mesh (totals, capacity, cost, delta), for callers
// that chart or compare and do not need components, sources and assumptions.
import type { Models } from '../models/load.js'
import type { EstimateRequest, EstimateResponse, EstimateSummaryResponse, MeshEstimate, MeshSummary } from '../schemas/estimate.js'
import { GENERAL_NOTES, summarizeMeshes } from './estimate.js'

export function meshSummary (e: MeshEstimate): MeshSummary {
  return {
    mesh: e.mesh,
    name: e.name,
    mode: e.mode,
    version: e.version,
    totals: e.totals,
    capacity: e.capacity,
    cost: e.cost,
    ...(e.delta === undefined ? {} : { delta: e.delta })
  }
}

export function summary (answer: EstimateResponse): EstimateSummaryResponse {
  return {
    view: 'summary',
    basis: answer.assumptions.basis,
    estimates: answer.estimates.map(meshSummary),
    notes: answer.assumptions.notes.slice(GENERAL_NOTES.length)
  }
}

/**
 * The summary of estimate(request), computed without what it leaves out: sensitivity, and each mesh's
 * components, latency and sources.
 */
export function estimateSummary (request: EstimateRequest, models: Models): EstimateSummaryResponse {
  const { scenario, estimates } = summarizeMeshes(request, models)
  return { view: 'summary', basis: scenario.basis, estimates, notes: [...scenario.notes] }
}
