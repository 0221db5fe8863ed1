// One replica's usage: the base range plus each scaling term times its driver, bound by bound. Hand-checked on
// a usage written here (quantities as the model files write them).
import t, { type Test } from 'tap'
import { driversOf, numeric, OneReplica, replicaUsage } from '../../src/engine/usage.js'
import type { ScalingDriver, Usage } from '../../src/models/schema.js'

const usage: Usage = {
  cpu: { low: '10m', expected: '20m', high: '40m', sources: ['x'] },
  memory: { low: '64Mi', expected: '128Mi', high: '256Mi', sources: ['x'] },
  scaling: [
    { per: 'thousandRequestsPerSecond', cpu: { low: '100m', expected: '200m', high: '400m', sources: ['x'] }, memory: { low: '8Mi', expected: '16Mi', high: '32Mi', sources: ['x'] } },
    { per: 'visibleService', memory: { low: '0.5Mi', expected: '1Mi', high: '2Mi', sources: ['x'] } }
  ]
} as Usage

/** One replica's usage with these drivers' values (0 for any other). */
function usageAt (u: Usage, values: Partial<Record<ScalingDriver, number>>): OneReplica {
  const out = new OneReplica()
  replicaUsage(numeric(u), { value: (per) => values[per] ?? 0 }, out)
  return out
}

const close = (t: Test, got: number, want: number, what: string) => t.ok(Math.abs(got - want) < 1e-9, `${what}: ${got} = ${want}`)

t.test('every bound adds its own term times the driver', async (t) => {
  // 2,500 rps (2.5 thousand) and 100 services:
  // cpu: 0.01 + 0.1 x 2.5 = 0.26; 0.02 + 0.2 x 2.5 = 0.52; 0.04 + 0.4 x 2.5 = 1.04 cores
  // memory (MiB): 64 + 8 x 2.5 + 0.5 x 100 = 134; 128 + 16 x 2.5 + 1 x 100 = 268; 256 + 32 x 2.5 + 2 x 100 = 536
  const u = usageAt(usage, { thousandRequestsPerSecond: 2.5, visibleService: 100 })
  close(t, u.cpuLow, 0.26, 'cpu low')
  close(t, u.cpuExpected, 0.52, 'cpu expected')
  close(t, u.cpuHigh, 1.04, 'cpu high')
  close(t, u.memoryLow, 134 / 1024, 'memory low')
  close(t, u.memoryExpected, 268 / 1024, 'memory expected')
  close(t, u.memoryHigh, 536 / 1024, 'memory high')
})

t.test('with every driver at zero, the base range', async (t) => {
  const u = usageAt(usage, {})
  t.same([u.cpuLow, u.cpuExpected, u.cpuHigh], [0.01, 0.02, 0.04])
  t.same([u.memoryLow, u.memoryExpected, u.memoryHigh], [64 / 1024, 128 / 1024, 256 / 1024])
})

t.test('driversOf lists the terms in order; a usage without scaling has none', async (t) => {
  t.same(driversOf(usage), ['thousandRequestsPerSecond', 'visibleService'])
  const flat = { cpu: usage.cpu, memory: usage.memory } as Usage
  t.same(driversOf(flat), [])
  const u = usageAt(flat, { thousandRequestsPerSecond: 1000 })
  t.same([u.cpuLow, u.cpuExpected, u.cpuHigh], [0.01, 0.02, 0.04])
})

t.test('a fitted figure: low and high from the fitted factors, the base part and the slope part in quadrature', async (t) => {
  // cpu factors 0.5-2 on the base, 0.8-1.5 on the per-request slope. At 2.5 thousand rps the expected value is
  // 0.02 + 0.2 x 2.5 = 0.52 cores, of which the slope carries 0.5 and the base 0.02:
  // low  = 0.52 - hypot(0.02 x 0.5, 0.5 x 0.2) = 0.52 - hypot(0.01, 0.1) = 0.52 - 0.100499 = 0.419501
  // high = 0.52 + hypot(0.02 x 1, 0.5 x 0.5)   = 0.52 + hypot(0.02, 0.25) = 0.52 + 0.250799 = 0.770799
  const fitted = { ...usage, intervals: { cpu: { low: 0.5, high: 2, slope: { per: 'thousandRequestsPerSecond', low: 0.8, high: 1.5 } } } } as Usage
  const u = usageAt(fitted, { thousandRequestsPerSecond: 2.5, visibleService: 100 })
  close(t, u.cpuExpected, 0.52, 'cpu expected: the terms, as without factors')
  t.ok(Math.abs(u.cpuLow - 0.419501) < 1e-6, `cpu low ${u.cpuLow}`)
  t.ok(Math.abs(u.cpuHigh - 0.770799) < 1e-6, `cpu high ${u.cpuHigh}`)
  close(t, u.memoryHigh, 536 / 1024, 'memory without factors: the terms\' own bounds')
})
