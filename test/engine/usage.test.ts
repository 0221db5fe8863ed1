// One replica's usage: the base range plus each scaling term times its driver, bound by bound. Hand-checked on
// a usage written here (quantities as the model files write them).
import t, { type Test } from 'tap'
import { driversOf, usageWith } from '../../src/engine/usage.js'
import type { ScalingDriver, Usage } from '../../src/models/schema.js'

const usage: Usage = {
  cpu: { low: '10m', expected: '20m', high: '40m', sources: ['x'] },
  memory: { low: '64Mi', expected: '128Mi', high: '256Mi', sources: ['x'] },
  scaling: [
    { per: 'thousandRequestsPerSecond', cpu: { low: '100m', expected: '200m', high: '400m', sources: ['x'] }, memory: { low: '8Mi', expected: '16Mi', high: '32Mi', sources: ['x'] } },
    { per: 'visibleService', memory: { low: '0.5Mi', expected: '1Mi', high: '2Mi', sources: ['x'] } }
  ]
} as Usage

const close = (t: Test, got: number, want: number, what: string) => t.ok(Math.abs(got - want) < 1e-9, `${what}: ${got} = ${want}`)

t.test('every bound adds its own term times the driver', async (t) => {
  // 2,500 rps (2.5 thousand) and 100 services:
  // cpu: 0.01 + 0.1 x 2.5 = 0.26; 0.02 + 0.2 x 2.5 = 0.52; 0.04 + 0.4 x 2.5 = 1.04 cores
  // memory (MiB): 64 + 8 x 2.5 + 0.5 x 100 = 134; 128 + 16 x 2.5 + 1 x 100 = 268; 256 + 32 x 2.5 + 2 x 100 = 536
  const values: Partial<Record<ScalingDriver, number>> = { thousandRequestsPerSecond: 2.5, visibleService: 100 }
  const u = usageWith(usage, (per) => values[per] ?? 0)
  close(t, u.cpuCores.low, 0.26, 'cpu low')
  close(t, u.cpuCores.expected, 0.52, 'cpu expected')
  close(t, u.cpuCores.high, 1.04, 'cpu high')
  close(t, u.memoryGiB.low, 134 / 1024, 'memory low')
  close(t, u.memoryGiB.expected, 268 / 1024, 'memory expected')
  close(t, u.memoryGiB.high, 536 / 1024, 'memory high')
})

t.test('with every driver at zero, the base range', async (t) => {
  const u = usageWith(usage, () => 0)
  t.same([u.cpuCores.low, u.cpuCores.expected, u.cpuCores.high], [0.01, 0.02, 0.04])
  t.same([u.memoryGiB.low, u.memoryGiB.expected, u.memoryGiB.high], [64 / 1024, 128 / 1024, 256 / 1024])
})

t.test('driversOf lists the terms in order; a usage without scaling has none', async (t) => {
  t.same(driversOf(usage), ['thousandRequestsPerSecond', 'visibleService'])
  const flat = { cpu: usage.cpu, memory: usage.memory } as Usage
  t.same(driversOf(flat), [])
  t.same(usageWith(flat, () => 1000).cpuCores, { low: 0.01, expected: 0.02, high: 0.04 })
})
