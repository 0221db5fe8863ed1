// A mesh's totals, as the full estimate (meshCore, estimate.ts) and the sweep (sweep-totals.ts) both compute them:
// the one place where components' figures are summed, rounded and priced. Plain numbers and objects written in
// place, because the sweep runs this once per mesh and x and the ranges it would allocate were most of its garbage.
import type { Component } from '../models/schema.js'
import { HOURS_PER_MONTH, round } from '../units.js'

/** One component's usage and basis, summed over its replicas (sumReplicas, estimate.ts). */
export class ReplicaSums {
  usedCpuLow = 0; usedCpuExpected = 0; usedCpuHigh = 0
  usedMemoryLow = 0; usedMemoryExpected = 0; usedMemoryHigh = 0
  basisCpuLow = 0; basisCpuExpected = 0; basisCpuHigh = 0
  basisMemoryLow = 0; basisMemoryExpected = 0; basisMemoryHigh = 0
}

/** How many replicas of a component run: one per meshed pod, one per node with the mesh, or the cluster count. */
export const replicasOf = (scope: Component['scope'], pods: number, nodesWithMesh: number, clusterReplicas: number): number =>
  scope === 'perPod' ? pods : scope === 'perNode' ? nodesWithMesh : clusterReplicas

/** A mesh's figures as published: totals on the basis, rounded; cost computed from the rounded totals. */
export interface PublishedTotals {
  cpuLow: number
  cpuExpected: number
  cpuHigh: number
  memoryLow: number
  memoryExpected: number
  memoryHigh: number
  hourlyLow: number
  hourlyExpected: number
  hourlyHigh: number
  monthlyLow: number
  monthlyExpected: number
  monthlyHigh: number
}

export const emptyPublished = (): PublishedTotals => ({ cpuLow: 0, cpuExpected: 0, cpuHigh: 0, memoryLow: 0, memoryExpected: 0, memoryHigh: 0, hourlyLow: 0, hourlyExpected: 0, hourlyHigh: 0, monthlyLow: 0, monthlyExpected: 0, monthlyHigh: 0 })

/** The components' figures on the scenario's basis, summed in the components' order from zero. */
export class BasisTotals {
  cpuLow = 0; cpuExpected = 0; cpuHigh = 0
  memoryLow = 0; memoryExpected = 0; memoryHigh = 0

  reset (): void {
    this.cpuLow = 0; this.cpuExpected = 0; this.cpuHigh = 0
    this.memoryLow = 0; this.memoryExpected = 0; this.memoryHigh = 0
  }

  add (s: ReplicaSums): void {
    this.cpuLow += s.basisCpuLow; this.cpuExpected += s.basisCpuExpected; this.cpuHigh += s.basisCpuHigh
    this.memoryLow += s.basisMemoryLow; this.memoryExpected += s.basisMemoryExpected; this.memoryHigh += s.basisMemoryHigh
  }

  /**
   * Into `out`: the totals rounded as the answer publishes them, and their cost at the given unit prices. Cost is
   * computed from the rounded totals, so that anyone can recompute it from the answer.
   */
  publish (prices: { cpuCoreHour: number, memoryGiBHour: number }, out: PublishedTotals): void {
    const { cpuCoreHour, memoryGiBHour } = prices
    out.cpuLow = round(this.cpuLow); out.cpuExpected = round(this.cpuExpected); out.cpuHigh = round(this.cpuHigh)
    out.memoryLow = round(this.memoryLow); out.memoryExpected = round(this.memoryExpected); out.memoryHigh = round(this.memoryHigh)
    out.hourlyLow = out.cpuLow * cpuCoreHour + out.memoryLow * memoryGiBHour
    out.hourlyExpected = out.cpuExpected * cpuCoreHour + out.memoryExpected * memoryGiBHour
    out.hourlyHigh = out.cpuHigh * cpuCoreHour + out.memoryHigh * memoryGiBHour
    out.monthlyLow = round(HOURS_PER_MONTH * out.hourlyLow, 2)
    out.monthlyExpected = round(HOURS_PER_MONTH * out.hourlyExpected, 2)
    out.monthlyHigh = round(HOURS_PER_MONTH * out.hourlyHigh, 2)
  }
}
