// A typed client for capacity-planning code: the server's own request and response types (from the same
// TypeBox schemas), HTTP over undici, a timeout on every call, and one error class that carries the problem
// document the server answered with.
//
//   import { MeshcostClient } from 'meshcost/client'
//   const meshcost = new MeshcostClient({ baseUrl: 'http://127.0.0.1:3000', timeoutMs: 10_000 })
//   const { estimates } = await meshcost.estimate({ pods: 300, meshes: ['istio', 'linkerd'] })
import { Agent, request, type Dispatcher } from 'undici'
import type { Problem } from './schemas/common.js'
import type { EstimateRequest, EstimateResponse } from './schemas/estimate.js'
import type { BatchResponse, SweepRequest, SweepResponse } from './schemas/integration.js'

export type { BatchResponse, BatchResult, SweepPoint, SweepRequest, SweepResponse } from './schemas/integration.js'
export type { Problem } from './schemas/common.js'
export type { EstimateRequest, EstimateResponse, MeshEstimate } from './schemas/estimate.js'

export interface ClientOptions {
  /** where meshcost listens, e.g. http://127.0.0.1:3000 (a path prefix is kept) */
  baseUrl: string
  /** the whole call, connection to last byte; default 30,000 ms */
  timeoutMs?: number
  /** headers sent with every call, e.g. an authorization header for a gateway in front */
  headers?: Record<string, string>
  /** an undici dispatcher (a pool, a proxy agent, a mock); default: one keep-alive Agent per client */
  dispatcher?: Dispatcher
}

export type ErrorKind = 'http' | 'timeout' | 'network' | 'invalid-response'

/** Every failure of a call. `problem` is the server's RFC 9457 document when it sent one. */
export class MeshcostError extends Error {
  constructor (
    message: string,
    readonly kind: ErrorKind,
    readonly status?: number,
    readonly problem?: Problem,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'MeshcostError'
  }
}

export class MeshcostClient {
  readonly baseUrl: string
  readonly timeoutMs: number
  private readonly headers: Record<string, string>
  private readonly dispatcher: Dispatcher
  private readonly ownDispatcher: boolean

  constructor (options: ClientOptions) {
    let url: URL
    try {
      url = new URL(options.baseUrl)
    } catch (err) {
      throw new MeshcostError(`not a URL: ${JSON.stringify(options.baseUrl)}`, 'network', undefined, undefined, { cause: err })
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MeshcostError(`not an http(s) URL: ${options.baseUrl}`, 'network')
    this.baseUrl = url.href.replace(/\/+$/, '')
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.headers = options.headers ?? {}
    this.ownDispatcher = options.dispatcher === undefined
    this.dispatcher = options.dispatcher ?? new Agent({ connections: 8 })
  }

  /** POST /estimate */
  estimate (scenario: EstimateRequest): Promise<EstimateResponse> {
    return this.json('POST', '/estimate', scenario)
  }

  /** POST /estimate?format=csv: one row per mesh and component */
  estimateCsv (scenario: EstimateRequest): Promise<string> {
    return this.call('POST', '/estimate?format=csv', scenario, 'text/csv').then((r) => r.text)
  }

  /** POST /estimate/sweep */
  sweep (sweep: SweepRequest): Promise<SweepResponse> {
    return this.json('POST', '/estimate/sweep', sweep)
  }

  /** POST /estimate/batch: results in order, each {status: 200, estimate} or {status, problem} */
  batch (scenarios: EstimateRequest[]): Promise<BatchResponse> {
    return this.json('POST', '/estimate/batch', { scenarios })
  }

  /** GET /meshes */
  meshes (): Promise<{ meshes: Array<{ id: string, name: string, mode: string, version: string }> }> {
    return this.json('GET', '/meshes')
  }

  /** GET /readyz: resolves when the service is ready, throws a MeshcostError otherwise */
  ready (): Promise<unknown> {
    return this.json('GET', '/readyz')
  }

  /** Close the connections this client opened (not a dispatcher passed in). */
  async close (): Promise<void> {
    if (this.ownDispatcher) await this.dispatcher.close()
  }

  private async json<T> (method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const { text, status, contentType } = await this.call(method, path, body, 'application/json')
    if (!/^application\/json/.test(contentType)) throw new MeshcostError(`${method} ${path}: expected JSON, got ${contentType || 'no content type'}`, 'invalid-response', status)
    try {
      return JSON.parse(text) as T
    } catch (err) {
      throw new MeshcostError(`${method} ${path}: the answer is not valid JSON`, 'invalid-response', status, undefined, { cause: err })
    }
  }

  private async call (method: 'GET' | 'POST', path: string, body: unknown, accept: string): Promise<{ text: string, status: number, contentType: string }> {
    const signal = AbortSignal.timeout(this.timeoutMs)
    let status: number
    let contentType: string
    let text: string
    try {
      const res = await request(this.baseUrl + path, {
        method,
        dispatcher: this.dispatcher,
        signal,
        headers: { accept: `${accept}, application/problem+json;q=0.9`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...this.headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      status = res.statusCode
      contentType = String(res.headers['content-type'] ?? '')
      text = await res.body.text()
    } catch (err) {
      if (signal.aborted || (err as { name?: string }).name === 'TimeoutError') {
        throw new MeshcostError(`${method} ${path}: no answer within ${this.timeoutMs} ms`, 'timeout', undefined, undefined, { cause: err })
      }
      const code = (err as { code?: string }).code
      throw new MeshcostError(`${method} ${this.baseUrl}${path}: ${code ?? ''} ${(err as Error).message}`.replace(/\s+/g, ' ').trim(), 'network', undefined, undefined, { cause: err })
    }
    if (status >= 400) {
      let problem: Problem | undefined
      if (/^application\/problem\+json/.test(contentType)) {
        try { problem = JSON.parse(text) as Problem } catch { /* the status still says what happened */ }
      }
      const fields = problem?.errors?.map((e) => `${e.pointer} ${e.detail}`).join('; ')
      const summary = fields ?? problem?.detail ?? (text.slice(0, 200) || 'no details')
      throw new MeshcostError(`${method} ${path}: ${status} ${problem?.title ?? ''}: ${summary}`.replace(/ {2,}/g, ' '), 'http', status, problem)
    }
    return { text, status, contentType }
  }
}
