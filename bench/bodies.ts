// The request bodies the bench sends: a different POST /estimate body on every request (pods and traffic drawn
// at random over the ranges capacity planners ask about), from a seeded generator so that two runs send the
// same sequence. Varying bodies keep any cache of whole answers from making the ratio.

/** xorshift32: deterministic, fast, good enough to spread scenarios. */
export function seededRandom (seed = 0x2545f491): () => number {
  let s = seed >>> 0 || 1
  return () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return ((s >>> 0) + 0.5) / 2 ** 32 }
}

export interface BenchBody { pods: number, traffic: { requestsPerSecondPerPod: number } }

/** pods from 10 to 5,000 (log-uniform), 1 to 500 requests per second per pod: every shipped mesh, defaults otherwise. */
export function bodyGenerator (seed?: number): () => BenchBody {
  const random = seededRandom(seed)
  return () => ({
    pods: Math.round(10 * 500 ** random()),
    traffic: { requestsPerSecondPerPod: Math.round(1 + random() * 499) }
  })
}
