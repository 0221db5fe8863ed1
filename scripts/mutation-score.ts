// The mutation score held in test/mutation/incremental.json, per file and in all, without running anything:
// `npm run test:mutation:score` (docs/testing.md). Stryker's own table shows only the files of its last run;
// the incremental file holds every run's results. Score = (killed + timed out) / (all - compile errors), as
// Stryker computes it; "covered" leaves out the mutants no test reaches.
import { readFileSync } from 'node:fs'

interface Mutant { status: string, mutatorName: string, location: { start: { line: number } } }
interface Report { files: Record<string, { mutants: Mutant[] }> }

const path = process.argv[2] ?? 'test/mutation/incremental.json'
const report = JSON.parse(readFileSync(path, 'utf8')) as Report
const COLUMNS = ['Killed', 'Timeout', 'Survived', 'NoCoverage'] as const

function row (name: string, mutants: Mutant[]): string {
  const count = (status: string): number => mutants.filter((m) => m.status === status).length
  const [killed, timeout, survived, noCoverage] = COLUMNS.map(count) as [number, number, number, number]
  const valid = killed + timeout + survived + noCoverage
  const score = valid === 0 ? 'n/a' : `${(100 * (killed + timeout) / valid).toFixed(1)} %`
  return `| ${name} | ${valid} | ${killed} | ${timeout} | ${survived} | ${noCoverage} | ${score} |`
}

const files = Object.keys(report.files).sort()
const all = (prefix: string): Mutant[] => files.filter((f) => f.startsWith(prefix)).flatMap((f) => report.files[f]?.mutants ?? [])
console.log('| file | mutants | killed | timed out | survived | not covered | score |')
console.log('|---|---|---|---|---|---|---|')
for (const file of files) console.log(row(`\`${file}\``, report.files[file]?.mutants ?? []))
console.log(row('**`src/engine/` in all**', all('src/engine/')))
console.log(row('**every file in all**', all('')))
