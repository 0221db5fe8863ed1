// A Prometheus HTTP API client for the operator-configured PROMETHEUS_URL: one keep-alive pool, a deadline
// over each read, an abort when our own client goes away, a cap on answer size, and errors with two texts: one
// for the operator (the URL and the cause, for the CLI and, redacted, the log) and one for API clients, which
// names neither the URL nor anything the upstream wrote (an upstream may echo a request's Authorization header).
import { setMaxListeners } from 'node:events'
import { readFile } from 'node:fs/promises'
import type { Pool } from 'undici'
import { registerSecret } from '../logging.js'

/** Connections to Prometheus: enough for one read's queries to run side by side, few enough to be polite. */
const CONNECTIONS = 8
/** Prometheus (Go net/http) keeps idle connections until its --web.read-timeout (5 min); we close ours first. */
const KEEP_ALIVE_MS = 30_000
/** Longest wait for a connection, shorter when PROMETHEUS_TIMEOUT_MS is: a refusal or a dead host shows early. */
const MAX_CONNECT_MS = 5_000
/** One answer, in bytes: every query is aggregated, so a cluster of 5,000 nodes answers well under 1 MiB. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024

type Undici = typeof import('undici')
/** The pool to Prometheus and undici's error classes, which tell a time-out from a refusal. */
interface Connection { pool: Pool, errors: Undici['errors'] }
// undici is a megabyte of code that nothing else in the service uses: imported on the first read instead of
// at start-up, where it took 35-70 ms of the 500 the target allows (docs/performance.md).
let undici: Promise<Undici> | undefined

export interface PrometheusOptions {
  /** base URL of the HTTP API, e.g. http://prometheus.monitoring:9090 or https://host/prometheus */
  url: string
  /** a file holding a bearer token, read on each use: Kubernetes rotates projected service-account tokens */
  bearerTokenFile?: string
  /** deadline of one read (all its queries), milliseconds */
  timeoutMs: number
  maxAnswerBytes?: number
}

/** One series of an instant vector: its labels and its value (NaN and ±Inf as Prometheus gives them). */
export interface Sample { labels: Record<string, string>, value: number }

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/**
 * A sample value as the HTTP API writes it: a decimal string, or "NaN", "+Inf", "-Inf" (Go's float formatting).
 * Number() would read "+Inf" as NaN and "" as 0; anything that is not one of these is NaN, which the readers
 * of each quantity drop (plausible.ts).
 */
export function sampleValue (text: unknown): number {
  if (text === '+Inf' || text === 'Inf') return Infinity
  if (text === '-Inf') return -Infinity
  return typeof text === 'string' && DECIMAL.test(text) ? Number(text) : NaN
}

/**
 * Prometheus could not give an answer: 502 (down, refused, an error, a bad answer) or 504 (too slow). `reason` is
 * for the operator and may quote the upstream; `publicReason`, our own words only, is what an API answer says.
 */
export class PrometheusError extends Error {
  readonly publicReason: string
  constructor (readonly status: 502 | 504, readonly upstream: string, readonly reason: string, publicReason?: string) {
    super(`Prometheus at ${upstream} (PROMETHEUS_URL) ${reason}`)
    this.name = 'PrometheusError'
    this.publicReason = publicReason ?? reason
  }

  /** What an API client is told: which upstream failed and how, without its address, credentials or words. */
  get publicMessage (): string {
    return `Prometheus (PROMETHEUS_URL) ${this.publicReason}`
  }
}

/** The error types the Prometheus HTTP API documents: safe to repeat, unlike its free-text `error`. */
const ERROR_TYPES = new Set(['timeout', 'canceled', 'execution', 'bad_data', 'internal', 'unavailable', 'not_found', 'not_acceptable'])

interface ApiAnswer {
  status?: string
  error?: string
  errorType?: string
  data?: { resultType?: string, result?: Array<{ metric?: Record<string, string>, value?: [number, string] }> }
}

const CONNECT_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'refused the connection (ECONNREFUSED): is it running, and on that port?',
  ENOTFOUND: 'has a host name that does not resolve (ENOTFOUND)',
  EAI_AGAIN: 'has a host name that could not be resolved now (EAI_AGAIN)',
  EHOSTUNREACH: 'is unreachable (EHOSTUNREACH)',
  ENETUNREACH: 'is on an unreachable network (ENETUNREACH)',
  ECONNRESET: 'closed the connection (ECONNRESET)'
}

export class PrometheusClient {
  /** the URL as shown in errors and answers: scheme, host, port and path, nothing else */
  readonly upstream: string
  private connection: Promise<Connection> | undefined
  private readonly origin: string
  private readonly queryPath: string
  private readonly maxAnswerBytes: number
  private readonly connectTimeoutMs: number

  constructor (private readonly options: PrometheusOptions) {
    const url = new URL(options.url)
    this.upstream = `${url.origin}${url.pathname.replace(/\/+$/, '')}`
    this.queryPath = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`
    this.maxAnswerBytes = options.maxAnswerBytes ?? MAX_ANSWER_BYTES
    this.connectTimeoutMs = Math.min(options.timeoutMs, MAX_CONNECT_MS)
    this.origin = url.origin
    // The address is internal: redacted from every log line, as the token is (it is in no API answer either).
    registerSecret(this.upstream)
    registerSecret(url.host)
  }

  /**
   * Runs independent instant queries side by side under one deadline. `signal` aborts them all (our client went
   * away). Resolves to each query's samples, keyed as given.
   */
  async queryAll<K extends string> (queries: Record<K, string>, signal?: AbortSignal): Promise<Record<K, Sample[]>> {
    const deadline = AbortSignal.timeout(this.options.timeoutMs)
    const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline])
    const entries = Object.entries(queries) as Array<[K, string]>
    setMaxListeners(entries.length + 10, combined) // one abort listener per query in flight is expected, not a leak
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
    const token = await this.token()
    if (token !== undefined) headers.authorization = `Bearer ${token}`
    // Prometheus stops evaluating at its own time-out too, so an abandoned query does not keep it busy.
    const timeoutParam = `${Math.max(1, Math.floor(this.options.timeoutMs / 1000))}s`
    const answers = await Promise.all(entries.map(async ([key, query]) =>
      [key, await this.query(query, timeoutParam, headers, combined, deadline)] as const))
    return Object.fromEntries(answers) as Record<K, Sample[]>
  }

  async close (): Promise<void> {
    if (this.connection !== undefined) await (await this.connection).pool.close()
  }

  /** The keep-alive pool, made on the first read (one for all the reads after it). */
  private async connect (): Promise<Connection> {
    this.connection ??= (undici ??= import('undici')).then(({ Pool, errors }) => ({
      errors,
      pool: new Pool(this.origin, {
        connections: CONNECTIONS,
        keepAliveTimeout: KEEP_ALIVE_MS,
        keepAliveMaxTimeout: KEEP_ALIVE_MS,
        connect: { timeout: this.connectTimeoutMs },
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        maxResponseSize: this.maxAnswerBytes
      })
    }))
    return await this.connection
  }

  private async token (): Promise<string | undefined> {
    if (this.options.bearerTokenFile === undefined || this.options.bearerTokenFile === '') return undefined
    try {
      const token = (await readFile(this.options.bearerTokenFile, 'utf8')).trim()
      registerSecret(token) // redacted from every log line, wherever it might be quoted
      return token
    } catch (err) {
      // The file's path is configuration, not a secret; its content never appears anywhere.
      throw new PrometheusError(502, this.upstream, `could not be asked: PROMETHEUS_BEARER_TOKEN_FILE cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  }

  private async query (query: string, timeoutParam: string, headers: Record<string, string>, signal: AbortSignal, deadline: AbortSignal): Promise<Sample[]> {
    const { pool, errors } = await this.connect()
    let text: string
    let statusCode: number
    try {
      const answer = await pool.request({
        method: 'POST',
        path: this.queryPath,
        headers,
        body: new URLSearchParams({ query, timeout: timeoutParam }).toString(),
        signal
      })
      statusCode = answer.statusCode
      text = await answer.body.text()
    } catch (err) {
      throw this.failure(err, errors, signal, deadline)
    }
    let parsed: ApiAnswer
    try {
      parsed = JSON.parse(text) as ApiAnswer
    } catch {
      throw new PrometheusError(502, this.upstream, `answered HTTP ${statusCode} with a body that is not JSON: is PROMETHEUS_URL the Prometheus API's base URL?`, `answered HTTP ${statusCode} with a body that is not JSON`)
    }
    if (parsed.status !== 'success') {
      const what = parsed.error === undefined ? 'no reason' : `${parsed.errorType ?? 'error'}: ${parsed.error.slice(0, 300)}`
      const type = ERROR_TYPES.has(parsed.errorType ?? '') ? ` (${parsed.errorType as string})` : ''
      throw new PrometheusError(502, this.upstream, `answered HTTP ${statusCode} with an error (${what})`, `answered HTTP ${statusCode} with an error${type}`)
    }
    if (parsed.data?.resultType !== 'vector' || !Array.isArray(parsed.data.result)) {
      throw new PrometheusError(502, this.upstream, `answered a ${parsed.data?.resultType ?? 'missing'} result where an instant vector was expected`)
    }
    return parsed.data.result.map((r) => ({ labels: r.metric ?? {}, value: sampleValue(r.value?.[1]) }))
  }

  private failure (err: unknown, errors: Undici['errors'], signal: AbortSignal, deadline: AbortSignal): Error {
    const timeout = `did not answer within PROMETHEUS_TIMEOUT_MS (${this.options.timeoutMs} ms)`
    if (deadline.aborted) return new PrometheusError(504, this.upstream, timeout)
    if (signal.aborted) return err instanceof Error ? err : new Error('aborted') // our client went away: nobody to answer
    if (err instanceof errors.ConnectTimeoutError) return new PrometheusError(504, this.upstream, `did not accept a connection within ${this.connectTimeoutMs} ms`)
    if (err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError) return new PrometheusError(504, this.upstream, timeout)
    if (err instanceof errors.ResponseExceededMaxSizeError) return new PrometheusError(502, this.upstream, `answered more than ${this.maxAnswerBytes} bytes, the most meshcost reads`)
    const code = (err as NodeJS.ErrnoException).code ?? ''
    const known = CONNECT_CAUSES[code]
    if (known !== undefined) return new PrometheusError(502, this.upstream, known)
    return new PrometheusError(502, this.upstream, `could not be read (${code === '' ? (err as Error).message : code})`, `could not be read (${/^[A-Z_]+$/.test(code) ? code : 'an unexpected error'})`)
  }
}
