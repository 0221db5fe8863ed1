// The meshcost command: price a scenario in-process (the shipped models) or against a server (--url), and
// print a table, JSON or CSV. Its flags are GET /estimate's query parameters in kebab-case, validated by the
// same schema, so the command, the URL and the POST body always mean the same scenario.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { MeshcostClient, MeshcostError } from './client.js'
import { PACKAGE_ROOT } from './config.js'
import { estimateCsv } from './encoders/csv.js'
import { estimate } from './engine/answer.js'
import { DomainError } from './errors.js'
import { loadModels } from './models/load.js'
import { table, type Io } from './encoders/table.js'
import { runCluster } from './cli-cluster.js'
import { fieldChecker } from './plugins/validation.js'
import type { EstimateRequest, EstimateResponse } from './schemas/estimate.js'
import { EstimateQuery, queryPointer, queryToRequest } from './schemas/query.js'

const kebab = (name: string): string => name.replace(/GiB/g, 'Gib').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

// Every query parameter but format (--json and --csv say that) becomes a flag.
const PARAMS = Object.entries(EstimateQuery.properties).filter(([name]) => name !== 'format' && name !== 'rows') as Array<[string, { type?: string, description?: string }]>
const FLAG_OF = new Map(PARAMS.map(([name]) => [name, kebab(name)]))

const OPTIONS = {
  ...Object.fromEntries(PARAMS.map(([name, schema]) => [kebab(name), { type: schema.type === 'boolean' ? 'boolean' : 'string' }])),
  url: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' }
} satisfies ParseArgsConfig['options']

const checkQuery = fieldChecker(EstimateQuery, 'querystring')

const HELP_COLUMNS = 110

/** Words into lines of at most `columns` characters (a longer word stands alone). */
function wrap (text: string, columns: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > columns) { lines.push(line); line = word } else line = line === '' ? word : `${line} ${word}`
  }
  return [...lines, line]
}

function usage (): string {
  const width = Math.max(...PARAMS.map(([name]) => kebab(name).length)) + 4
  const help: Record<string, string> = {
    meshes: 'comma list of mesh ids (default: every shipped model)',
    basis: 'requests | usage | max (default max: max(request, usage), as OpenCost allocates)',
    cni: 'the CNI the cluster runs: cilium, calico, flannel, aws-vpc-cni, azure-cni, gke-dataplane, kubenet, other'
  }
  // the whole description, wrapped: a cut one hid values (pricingModel's spot and commitments, view=summary)
  const lines = PARAMS.flatMap(([name, schema]) => wrap(help[name] ?? schema.description ?? '', HELP_COLUMNS - width - 4)
    .map((line, i) => `  ${(i === 0 ? `--${kebab(name)}` : '').padEnd(width + 2)}${line}`))
  return [
    'Usage: meshcost estimate --pods N [options]',
    '       meshcost cluster --prometheus URL [options]   (the cluster Prometheus sees; meshcost cluster --help)',
    '',
    'Prices the service-mesh overhead of a scenario: in-process with the shipped models, or against a',
    'meshcost server with --url. The options are GET /estimate\'s query parameters.',
    '',
    'Scenario:',
    ...lines,
    '',
    'Output and connection:',
    '  --json                   the whole estimate as JSON (what POST /estimate answers)',
    '  --csv                    CSV: a row per mesh and component (GET /estimate?rows=resource: FOCUS pricing rows)',
    '  --url URL                ask a meshcost server (e.g. http://127.0.0.1:3000) instead of pricing in-process',
    '  --timeout MS             with --url: give up after MS milliseconds (default 30000)',
    '  -h, --help               this help; -v, --version: the version',
    '',
    'Examples:',
    '  meshcost estimate --pods 100',
    '  meshcost estimate --pods 300 --meshes istio,linkerd --node-type aws/m5.large --region us-east-1 --csv',
    '  meshcost estimate --pods 100 --url http://127.0.0.1:3000 --json',
    '',
    'Exit status: 0 priced, 1 the server could not be reached or failed, 2 the scenario is not valid.'
  ].join('\n') + '\n'
}

/** Runs the command; resolves to the exit status. */
export async function run (argv: string[], io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): Promise<number> {
  if (argv[0] === 'cluster') return runCluster(argv.slice(1), io) // its own flags: src/cli-cluster.ts
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    io.err(`meshcost: ${(err as Error).message}\nTry meshcost --help.\n`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.version === true) {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
    io.out(`meshcost ${pkg.version}\n`)
    return 0
  }
  if (values.help === true || positionals.length === 0) {
    io.out(usage())
    return positionals.length === 0 && values.help !== true ? 2 : 0
  }
  if (positionals[0] !== 'estimate' || positionals.length > 1) {
    io.err(`meshcost: unknown command "${positionals.join(' ')}"; the commands are: meshcost estimate --pods N, meshcost cluster --prometheus URL\n`)
    return 2
  }
  if (values.json === true && values.csv === true) {
    io.err('meshcost: give --json or --csv, not both\n')
    return 2
  }

  // Flags → query parameters → the same validation and mapping as GET /estimate.
  const query: Record<string, unknown> = {}
  for (const [name] of PARAMS) {
    const value = (values as Record<string, unknown>)[kebab(name)]
    if (value !== undefined) query[name] = value
  }
  const flag = (pointer: string) => {
    const name = pointer.replace(/^\//, '').split('/')[0] ?? ''
    return FLAG_OF.has(name) ? `--${FLAG_OF.get(name) ?? name}` : pointer
  }
  const invalid = (errors: Array<{ pointer: string, detail: string }>): number => {
    const detail = (d: string) => d.replace(/\b[a-z]+[A-Z][A-Za-z]*\b/g, (w) => (FLAG_OF.has(w) ? `--${FLAG_OF.get(w) ?? w}` : w))
    io.err(`meshcost: the scenario is not valid:\n${errors.map((e) => `  ${flag(e.pointer)} ${detail(e.detail)}`).join('\n')}\n`)
    return 2
  }
  const queryErrors = checkQuery(query)
  if (queryErrors.length > 0) return invalid(queryErrors)
  let scenario: EstimateRequest
  try {
    scenario = queryToRequest(query as EstimateQuery)
  } catch (err) {
    if (err instanceof DomainError) return invalid(err.errors)
    throw err
  }

  let result: EstimateResponse
  if (values.url !== undefined) {
    const timeoutMs = values.timeout === undefined ? 30_000 : Number(values.timeout)
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) return invalid([{ pointer: '--timeout', detail: 'must be a whole number of milliseconds' }])
    let client: MeshcostClient
    try {
      client = new MeshcostClient({ baseUrl: values.url, timeoutMs })
    } catch (err) {
      io.err(`meshcost: --url ${(err as Error).message}\n`)
      return 2
    }
    try {
      if (values.csv === true) {
        io.out(await client.estimateCsv(scenario))
        return 0
      }
      result = await client.estimate(scenario)
    } catch (err) {
      if (!(err instanceof MeshcostError)) throw err
      if (err.problem?.errors !== undefined && err.status !== undefined && err.status < 500) {
        return invalid(err.problem.errors.map((e) => ({ pointer: queryPointer(e.pointer), detail: e.detail })))
      }
      io.err(`meshcost: ${err.message}\n`)
      return 1
    } finally {
      await client.close()
    }
  } else {
    try {
      const models = loadModels(process.env.MODELS_DIR ?? join(PACKAGE_ROOT, 'models'))
      result = estimate(scenario, models)
    } catch (err) {
      if (err instanceof DomainError) return invalid(err.errors.map((e) => ({ pointer: queryPointer(e.pointer), detail: e.detail })))
      io.err(`meshcost: ${(err as Error).message}\n`)
      return 1
    }
  }

  if (values.json === true) io.out(JSON.stringify(result, null, 2) + '\n')
  else if (values.csv === true) io.out(estimateCsv(result, scenario))
  else io.out(table(result, scenario))
  return 0
}
