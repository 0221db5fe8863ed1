// GET /cluster and POST /cluster/estimate: the cluster read from the operator's Prometheus (PROMETHEUS_URL),
// never from a URL a request names.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { sendProblem } from '../plugins/problem.js'
import { PrometheusClient, PrometheusError, type PrometheusOptions } from '../prometheus/client.js'
import { readCluster, type ClusterRead } from '../prometheus/cluster.js'
import { DEFAULT_WINDOW, defaultScope, type NamespaceScope } from '../prometheus/queries.js'
import { clusterEstimate, poolName } from '../prometheus/scenario.js'
import { startRefresh, type Refresher } from '../prometheus/whatif.js'
import { ClusterEstimateRequest, ClusterEstimateResponse, ClusterQuery, ClusterResponse } from '../schemas/cluster.js'
import type { EstimateResponse } from '../schemas/estimate.js'
import { CsvRows, Format } from '../schemas/query.js'
import { problemResponses } from '../schemas/responses.js'
import { CSV_CONTENT_TYPE, estimateCsv, preferredFormat } from '../encoders/csv.js'
import { Type } from 'typebox'

export interface ClusterRoutesOptions {
  /** undefined when PROMETHEUS_URL is not set: the routes then say how to set it */
  prometheus: PrometheusOptions | undefined
  /** CLUSTER_REFRESH_S and _WINDOW: re-estimates exported on /metrics (prometheus/whatif.ts); every 0 s: off */
  refresh?: { everySeconds: number, window: string }
  /** the service's version, for meshcost_info */
  version?: string
}

const NOT_CONFIGURED = 'This server reads clusters from Prometheus, and none is configured: start it with PROMETHEUS_URL set to the base URL of the Prometheus that scrapes kube-state-metrics and cAdvisor (e.g. PROMETHEUS_URL=http://prometheus.monitoring:9090), and PROMETHEUS_BEARER_TOKEN_FILE if it needs a token. See docs/integrations.md, "Reading a cluster from Prometheus".'

const UPSTREAM = 'Answers 502 when Prometheus is down, refuses, errs or answers something that is not its API, 504 when it does not answer within PROMETHEUS_TIMEOUT_MS, 503 when PROMETHEUS_URL is not set.'

const DROPPED = 'A value Prometheus answers that is NaN, infinite, negative or beyond a physical bound (src/prometheus/plausible.ts) is dropped, and `missing` names its series and why (`dropped`, `reason`).'

const ClusterFormatQuery = Type.Object({ format: Type.Optional(Format), rows: Type.Optional(CsvRows) }, { additionalProperties: false })

/** The pool an estimate of the cluster was made on, for x_Pool: its node type (or instance type), capacity type and architecture. */
/** x_Pool: with several pools, the one whose unit prices charge the overhead; else the one pool there is. */
function pricedPool (answer: EstimateResponse, main: ClusterRead['view']['nodes']['byType'][number] | undefined): string {
  const charged = answer.estimates[0]?.capacity.pools?.find((p) => p.chargesOverhead)
  return charged?.name ?? (main === undefined ? 'unknown' : poolName(main))
}

const clusterRoutes: FastifyPluginAsyncTypebox<ClusterRoutesOptions> = async (app, options) => {
  const client = options.prometheus === undefined ? undefined : new PrometheusClient(options.prometheus)
  if (client !== undefined) app.addHook('onClose', async () => { await client.close() })
  const refresh = options.refresh
  if (client !== undefined && refresh !== undefined && refresh.everySeconds > 0) {
    let refresher: Refresher | undefined
    app.addHook('onReady', async () => {
      refresher = startRefresh({ client, models: app.models, registry: app.metricsRegistry, version: options.version ?? 'unknown', ...refresh, log: app.log })
    })
    app.addHook('preClose', async () => { refresher?.stop() })
  }

  /** A failing Prometheus as a 502/504 problem: the operator's reason logged, redacted; the answer in our own words only. */
  function upstreamProblem (request: FastifyRequest, reply: FastifyReply, err: PrometheusError): FastifyReply {
    request.log.warn({ status: err.status, reason: err.reason }, 'Prometheus read failed')
    return sendProblem(request, reply, err.status, err.publicMessage, { type: err.status === 504 ? 'upstream-timeout' : 'upstream-unavailable' })
  }

  /** One read of the cluster, aborted if our client goes away; a failing Prometheus becomes a 502/504 problem. */
  async function read (request: FastifyRequest, reply: FastifyReply, scope: NamespaceScope, window: string): Promise<ClusterRead | undefined> {
    if (client === undefined) {
      sendProblem(request, reply, 503, NOT_CONFIGURED, { type: 'prometheus-not-configured' })
      return undefined
    }
    const gone = new AbortController()
    const onClose = () => { if (!reply.raw.writableFinished) gone.abort() }
    reply.raw.once('close', onClose)
    try {
      return await readCluster(client, app.models, scope, window, gone.signal)
    } catch (err) {
      if (!(err instanceof PrometheusError)) throw err
      upstreamProblem(request, reply, err)
      return undefined
    } finally {
      reply.raw.off('close', onClose)
    }
  }

  app.get('/cluster', {
    schema: {
      tags: ['cluster'],
      summary: 'The cluster as its Prometheus sees it: nodes, pods, the mesh that runs, traffic and prices',
      description: 'Reads kube-state-metrics, cAdvisor, OpenCost and the meshes\' request metrics from the Prometheus at PROMETHEUS_URL. Each figure comes with its PromQL in `queries`; each metric family Prometheus lacks is listed in `missing` with what replaces it. ' + DROPPED + ' ' + UPSTREAM,
      querystring: ClusterQuery,
      response: { 200: ClusterResponse, ...problemResponses }
    }
  }, async (request, reply) => {
    const window = request.query.window ?? DEFAULT_WINDOW
    const result = await read(request, reply, defaultScope, window)
    return result === undefined ? reply : result.view
  })

  app.post('/cluster/estimate', {
    schema: {
      tags: ['cluster'],
      summary: 'Estimate the meshes on the cluster Prometheus describes',
      description: 'Builds the POST /estimate body from the cluster (pods in `namespaces`, their mean requests, its node pools with their node counts and Spot prices, OpenCost prices, measured traffic per proxy), answers the ordinary estimate plus that body as `scenario` (edit it and send it to POST /estimate), and for each mesh that already runs, `measured` usage beside the modelled one with the factor between them. ' + DROPPED + ' Answers 502 naming the metric when the scenario cannot do without a figure whose values were all dropped (running pods; the capacity of a node type not in GET /node-types), or when the scenario derived from the cluster cannot be priced; a 4xx only ever names the request\'s own fields. ' + UPSTREAM,
      querystring: ClusterFormatQuery,
      body: ClusterEstimateRequest,
      response: {
        200: {
          description: 'The estimate of the cluster, in JSON or CSV',
          content: {
            'application/json': { schema: ClusterEstimateResponse },
            'text/csv': { schema: Type.String({ description: 'POST /estimate\'s CSV columns (rows=component or resource) for the scenario derived from the cluster, and x_Pool: the node pool whose unit prices charge the overhead (node type, capacity type, architecture); with one pool, that pool' }) }
          }
        },
        ...problemResponses
      }
    }
  }, async (request, reply) => {
    const body = request.body
    const window = body.window ?? DEFAULT_WINDOW
    const csv = preferredFormat(request.query.format, request.headers.accept) === 'csv'
    reply.header('vary', 'accept')
    const result = await read(request, reply, body.namespaces === undefined ? defaultScope : { include: body.namespaces }, window)
    if (result === undefined) return reply
    try {
      // A DomainError names the request's own fields (422); a figure derived from the cluster is a PrometheusError (502).
      const answer = clusterEstimate(result, body, app.models)
      if (!csv) return answer
      return reply
        .type(CSV_CONTENT_TYPE)
        .header('content-disposition', 'inline; filename="meshcost-cluster-estimate.csv"')
        .send(estimateCsv(answer, answer.scenario, new Date(), request.query.rows, pricedPool(answer, result.view.nodes.byType[0])))
    } catch (err) {
      if (!(err instanceof PrometheusError)) throw err
      return upstreamProblem(request, reply, err)
    }
  })
}

export default clusterRoutes
