// What the meshcost command writes, shared by its subcommands (cli.ts, cli-cluster.ts): where the
// output goes, and the readable table of an estimate.
import type { EstimateRequest, EstimateResponse } from '../schemas/estimate.js'

export interface Io { out: (text: string) => void, err: (text: string) => void }

const fmt = (x: number, digits = 2): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

/** The readable table: one line per mesh, expected value and (low–high) range. */
export function table (result: EstimateResponse, scenario: EstimateRequest): string {
  const { pricing, basis } = result.assumptions
  const header = ['Mesh', 'CPU cores', 'Memory GiB', `Monthly cost (${pricing.currency})`, 'Sidecars', 'Extra pods', 'Added nodes']
  const rows = result.estimates.map((e) => [
    e.mesh,
    `${fmt(e.totals.cpuCores.expected)} (${fmt(e.totals.cpuCores.low)}–${fmt(e.totals.cpuCores.high)})`,
    `${fmt(e.totals.memoryGiB.expected)} (${fmt(e.totals.memoryGiB.low)}–${fmt(e.totals.memoryGiB.high)})`,
    `${fmt(e.cost.monthly.expected)} (${fmt(e.cost.monthly.low)}–${fmt(e.cost.monthly.high)})`,
    String(e.totals.sidecars),
    String(e.totals.extraPods),
    String(e.capacity.additionalNodes)
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd()
  const capacity = result.estimates[0]?.capacity
  // With node pools, each pool and its nodes without a mesh: "general (aws/m5.large) x3 + spot-arm (aws/m7g.xlarge, spot) x7"
  const node = capacity?.pools === undefined
    ? capacity?.nodeType ?? ''
    : capacity.pools.map((p) => `${p.name === p.nodeType ? p.nodeType : `${p.name} (${p.nodeType})`}${p.pricingModel === 'onDemand' ? '' : ` ${p.pricingModel}`} x${p.nodesWithoutMesh}`).join(' + ')
  return [
    `${scenario.pods} pods on ${node}, ${basis} basis, prices: ${pricing.source} (${pricing.currency}); expected (low–high)`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ''
  ].join('\n')
}
