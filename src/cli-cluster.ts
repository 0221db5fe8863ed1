// meshcost cluster --prometheus URL: POST /cluster/estimate in-process, against the Prometheus named on the
// command line (the person running the command chooses it, as an operator chooses PROMETHEUS_URL).
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { table, type Io } from './encoders/table.js'
import { PACKAGE_ROOT } from './config.js'
import { DomainError } from './errors.js'
import { loadModels } from './models/load.js'
import { fieldChecker } from './plugins/validation.js'
import { ClusterEstimateRequest } from './schemas/cluster.js'
import { PrometheusClient, PrometheusError } from './prometheus/client.js'
import { readCluster } from './prometheus/cluster.js'
import { DEFAULT_WINDOW, defaultScope } from './prometheus/queries.js'
import { clusterEstimate } from './prometheus/scenario.js'

const USAGE = `Usage: meshcost cluster --prometheus URL [options]

Reads the cluster from its Prometheus (kube-state-metrics, cAdvisor, OpenCost, mesh metrics), builds the
scenario of the pods that would get the mesh, and prices it; for a mesh that already runs, prints its measured
usage beside the model's. The same as POST /cluster/estimate (docs/integrations.md).

  --prometheus URL        base URL of the Prometheus HTTP API (required)
  --namespaces A,B        namespaces whose running pods get the mesh (default: all but the system ones)
  --meshes A,B            mesh ids (default: every shipped model)
  --basis B               requests | usage | max (default max)
  --window W              range of measured rates, e.g. 30m, 1h, 7d (default 1h)
  --token-file PATH       a file holding a bearer token for Prometheus
  --timeout MS            give up on Prometheus after MS milliseconds (default 10000)
  --json                  the whole answer as JSON (estimates, scenario, measured, missing)

Exit status: 0 priced, 1 Prometheus could not be read, 2 the request is not valid.
`

const check = fieldChecker(ClusterEstimateRequest, 'body')

const list = (value: string | undefined) => (value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s !== ''))

export async function runCluster (argv: string[], io: Io): Promise<number> {
  let values
  try {
    values = parseArgs({
      args: argv,
      options: {
        prometheus: { type: 'string' },
        namespaces: { type: 'string' },
        meshes: { type: 'string' },
        basis: { type: 'string' },
        window: { type: 'string' },
        'token-file': { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    }).values
  } catch (err) {
    io.err(`meshcost: ${(err as Error).message}\nTry meshcost cluster --help.\n`)
    return 2
  }
  if (values.help === true) { io.out(USAGE); return 0 }
  const invalid = (lines: string[]) => { io.err(`meshcost: the request is not valid:\n${lines.map((l) => `  ${l}`).join('\n')}\n`); return 2 }
  if (values.prometheus === undefined) return invalid(['--prometheus is required: the base URL of your Prometheus, e.g. http://prometheus.monitoring:9090'])
  const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout)
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100) return invalid(['--timeout must be a whole number of milliseconds, at least 100'])

  const body: ClusterEstimateRequest = {}
  const namespaces = list(values.namespaces)
  const meshes = list(values.meshes)
  if (namespaces !== undefined) body.namespaces = namespaces
  if (meshes !== undefined) body.meshes = meshes
  if (values.basis !== undefined) body.basis = values.basis as ClusterEstimateRequest['basis']
  if (values.window !== undefined) body.window = values.window
  const errors = check(body)
  if (errors.length > 0) return invalid(errors.map((e) => `--${e.pointer.split('/')[1] ?? ''} ${e.detail}`))

  let client: PrometheusClient
  try {
    const url = new URL(values.prometheus)
    if (!/^https?:$/.test(url.protocol) || url.username !== '' || url.password !== '') throw new Error('an http(s) URL without credentials')
    client = new PrometheusClient({ url: values.prometheus, timeoutMs, ...(values['token-file'] === undefined ? {} : { bearerTokenFile: values['token-file'] }) })
  } catch (err) {
    return invalid([`--prometheus must be ${(err as Error).message.startsWith('an http') ? (err as Error).message : 'a URL such as http://prometheus.monitoring:9090'}`])
  }
  const models = loadModels(process.env.MODELS_DIR ?? join(PACKAGE_ROOT, 'models'))
  try {
    const window = body.window ?? DEFAULT_WINDOW
    const read = await readCluster(client, models, body.namespaces === undefined ? defaultScope : { include: body.namespaces }, window)
    const answer = clusterEstimate(read, body, models)
    const { scenario, measured } = answer
    if (values.json === true) {
      io.out(JSON.stringify(answer, null, 2) + '\n')
      return 0
    }
    const lines = [
      `Cluster at ${client.upstream}: ${read.view.nodes.total} nodes, ${scenario.pods} pods to mesh${body.namespaces === undefined ? '' : ` in ${body.namespaces.join(', ')}`}; mesh running: ${read.view.mesh.detected.join(', ') || 'none'}`,
      ...read.view.missing.map((m) => m.reason === undefined ? `  missing ${m.metric} (${m.exporter}): ${m.replacedBy}` : `  dropped ${m.reason}; ${m.replacedBy}`),
      '',
      table(answer, scenario).trimEnd(),
      ...measured.flatMap((m) => [
        '',
        `${m.mesh} measured over ${m.window} vs modelled, per replica (factor = measured / modelled):`,
        ...m.components.map((c) => `  ${c.component.padEnd(24)} CPU ${c.measured.cpuCoresPerReplica} vs ${c.modelled.cpuCoresPerReplica} cores (x${c.factor.cpuCores ?? '-'}), memory ${c.measured.memoryGiBPerReplica} vs ${c.modelled.memoryGiBPerReplica} GiB (x${c.factor.memoryGiB ?? '-'})`)
      ]),
      '',
      `Scenario (edit and send to POST /estimate): ${JSON.stringify(scenario)}`,
      ''
    ]
    io.out(lines.join('\n'))
    return 0
  } catch (err) {
    if (err instanceof PrometheusError) { io.err(`meshcost: ${err.message}\n`); return 1 }
    if (err instanceof DomainError) return invalid(err.errors.map((e) => `${e.pointer}: ${e.detail}`))
    throw err
  } finally {
    await client.close()
  }
}
