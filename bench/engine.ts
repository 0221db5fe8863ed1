// Engine microbenchmarks, in-process: estimates per second of one core, with no HTTP around them.
// "Per CPU-second" divides by the CPU time this process used (process.cpuUsage), which holds steadier than
// wall-clock rates on a machine shared with other work; both are printed.
//
//   npx tsx bench/engine.ts     (npm run bench runs it too)
import { pathToFileURL } from 'node:url'
import { PACKAGE_ROOT } from '../src/config.js'
import { meshTotals, packWorkload } from '../src/engine/estimate.js'
import { estimate, estimateSummary } from '../src/engine/answer.js'
import { resolveScenario } from '../src/engine/scenario.js'
import { planSweep, sweepRows } from '../src/engine/sweep.js'
import { loadModels, type Models } from '../src/models/load.js'
import type { EstimateRequest } from '../src/schemas/estimate.js'
import { bodyGenerator } from './bodies.js'
import { join } from 'node:path'

export interface Rate { calls: number, wallPerSecond: number, cpuPerSecond: number, microsPerCall: number }

/** Calls fn repeatedly for about `ms` of wall time (after a warm-up), in batches so the clock is read rarely. */
export function measure (fn: (i: number) => unknown, ms = 1500): Rate {
  for (let i = 0; i < 2000; i++) fn(i) // warm-up: let V8 optimise
  let calls = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let sink = 0
  while (performance.now() - t0 < ms) {
    for (let j = 0; j < 200; j++) { if (fn(calls++) !== undefined) sink++ }
  }
  const wall = (performance.now() - t0) / 1000
  const cpuUsed = process.cpuUsage(cpu0)
  const cpu = (cpuUsed.user + cpuUsed.system) / 1e6
  if (sink < 0) console.log(sink)
  return { calls, wallPerSecond: calls / wall, cpuPerSecond: calls / cpu, microsPerCall: (cpu * 1e6) / calls }
}

export interface EngineFigures { singleMesh: Rate, singleMeshSummary: Rate, singleMeshTotals: Rate, allMeshes: Rate, allMeshesSummary: Rate, serialise: Rate, meshCount: number, sweepMs: number }

export function engineBench (models: Models, ms = 1500): EngineFigures {
  const meshIds = [...models.meshes.keys()]
  const next = bodyGenerator(7)
  // Pre-drawn bodies, so the generator's own cost is not counted.
  const bodies: EstimateRequest[] = Array.from({ length: 4096 }, () => next())
  const single = bodies.map((b, i): EstimateRequest => ({ ...b, meshes: [meshIds[i % meshIds.length] as string] }))
  const singleMesh = measure((i) => estimate(single[i & 4095] as EstimateRequest, models), ms)
  const singleMeshSummary = measure((i) => estimateSummary(single[i & 4095] as EstimateRequest, models), ms)
  // The totals-only path as sweeps run it: the scenario resolved and the workload packed, then meshTotals.
  const singleMeshTotals = measure((i) => {
    const scenario = resolveScenario(single[i & 4095] as EstimateRequest, models)
    return meshTotals(scenario.meshes[0] as never, scenario, packWorkload(scenario))
  }, ms)
  const allMeshes = measure((i) => estimate(bodies[i & 4095] as EstimateRequest, models), ms)
  const allMeshesSummary = measure((i) => estimateSummary(bodies[i & 4095] as EstimateRequest, models), ms)
  const answers = bodies.slice(0, 64).map((b) => estimate(b, models))
  const serialise = measure((i) => JSON.stringify(answers[i & 63]).length, ms)
  const times: number[] = []
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now()
    // what the routes run: the rows the sweep's encoders write out (sweep-text.ts), here only counted
    const request = { scenario: { pods: 100 }, vary: 'pods' as const, from: 10, to: 100_000, steps: 10_000 }
    let points = 0
    for (const row of sweepRows(request, planSweep(request, models), models)) points += row.count
    if (points === 0) throw new Error('an empty sweep')
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return { singleMesh, singleMeshSummary, singleMeshTotals, allMeshes, allMeshesSummary, serialise, meshCount: meshIds.length, sweepMs: times[2] as number }
}

export function describeEngine (f: EngineFigures): string[] {
  const rate = (r: Rate): string => `${Math.round(r.cpuPerSecond).toLocaleString('en')} per CPU-second (${Math.round(r.wallPerSecond).toLocaleString('en')}/s wall), ${r.microsPerCall.toFixed(1)} µs each`
  return [
    `  estimate(), one mesh (each of the ${f.meshCount} in turn, random pods and traffic), full answer with sensitivity: ${rate(f.singleMesh)}`,
    `  estimateSummary(), one mesh (view=summary: no sensitivity, components kept out of the answer): ${rate(f.singleMeshSummary)}`,
    `  meshTotals() after resolveScenario and packWorkload, one mesh (a sweep point): ${rate(f.singleMeshTotals)}`,
    `  estimate(), all ${f.meshCount} meshes: ${rate(f.allMeshes)}`,
    `  estimateSummary(), all ${f.meshCount} meshes: ${rate(f.allMeshesSummary)}`,
    `  JSON.stringify of an all-mesh answer: ${rate(f.serialise)}`,
    `  sweepRows(), 10,000 points of pods, all meshes, in-process: ${f.sweepMs.toFixed(1)} ms (median of 5)`
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const models = loadModels(join(PACKAGE_ROOT, 'models'))
  console.log('engine, in-process:')
  for (const line of describeEngine(engineBench(models))) console.log(line)
}
