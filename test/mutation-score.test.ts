// scripts/mutation-score.ts: the per-file table read from an incremental report, on a made-up report whose
// score is worked out by hand.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'

const mutant = (status: string) => ({ status, mutatorName: 'ArithmeticOperator', location: { start: { line: 1 } } })
const statuses = (counts: Record<string, number>) => Object.entries(counts).flatMap(([s, n]) => Array.from({ length: n }, () => mutant(s)))

t.test('per file and in all: (killed + timed out) / (all but compile errors), and killed alone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mutation-score-'))
  const path = join(dir, 'incremental.json')
  writeFileSync(path, JSON.stringify({
    files: {
      'src/engine/b.ts': { mutants: statuses({ Killed: 6, Timeout: 1, Survived: 2, NoCoverage: 1 }) },
      'src/engine/a.ts': { mutants: statuses({ Killed: 3, Survived: 1, CompileError: 4 }) },
      'src/encoders/csv.ts': { mutants: statuses({ Killed: 1, Survived: 1 }) }
    }
  }))
  const lines = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/mutation-score.ts', path], { encoding: 'utf8' }).trim().split('\n')
  t.same(lines.slice(2), [
    '| `src/encoders/csv.ts` | 2 | 1 | 0 | 1 | 0 | 50.0 % | 50.0 % |',
    '| `src/engine/a.ts` | 4 | 3 | 0 | 1 | 0 | 75.0 % | 75.0 % |', // compile errors are not mutants that ran
    '| `src/engine/b.ts` | 10 | 6 | 1 | 2 | 1 | 70.0 % | 60.0 % |', // (6 + 1) / 10; 6 / 10
    '| **`src/engine/` in all** | 14 | 9 | 1 | 3 | 1 | 71.4 % | 64.3 % |', // (9 + 1) / 14; 9 / 14
    '| **every file in all** | 16 | 10 | 1 | 4 | 1 | 68.8 % | 62.5 % |' // (10 + 1) / 16; 10 / 16
  ])
})
