// GET /cluster and POST /cluster/estimate: the cluster read from the operator's Prometheus (PROMETHEUS_URL),
// never from a URL a request names.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { DomainError } from '../errors.js'
import { estimate } from '../engine/estimate.js'
import { sendProblem } from '../plugins/problem.js'
import { PrometheusClient, PrometheusError, type PrometheusOptions } from '../prometheus/client.js'
import { readCluster, type ClusterRead } from '../prometheus/cluster.js'
import { DEFAULT_WINDOW, defaultScope, type NamespaceScope } from '../prometheus/queries.js'
import { clusterScenario, measuredBeside } from '../prometheus/scenario.js'
import { ClusterEstimateRequest, ClusterEstimateResponse, ClusterQuery, ClusterResponse } from '../schemas/cluster.js'
import { problemResponses } from '../schemas/responses.js'

export interface ClusterRoutesOptions {
  /** undefined when PROMETHEUS_URL is not set: the routes then say how to set it */
  prometheus: PrometheusOptions | undefined
}

const NOT_CONFIGURED = 'This server reads clusters from Prometheus, and none is configured: start it with PROMETHEUS_URL set to the base URL of the Prometheus that scrapes kube-state-metrics and cAdvisor (e.g. PROMETHEUS_URL=http://prometheus.monitoring:9090), and PROMETHEUS_BEARER_TOKEN_FILE if it needs a token. See docs/integrations.md, "Reading a cluster from Prometheus".'

const UPSTREAM = 'Answers 502 when Prometheus is down, refuses, errs or answers something that is not its API, 504 when it does not answer within PROMETHEUS_TIMEOUT_MS, 503 when PROMETHEUS_URL is not set.'

const clusterRoutes: FastifyPluginAsyncTypebox<ClusterRoutesOptions> = async (app, options) => {
  const client = options.prometheus === undefined ? undefined : new PrometheusClient(options.prometheus)
  if (client !== undefined) app.addHook('onClose', async () => { await client.close() })

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
      // the operator's reason, logged with the address and any secret redacted; the answer in our own words only
      request.log.warn({ status: err.status, reason: err.reason }, 'Prometheus read failed')
      sendProblem(request, reply, err.status, err.publicMessage, { type: err.status === 504 ? 'upstream-timeout' : 'upstream-unavailable' })
      return undefined
    } finally {
      reply.raw.off('close', onClose)
    }
  }

  app.get('/cluster', {
    schema: {
      tags: ['cluster'],
      summary: 'The cluster as its Prometheus sees it: nodes, pods, the mesh that runs, traffic and prices',
      description: 'Reads kube-state-metrics, cAdvisor, OpenCost and the meshes\' request metrics from the Prometheus at PROMETHEUS_URL. Each figure comes with its PromQL in `queries`; each metric family Prometheus lacks is listed in `missing` with what replaces it. ' + UPSTREAM,
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
      description: 'Builds the POST /estimate body from the cluster (pods in `namespaces`, their mean requests, the main node type, OpenCost prices, measured traffic per proxy), answers the ordinary estimate plus that body as `scenario` (edit it and send it to POST /estimate), and for each mesh that already runs, `measured` usage beside the modelled one with the factor between them. ' + UPSTREAM,
      body: ClusterEstimateRequest,
      response: { 200: ClusterEstimateResponse, ...problemResponses }
    }
  }, async (request, reply) => {
    const body = request.body
    const window = body.window ?? DEFAULT_WINDOW
    const result = await read(request, reply, body.namespaces === undefined ? defaultScope : { include: body.namespaces }, window)
    if (result === undefined) return reply
    try {
      const scenario = clusterScenario(result.view, result.podsIn(body.namespaces), result.clusterPods, body, app.models)
      const estimated = estimate(scenario, app.models)
      return { ...estimated, scenario, measured: measuredBeside(result.view, estimated), missing: result.view.missing }
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      // Fields the request gave keep their pointer; the rest were derived from the cluster, under /scenario.
      const own = /^\/(namespaces|meshes|basis|window)(\/|$)/
      throw err.mapErrors((e) => ({ pointer: own.test(e.pointer) ? e.pointer : `/scenario${e.pointer}`, detail: e.detail }))
    }
  })
}

export default clusterRoutes
