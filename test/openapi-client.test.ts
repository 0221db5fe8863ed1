// A client generated from the committed OpenAPI document (openapi-typescript) type-checks, and its types agree with
// the service's own: the TypeBox Static types of the routes and what src/client.ts exports. The document is
// generated from the same schemas (test/openapi.test.ts checks that it does not drift); this checks that what a
// client generator makes of it is what the code means.
import { readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import openapiTS, { astToString } from 'openapi-typescript'
import t from 'tap'
import ts from 'typescript'
import { PACKAGE_ROOT } from '../src/config.js'

const DOCUMENT = join(PACKAGE_ROOT, 'openapi', 'openapi.json')

/** A client's use of the generated `paths` and `components`, each type tied to the service's own in both directions. */
const usage = (src: (file: string) => string): string => `
import type { Static } from 'typebox'
import type { components, paths } from './openapi.js'
import type { BatchResponse, EstimateRequest, EstimateResponse, MeshcostClient, Problem, SweepRequest, SweepResponse } from '${src('client.js')}'
import type { EstimateSummaryResponse } from '${src('schemas/estimate.js')}'
import type { MeshList, MeshModel } from '${src('schemas/meshes.js')}'
import type { SweepSummaryResponse } from '${src('schemas/integration.js')}'

type Schemas = components['schemas']
type Operation<P extends keyof paths, M extends 'get' | 'post'> = NonNullable<paths[P][M]>
type Body<P extends keyof paths> = Operation<P, 'post'> extends { requestBody: { content: { 'application/json': infer B } } } ? B : never
type Ok<P extends keyof paths, M extends 'get' | 'post'> = Operation<P, M> extends { responses: { 200: { content: { 'application/json': infer R } } } } ? R : never
type ClientError<P extends keyof paths, M extends 'get' | 'post'> = Operation<P, M> extends { responses: { '4XX': { content: { 'application/problem+json': infer R } } } } ? R : never
type PathParams<P extends keyof paths> = Operation<P, 'get'> extends { parameters: { path: infer Q } } ? Q : never
type Query<P extends keyof paths> = Operation<P, 'get'> extends { parameters: { query?: infer Q } } ? Q : never

// a client as openapi-fetch and the like build it from the generated types
declare function post<P extends keyof paths> (path: P, body: Body<P>): Promise<Ok<P, 'post'>>
declare function get<P extends keyof paths> (path: P, params: { path?: PathParams<P>, query?: Query<P> }): Promise<Ok<P, 'get'>>
declare function value<T> (): T

// POST /estimate: a realistic request, accepted by the document's type and by the typed client
const scenario: Body<'/estimate'> = {
  pods: 300,
  meshes: ['istio', 'linkerd'],
  baseline: 'none',
  basis: 'max',
  traffic: { requestsPerSecondPerPod: 50, distribution: 'skewed', hopsPerRequest: 3 },
  workload: { services: 40, podRequests: { cpuCores: 0.5, memoryGiB: 2 } },
  cluster: {
    cni: 'calico',
    nodePools: [
      { nodeType: 'aws/m5.large', region: 'us-east-1', count: 3 },
      { name: 'spot', nodeType: 'aws/m7g.xlarge', count: 0, maxCount: 20, pricing: { model: 'spot', discountPercent: 60 } },
      { name: 'on-prem', node: { vcpu: 16, memoryGiB: 64, maxPods: 110, hourlyPrice: 0.4 } }
    ]
  },
  options: { highAvailability: true, proxyRequests: { cpuCores: 0.1 } },
  pricing: { model: 'commitment1Year', currency: 'USD' }
}
const sameScenarioForTheClient: Parameters<MeshcostClient['estimate']>[0] = scenario

export async function estimate (): Promise<number> {
  const answer = await post('/estimate', scenario)
  if ('view' in answer) return answer.estimates.length
  let total = 0
  for (const mesh of answer.estimates) {
    const nodes: number = mesh.capacity.additionalNodes
    const binding: 'cpu' | 'memory' | 'pods' = mesh.capacity.bindingResource
    const p99: number | undefined = mesh.latency?.perHop.p99Ms.high
    const monthly: number = mesh.cost.monthly.high + (mesh.cost.additionalNodesMonthly ?? 0)
    total += nodes + monthly + (p99 ?? 0) + binding.length
  }
  return total
}

// wrong requests are refused by the document's types: each line below must fail to compile
// @ts-expect-error pods is a number
const podsAsString: Body<'/estimate'> = { pods: '300' }
// @ts-expect-error pods is required
const noPods: Body<'/estimate'> = { meshes: ['istio'] }
// @ts-expect-error no unknown field in a request (additionalProperties: false): meshes, not mesh
const typo: Body<'/estimate'> = { pods: 1, mesh: ['istio'] }
// @ts-expect-error no unknown field in a node pool
const poolTypo: Body<'/estimate'> = { pods: 1, cluster: { nodePools: [{ nodeType: 'aws/m5.large', size: 3 }] } }
// @ts-expect-error the pricing models are a closed list
const reserved: Body<'/estimate'> = { pods: 1, pricing: { model: 'reserved' } }
// @ts-expect-error a sweep varies one of four fields
const sweepCpu: Body<'/estimate/sweep'> = { scenario: { pods: 1 }, vary: 'cpu', from: 1, to: 2, steps: 2 }

// the document's types and the service's, each assignable to the other (a failure names the property that differs)
const requestToDoc: Body<'/estimate'> = value<EstimateRequest>()
const requestFromDoc: EstimateRequest = value<Body<'/estimate'>>()
const requestComponentFromDoc: EstimateRequest = value<Schemas['EstimateRequest']>()
const responseToDoc: Schemas['EstimateResponse'] = value<EstimateResponse>()
const responseFromDoc: EstimateResponse = value<Schemas['EstimateResponse']>()
const summaryToDoc: Schemas['EstimateSummaryResponse'] = value<EstimateSummaryResponse>()
const summaryFromDoc: EstimateSummaryResponse = value<Schemas['EstimateSummaryResponse']>()
const okToDoc: Ok<'/estimate', 'post'> = value<EstimateResponse | EstimateSummaryResponse>()
const okFromDoc: EstimateResponse | EstimateSummaryResponse = value<Ok<'/estimate', 'post'>>()
const getOkFromDoc: EstimateResponse | EstimateSummaryResponse = value<Ok<'/estimate', 'get'>>()
const clientEstimate: Awaited<ReturnType<MeshcostClient['estimate']>> = value<Exclude<Ok<'/estimate', 'post'>, Schemas['EstimateSummaryResponse']>>()

const sweepRequestToDoc: Body<'/estimate/sweep'> = value<SweepRequest>()
const sweepRequestFromDoc: SweepRequest = value<Body<'/estimate/sweep'>>()
const sweepToDoc: Ok<'/estimate/sweep', 'post'> = value<SweepResponse | Static<typeof SweepSummaryResponse>>()
const sweepFromDoc: SweepResponse | Static<typeof SweepSummaryResponse> = value<Ok<'/estimate/sweep', 'post'>>()
const clientSweep: Awaited<ReturnType<MeshcostClient['sweep']>> = value<Schemas['SweepResponse']>()

const batchToDoc: Ok<'/estimate/batch', 'post'> = value<BatchResponse>()
const batchFromDoc: BatchResponse = value<Ok<'/estimate/batch', 'post'>>()
const clientBatchBody: Parameters<MeshcostClient['batch']>[0] = value<Body<'/estimate'>[]>()

const problemToDoc: ClientError<'/estimate', 'post'> = value<Problem>()
const problemFromDoc: Problem = value<ClientError<'/estimate', 'post'>>()

// GET /meshes and GET /meshes/{id}
const meshesToDoc: Ok<'/meshes', 'get'> = value<Static<typeof MeshList>>()
const meshesFromDoc: Static<typeof MeshList> = value<Ok<'/meshes', 'get'>>()
const clientMeshes: Awaited<ReturnType<MeshcostClient['meshes']>> = value<Ok<'/meshes', 'get'>>()
const meshFromDoc: Static<typeof MeshModel> = value<Ok<'/meshes/{id}', 'get'>>()
const meshToDoc: Ok<'/meshes/{id}', 'get'> = value<Static<typeof MeshModel>>()

// ...and identical, which mutual assignability is not: an optional field on one side only passes both assignments.
// pricing.sheet aside: its additionalProperties (strings) are an index signature in the generated type, which
// TypeBox's Static leaves out; the assignments above check the sheet
type Identical<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
type WithoutSheet<R extends { pricing?: object }> = Omit<R, 'pricing'> & { pricing?: Omit<NonNullable<R['pricing']>, 'sheet'> }
const identicalEstimateRequest: Identical<WithoutSheet<Body<'/estimate'>>, WithoutSheet<EstimateRequest>> = true
const identicalEstimateResponse: Identical<Ok<'/estimate', 'post'>, EstimateResponse | EstimateSummaryResponse> = true
const identicalGetEstimateResponse: Identical<Ok<'/estimate', 'get'>, EstimateResponse | EstimateSummaryResponse> = true
const identicalSweepRequest: Identical<Omit<Body<'/estimate/sweep'>, 'scenario'>, Omit<SweepRequest, 'scenario'>> = true
const identicalSweepScenario: Identical<WithoutSheet<Body<'/estimate/sweep'>['scenario']>, WithoutSheet<SweepRequest['scenario']>> = true
const identicalSweepResponse: Identical<Ok<'/estimate/sweep', 'post'>, SweepResponse | Static<typeof SweepSummaryResponse>> = true
const identicalBatchResponse: Identical<Ok<'/estimate/batch', 'post'>, BatchResponse> = true
const identicalProblem: Identical<ClientError<'/estimate', 'post'>, Problem> = true
const identicalMeshList: Identical<Ok<'/meshes', 'get'>, Static<typeof MeshList>> = true
const identicalMesh: Identical<Ok<'/meshes/{id}', 'get'>, Static<typeof MeshModel>> = true

export async function meshes (): Promise<string[]> {
  const { meshes } = await get('/meshes', {})
  const istio = await get('/meshes/{id}', { path: { id: 'istio' } })
  // @ts-expect-error a mesh in the list has no field the document does not name
  const colour: unknown = meshes[0]?.colour
  // @ts-expect-error the path parameter is id
  await get('/meshes/{id}', { path: { mesh: 'istio' } })
  return [...meshes.map((m) => m.id + ' ' + m.mode), istio.name, String(colour)]
}

export const used = [sameScenarioForTheClient, podsAsString, noPods, typo, poolTypo, reserved, sweepCpu, requestToDoc, requestFromDoc,
  requestComponentFromDoc, responseToDoc, responseFromDoc, summaryToDoc, summaryFromDoc, okToDoc, okFromDoc, getOkFromDoc, clientEstimate,
  sweepRequestToDoc, sweepRequestFromDoc, sweepToDoc, sweepFromDoc, clientSweep, batchToDoc, batchFromDoc, clientBatchBody,
  problemToDoc, problemFromDoc, meshesToDoc, meshesFromDoc, clientMeshes, meshFromDoc, meshToDoc, identicalEstimateRequest,
  identicalEstimateResponse, identicalGetEstimateResponse, identicalSweepRequest, identicalSweepScenario, identicalSweepResponse,
  identicalBatchResponse, identicalProblem, identicalMeshList, identicalMesh]
`

/** The project's compiler options (strict, noUncheckedIndexedAccess, nodenext), without emitting. */
const options = ((): ts.CompilerOptions => {
  const file = join(PACKAGE_ROOT, 'tsconfig.json')
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile)
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'))
  return { ...ts.parseJsonConfigFileContent(config, ts.sys, PACKAGE_ROOT, undefined, file).options, noEmit: true }
})()

/** A compiler host that parses each file outside `dir` once for all checks (the libraries, @types/node, src/). */
const parsed = new Map<string, ts.SourceFile>()
function compilerHost (dir: string): ts.CompilerHost {
  const host = ts.createCompilerHost(options)
  const read = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, language, onError) => {
    if (fileName.startsWith(dir)) return read(fileName, language, onError)
    const file = parsed.get(fileName) ?? read(fileName, language, onError)
    if (file) parsed.set(fileName, file)
    return file
  }
  return host
}

/** Generates the types from a document beside the client's use of them, and type-checks both: the diagnostics. */
async function check (dir: string, document: unknown): Promise<string[]> {
  // openapi.ts, not .d.ts: skipLibCheck would skip a declaration file
  const files = [join(dir, 'openapi.ts'), join(dir, 'client.ts')] as const
  writeFileSync(files[0], astToString(await openapiTS(document as Parameters<typeof openapiTS>[0], { silent: true })))
  writeFileSync(files[1], usage((file) => relative(dir, join(PACKAGE_ROOT, 'src', file))))
  const program = ts.createProgram(files, options, compilerHost(dir))
  // the two files only: src/ is the project's type check's (npm run typecheck), and twice as slow to check again
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...files.flatMap((file) => [...program.getSyntacticDiagnostics(program.getSourceFile(file)), ...program.getSemanticDiagnostics(program.getSourceFile(file))])
  ]
  const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' }
  return diagnostics.map((d) => ts.formatDiagnostic(d, host).trim())
}

const committed = (): { components: { schemas: Record<string, { properties: Record<string, { type?: string }>, required: string[], additionalProperties?: boolean }> } } =>
  JSON.parse(readFileSync(DOCUMENT, 'utf8'))

t.test('a client generated from openapi/openapi.json type-checks, and its types are the service\'s own', async (t) => {
  // t.testdir lies under the package root, so the client's imports of typebox and src/ resolve
  const dir = t.testdir({})
  const diagnostics = await check(dir, committed())
  t.same(diagnostics, [], diagnostics.join('\n'))
  t.match(readFileSync(join(dir, 'openapi.ts'), 'utf8'), '"/estimate/sweep": {', 'the generated paths include POST /estimate/sweep')
})

t.test('the check fails on a document that drifted from the code (checked on made-up drifts)', async (t) => {
  const document = committed()
  const { EstimateRequest, MeshEstimate, Problem } = document.components.schemas
  const hops = (EstimateRequest?.properties.traffic as { properties?: Record<string, { type: string }> } | undefined)?.properties?.hopsPerRequest
  if (!EstimateRequest || !hops || !MeshEstimate?.properties.sources || !Problem?.properties.detail) throw new Error('openapi.json has no EstimateRequest.traffic.hopsPerRequest, MeshEstimate.sources or Problem.detail: choose other drifts')
  hops.type = 'string'
  EstimateRequest.additionalProperties = true
  MeshEstimate.properties.citations = MeshEstimate.properties.sources
  delete MeshEstimate.properties.sources
  MeshEstimate.required = MeshEstimate.required.map((name) => name === 'sources' ? 'citations' : name)
  delete Problem.properties.detail
  const dir = t.testdir({})
  const diagnostics = await check(dir, document)
  const lines = readFileSync(join(dir, 'client.ts'), 'utf8').split('\n')
  /** A diagnostic on the usage line that starts so, with this message. */
  const has = (line: string, message: string): boolean => {
    const n = lines.findIndex((l) => l.startsWith(line)) + 1
    if (n === 0) throw new Error(`no line ${line} in the usage`)
    return diagnostics.some((d) => d.startsWith(`client.ts(${n},`) && d.includes(message))
  }
  t.ok(has('  traffic: {', "error TS2322: Type 'number' is not assignable to type 'string'"), 'traffic.hopsPerRequest as a string: the realistic request no longer fits')
  t.ok(has('const responseFromDoc:', "Property 'sources' is missing"), 'a renamed response field: the document\'s response no longer fits the service\'s')
  t.ok(has('// @ts-expect-error no unknown field in a request', "error TS2578: Unused '@ts-expect-error' directive"), 'an open request object: the misspelt field is no longer refused')
  t.ok(has('const identicalProblem:', "error TS2322: Type 'true' is not assignable to type 'false'"), 'an optional field dropped (Problem.detail): the types are no longer identical')
  t.notOk(has('const problemToDoc:', '') || has('const problemFromDoc:', ''), 'which the assignments both ways do not see')
  if (!t.passing()) t.comment(diagnostics.join('\n'))
})
