// StrykerJS: mutation testing of the engine, the CSV writer and the problem mapping (docs/testing.md).
// `npx stryker run` mutates them all against every fast in-process test file below (no HTTP tests: each
// mutant starts the test files that reach it, so every second of a test file counts thousands of times).
// `npx stryker run --mutate src/engine/<file>.ts` runs only the test files written for that file (TESTS_OF):
// much cheaper, and a lower bound on the full run's score for that file. A long file can be run in line ranges
// (`--mutate src/engine/estimate.ts:1-130`), each of which records its results when it ends. Results accumulate in
// test/mutation/incremental.json (not in git; a CI cache may keep it), so a rerun tests only what changed.
const TESTS_OF = {
  'src/engine/calibration.ts': ['test/engine/calibration.test.ts'],
  'src/engine/capacity.ts': ['test/engine/capacity.test.ts', 'test/engine/capacity.providers.test.ts'],
  'src/engine/delta.ts': ['test/engine/delta.test.ts'],
  'src/engine/estimate.ts': ['test/engine/estimate.test.ts', 'test/engine/estimate.sources.test.ts', 'test/engine/estimate.replicas.test.ts', 'test/engine/estimate.shipped.test.ts', 'test/engine/estimate.scaling.test.ts', 'test/engine/estimate.waypoints.test.ts', 'test/engine/estimate.proxy-requests.test.ts', 'test/engine/estimate.properties.test.ts', 'test/engine/estimate.totals.test.ts'],
  'src/engine/fit.ts': ['test/engine/fit.test.ts'],
  'src/engine/jackknife.ts': ['test/engine/jackknife.test.ts'],
  'src/engine/pricing.ts': ['test/engine/pricing.test.ts'],
  'src/engine/recommend.ts': ['test/engine/recommend.test.ts', 'test/engine/recommend.reasons.test.ts'],
  'src/engine/scenario.ts': ['test/engine/scenario.resolve.test.ts', 'test/engine/scenario.test.ts'],
  'src/engine/sensitivity.ts': ['test/engine/sensitivity.test.ts'],
  'src/engine/answer.ts': ['test/engine/summary.test.ts', 'test/engine/estimate.test.ts', 'test/engine/sensitivity.test.ts'],
  'src/engine/sweep.ts': ['test/engine/sweep.test.ts'],
  'src/engine/sweep-totals.ts': ['test/engine/sweep-totals.test.ts', 'test/engine/sweep.test.ts'],
  'src/engine/usage.ts': ['test/engine/usage.test.ts', 'test/engine/estimate.test.ts', 'test/engine/estimate.shipped.test.ts'],
  'src/engine/validation.ts': ['test/engine/validation.test.ts'],
  'src/encoders/csv.ts': ['test/encoders/csv.test.ts'],
  'src/plugins/problem.ts': ['test/plugins/problem.test.ts']
}
const ALL = ['test/engine/*.test.ts', 'test/encoders/csv.test.ts', 'test/plugins/problem.test.ts']

const at = process.argv.indexOf('--mutate')
const only = at === -1 ? undefined : process.argv[at + 1]?.split(',').map((f) => f.replace(/:[\d:-]+$/, '')) // a file, or a file:line-line range
const testFiles = only?.every((f) => f in TESTS_OF) === true ? [...new Set(only.flatMap((f) => TESTS_OF[f]))] : ALL

export default {
  $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  testRunner: 'tap',
  tap: { testFiles, nodeArgs: ['--import', 'tsx'] },
  mutate: ['src/engine/**/*.ts', 'src/encoders/csv.ts', 'src/plugins/problem.ts'],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'test/mutation/incremental.json',
  concurrency: 2,
  timeoutMS: 15000,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp'
}
