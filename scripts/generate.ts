// npm run generate              rewrites every generated file, in the order each depends on the one before:
//   1. models/fitted/            the usage coefficients fitted to models/evidence (scripts/fit.ts)
//   2. docs/validation.svg       and the leave-one-source-out tables in docs/models.md (scripts/validation.ts)
//   3. openapi/openapi.json      the API document (scripts/openapi.ts)
//   4. docs' generated blocks    and test/golden/, the answers the docs' examples show (test/docs.test.ts)
// npm run generate -- --check   rewrites nothing; exits 1 naming each stale file (the tests run the same checks)
// Each step reads what the steps before it wrote: a fit changes the served models, which change the validation
// report, the examples' answers and the goldens.
import { spawnSync } from 'node:child_process'
import { PACKAGE_ROOT } from '../src/config.js'

const check = process.argv.includes('--check')
const tsx = (script: string): string[] => ['npx', 'tsx', script, ...(check ? ['--check'] : [])]
const steps: Array<{ name: string, command: string[], env?: Record<string, string> }> = [
  { name: 'models/fitted/', command: tsx('scripts/fit.ts') },
  { name: 'docs/validation.svg and docs/models.md\'s validation tables', command: tsx('scripts/validation.ts') },
  { name: 'openapi/openapi.json', command: tsx('scripts/openapi.ts') },
  // test/docs.test.ts checks the docs against the service; with UPDATE_GOLDEN=1 it rewrites them instead.
  { name: 'the docs\' generated blocks and test/golden/', command: ['npx', 'tap', '--disable-coverage', '--reporter=terse', 'test/docs.test.ts'], env: check ? {} : { UPDATE_GOLDEN: '1' } }
]

let stale = 0
for (const step of steps) {
  const [command, ...args] = step.command as [string, ...string[]]
  const run = spawnSync(command, args, { cwd: PACKAGE_ROOT, stdio: 'inherit', env: { ...process.env, ...step.env } })
  if (run.status !== 0) {
    console.error(`npm run generate: ${step.name}: ${check ? 'stale, or its check failed' : 'failed'}${check || step.env === undefined ? '' : ' (the generated blocks are written; a failing prose claim above is a sentence to edit by hand)'}`)
    stale++
    if (!check) process.exit(1) // a later step would read what this one failed to write
  }
}
if (check && stale > 0) {
  console.error('run npm run generate, and review the diff')
  process.exit(1)
}
console.log(check ? 'every generated file is current' : 'generated: models/fitted/, docs/validation.svg, openapi/openapi.json, the docs\' generated blocks, test/golden/')
