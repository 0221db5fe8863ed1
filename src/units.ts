// Units, rounding and ranges: defined once, used by the engine, the CSV writer and the routes.
// (Kubernetes quantity strings of the model files, "100m" and "128Mi", are parsed in models/quantity.ts.)

/** A figure with its range: the shape of schemas/common.ts's Range, stated here so that units sit below the schemas. */
export interface Range { low: number, expected: number, high: number }

/** Hours in a month, as OpenCost, Kubecost and Infracost count them: 365 x 24 / 12, rounded. */
export const HOURS_PER_MONTH = 730
export const HOURS_PER_YEAR = HOURS_PER_MONTH * 12

// 10 ** digits for the digits the engine rounds to, computed once (the same values: 10 ** d is exact up to d = 22);
// round() runs a few hundred times per estimate, and the power was a visible share of its profile.
const POWERS_OF_TEN: readonly number[] = Array.from({ length: 11 }, (_, d) => 10 ** d)

/** x to `digits` decimal places (half away from zero for positives, as Math.round); 6 by default, as ranges are. */
export function round (x: number, digits = 6): number {
  const f = POWERS_OF_TEN[digits] ?? 10 ** digits
  return Math.round(x * f) / f
}

export const BOUNDS = ['low', 'expected', 'high'] as const
export type Bound = typeof BOUNDS[number]

export const ZERO_RANGE: Range = { low: 0, expected: 0, high: 0 }

/** A range from one function of the bound. */
export const mapRange = (f: (bound: Bound) => number): Range => ({ low: f('low'), expected: f('expected'), high: f('high') })
// Written out rather than through mapRange: the engine adds and scales ranges on every component of every
// estimate, and the closures were 17 % of its profile.
export const addRanges = (a: Range, b: Range): Range => ({ low: a.low + b.low, expected: a.expected + b.expected, high: a.high + b.high })
export const roundRange = (r: Range, digits = 6): Range => ({ low: round(r.low, digits), expected: round(r.expected, digits), high: round(r.high, digits) })
