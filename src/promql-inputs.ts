// What a request or the configuration may put into a PromQL query, checked against these patterns before any
// reaches one (prometheus/queries.ts, the request schemas, CLUSTER_REFRESH_WINDOW): a namespace name and the
// range of Prometheus' rate() and avg_over_time() over which the cluster's usage is measured.

/** A Kubernetes namespace name: an RFC 1123 label, as the API server enforces it. */
export const KUBERNETES_NAME = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'

/** A Prometheus range: seconds, minutes, hours or days, about a month at most. */
export const WINDOW = '^([1-9][0-9]{0,5}s|[1-9][0-9]{0,3}m|[1-9][0-9]{0,2}h|([1-9]|[12][0-9]|30)d)$'
export const DEFAULT_WINDOW = '1h'
