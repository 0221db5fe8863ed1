// The range of Prometheus' rate() and avg_over_time() over which the cluster's usage is measured: checked by
// the configuration (CLUSTER_REFRESH_WINDOW) and by requests, before any reaches a query.

/** A Prometheus range: seconds, minutes, hours or days, about a month at most. */
export const WINDOW = '^([1-9][0-9]{0,5}s|[1-9][0-9]{0,3}m|[1-9][0-9]{0,2}h|([1-9]|[12][0-9]|30)d)$'
export const DEFAULT_WINDOW = '1h'
