// npx tsx scripts/validation.ts (step 2 of npm run generate) writes docs/validation.svg (predicted against measured, log-log) and the
//                                generated leave-one-source-out tables in docs/models.md
// ... --check exits 1 if either is stale (test/validation-docs.test.ts runs it)
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PACKAGE_ROOT } from '../src/config.js'
import { validate, type Validation, type ValidationRow } from '../src/engine/validation.js'
import { loadModels } from '../src/models/load.js'

export const SVG_FILE = join(PACKAGE_ROOT, 'docs', 'validation.svg')
export const DOC_FILE = join(PACKAGE_ROOT, 'docs', 'models.md')

const COLORS: Record<string, string> = {
  istio: '#466bb0', 'istio-ambient': '#2a9d8f', linkerd: '#e76f51', cilium: '#8a5cb8', kuma: '#c9a227', consul: '#d1495b'
}
const PANEL = 340
const MARGIN = { left: 62, right: 16, top: 40, bottom: 46 }
const fmtTick = (v: number): string => (v >= 1 ? String(v) : v.toPrecision(1))

function panel (rows: ValidationRow[], title: string, unit: string, offsetX: number): string {
  const values = rows.flatMap((r) => [r.measured, r.predicted.expected]).filter((v) => v > 0)
  const lo = Math.floor(Math.log10(Math.min(...values, 1)))
  const hi = Math.ceil(Math.log10(Math.max(...values, 1)))
  const span = Math.max(1, hi - lo)
  const pos = (v: number): number => (Math.log10(Math.max(v, 10 ** lo)) - lo) / span * PANEL
  const x = (v: number): number => offsetX + MARGIN.left + pos(v)
  const y = (v: number): number => MARGIN.top + PANEL - pos(v)
  const out: string[] = ['<g font-family="sans-serif" font-size="11">']
  out.push(`<text x="${offsetX + MARGIN.left + PANEL / 2}" y="${MARGIN.top - 14}" text-anchor="middle" font-size="13" font-weight="bold">${title}</text>`)
  out.push(`<rect x="${offsetX + MARGIN.left}" y="${MARGIN.top}" width="${PANEL}" height="${PANEL}" fill="none" stroke="#999"/>`)
  for (let d = lo; d <= hi; d++) {
    const v = 10 ** d
    out.push(`<line x1="${x(v)}" y1="${MARGIN.top}" x2="${x(v)}" y2="${MARGIN.top + PANEL}" stroke="#eee"/>`)
    out.push(`<line x1="${offsetX + MARGIN.left}" y1="${y(v)}" x2="${offsetX + MARGIN.left + PANEL}" y2="${y(v)}" stroke="#eee"/>`)
    out.push(`<text x="${x(v)}" y="${MARGIN.top + PANEL + 14}" text-anchor="middle">${fmtTick(v)}</text>`)
    out.push(`<text x="${offsetX + MARGIN.left - 4}" y="${y(v) + 4}" text-anchor="end">${fmtTick(v)}</text>`)
  }
  const [a, b] = [10 ** lo, 10 ** hi]
  out.push(`<line x1="${x(a)}" y1="${y(a)}" x2="${x(b)}" y2="${y(b)}" stroke="#333"/>`)
  for (const f of [2, 0.5]) {
    // y = f x, clipped to the panel
    const from = f > 1 ? a : a / f
    const to = f > 1 ? b / f : b
    out.push(`<line x1="${x(from)}" y1="${y(from * f)}" x2="${x(to)}" y2="${y(to * f)}" stroke="#888" stroke-dasharray="4 3"/>`)
  }
  out.push(`<text x="${offsetX + MARGIN.left + PANEL / 2}" y="${MARGIN.top + PANEL + 32}" text-anchor="middle">predicted, ${unit} (fitted without the figure's source)</text>`)
  out.push(`<text transform="translate(${offsetX + 16} ${MARGIN.top + PANEL / 2}) rotate(-90)" text-anchor="middle">measured, ${unit}</text>`)
  // Each counted figure's predicted [low, high] (the nested jackknife interval) as a vertical bar at its predicted
  // value: a point on its bar is inside the range.
  for (const r of rows.filter((row) => row.predictedBy === 'fit' && row.predicted.expected > 0)) {
    const bx = x(r.predicted.expected).toFixed(1)
    out.push(`<line x1="${bx}" y1="${y(Math.max(r.predicted.low, 10 ** lo)).toFixed(1)}" x2="${bx}" y2="${y(Math.min(r.predicted.high, 10 ** hi)).toFixed(1)}" stroke="${COLORS[r.mesh] ?? '#555'}" stroke-opacity="0.25" stroke-width="2"/>`)
  }
  for (const r of rows) {
    const cx = x(r.predicted.expected).toFixed(1)
    const cy = y(r.measured).toFixed(1)
    const color = COLORS[r.mesh] ?? '#555'
    const label = `${r.source}/${r.record} (${r.mesh} ${r.component}, ${r.statistic}): measured ${r.measured}, predicted ${r.predicted.expected}`
    out.push(r.predictedBy === 'fit'
      ? `<circle cx="${cx}" cy="${cy}" r="4" fill="${color}" fill-opacity="0.8"><title>${label}</title></circle>`
      : `<circle cx="${cx}" cy="${cy}" r="4" fill="none" stroke="#999"><title>${label} — model file only</title></circle>`)
  }
  out.push('</g>')
  return out.join('\n')
}

export function validationSvg (report: Validation): string {
  const width = 2 * (MARGIN.left + PANEL + MARGIN.right)
  const height = MARGIN.top + PANEL + MARGIN.bottom + 40
  const meshes = [...new Set(report.rows.map((r) => r.mesh))].sort()
  const legend = meshes.map((m, i) => `<circle cx="${MARGIN.left + i * 110}" cy="${height - 18}" r="4" fill="${COLORS[m] ?? '#555'}"/><text x="${MARGIN.left + 8 + i * 110}" y="${height - 14}">${m}</text>`)
  legend.push(`<circle cx="${MARGIN.left + meshes.length * 110}" cy="${height - 18}" r="4" fill="none" stroke="#999"/><text x="${MARGIN.left + 8 + meshes.length * 110}" y="${height - 14}">no other source (not counted)</text>`)
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<title>meshcost: leave-one-source-out, measured against predicted (log-log); solid line y = x, dashed 2x and 0.5x; bars: the predicted [low, high], built from the other sources only</title>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    panel(report.rows.filter((r) => r.resource === 'cpu'), 'CPU per replica', 'cores', 0),
    panel(report.rows.filter((r) => r.resource === 'memory'), 'Memory per replica', 'MiB', width / 2),
    `<g font-family="sans-serif" font-size="11">${legend.join('')}</g>`,
    '</svg>',
    ''
  ].join('\n')
}

// one decimal: a share of 79.6% must not read as the 80% target
const pct = (x: number | null): string => (x === null ? '—' : `${(Math.round(x * 1000) / 10).toFixed(1)}%`)
const width = (x: number | null): string => (x === null ? '—' : x < 0 ? 'unbounded' : `${x}×`)

export function validationBlock (report: Validation): string {
  const s = report.summary
  const lines = [
    `**Summary** (${s.sources} sources, each left out in turn): ${s.figures} figures predicted by a fit on other sources; ` +
      `**${pct(s.shareWithin2x)} within 2×** (${s.within2x}; target ${pct(report.targets.shareWithin2x)}), ` +
      `**${pct(s.shareInsideRange)} inside [low, high]** (${s.insideRange}; target ${pct(report.targets.shareInsideRange)}; ` +
      `the ${pct(report.interval.coverage)} jackknife interval, built from the other sources' errors only). ` +
      `Median width (high ÷ low) **${width(s.medianWidth)}** (target at most ${report.targets.medianWidth}×), widest **${width(s.maxWidth)}** ` +
      `(target at most ${report.targets.maxWidth}×); interval score ${s.intervalScore ?? '—'} (log2, lower is better). ` +
      `Not counted: ${s.priorOnly} figures no other source measured, or leaning on a model-file term worked out from their own source ` +
      `(only the model file could predict them), and ${s.setupIncomplete} whose setup lacks a driver the model needs. ` +
      `Tallied apart: ${s.faults.figures} figures of defects (crashes, evictions, leaks, storms), ${s.faults.insideRange} of them inside the range.`,
    '',
    '| Engine | Resource | Figures | Within 2× | Inside range | Median width | Widest | Interval score |',
    '|---|---|---|---|---|---|---|---|',
    ...report.engines.map((e) => `| ${e.engine} | ${e.resource} | ${e.figures} | ${e.within2x} (${pct(e.shareWithin2x)}) | ${e.insideRange} (${pct(e.shareInsideRange)}) | ${width(e.medianWidth)} | ${width(e.maxWidth)} | ${e.intervalScore ?? '—'} |`),
    '',
    '| Mesh | Component | Resource | Figures | Within 2× | Inside range | Model file only | Setup incomplete |',
    '|---|---|---|---|---|---|---|---|'
  ]
  for (const c of report.components) {
    lines.push(`| ${c.mesh} | ${c.component} | ${c.resource} | ${c.figures} | ${c.figures === 0 ? '—' : `${c.within2x} (${pct(c.shareWithin2x)})`} | ${c.figures === 0 ? '—' : `${c.insideRange} (${pct(c.shareInsideRange)})`} | ${c.priorOnly} | ${c.setupIncomplete} |`)
  }
  lines.push('', '<details><summary>Every figure: measured against predicted</summary>', '',
    '| Source left out | Record | Mesh / component | Statistic | Measured | Predicted (low–high) | Factor | 2× | Range |', '|---|---|---|---|---|---|---|---|---|')
  for (const r of report.rows) {
    const p = r.predicted
    lines.push(`| ${r.source} | ${r.record} | ${r.mesh} / ${r.component} | ${r.statistic} | ${r.measured} ${r.unit} | ${p.expected} (${p.low}–${p.high})${r.predictedBy === 'fit' ? '' : ` (${r.predictedBy === 'prior' ? 'model file only' : r.predictedBy === 'fault' ? 'a defect' : 'setup incomplete'})`} | ${r.factor} | ${r.within2x ? 'yes' : 'no'} | ${r.insideRange ? 'yes' : 'no'} |`)
  }
  lines.push('', '</details>')
  return lines.join('\n')
}

/** docs/models.md with its `<!-- generated:validation -->` block replaced. */
export function renderDoc (text: string, block: string): string {
  const marked = /<!-- generated:validation -->[\s\S]*?<!-- \/generated -->/
  if (!marked.test(text)) throw new Error('docs/models.md has no <!-- generated:validation --> block')
  return text.replace(marked, () => `<!-- generated:validation -->\n${block}\n<!-- /generated -->`)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const models = loadModels(join(PACKAGE_ROOT, 'models'))
  const report = validate(models.priors, models.evidence)
  const svg = validationSvg(report)
  const doc = renderDoc(readFileSync(DOC_FILE, 'utf8'), validationBlock(report))
  if (process.argv.includes('--check')) {
    let stale = false
    try { stale = readFileSync(SVG_FILE, 'utf8') !== svg } catch { stale = true }
    if (stale) console.error('docs/validation.svg is stale: run npm run generate')
    const docStale = readFileSync(DOC_FILE, 'utf8') !== doc
    if (docStale) console.error('docs/models.md is stale: run npm run generate')
    process.exit(stale || docStale ? 1 : 0)
  }
  writeFileSync(SVG_FILE, svg)
  writeFileSync(DOC_FILE, doc)
  console.log(`wrote docs/validation.svg and docs/models.md: ${report.summary.figures} figures, ${pct(report.summary.shareWithin2x)} within 2x, ${pct(report.summary.shareInsideRange)} inside the range`)
}
