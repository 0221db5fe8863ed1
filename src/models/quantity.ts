// Kubernetes resource quantities, limited to the suffixes the charts and benchmarks use.
const GiB = 2 ** 30

const MEMORY_SUFFIX_BYTES: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30
}

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/

function split (quantity: string): [number, string] {
  const match = QUANTITY.exec(quantity)
  if (match === null) throw new RangeError(`not a quantity: "${quantity}"`)
  return [Number(match[1]), match[2] ?? '']
}

// Quantities come from the model files (and the defaults), parsed once at start-up and then at every
// estimate: memoised, a bounded set, since requests carry numbers, not quantity strings.
const cpuCache = new Map<string, number>()
const memoryCache = new Map<string, number>()
const CACHE_LIMIT = 10_000

function memo (cache: Map<string, number>, quantity: string, parse: (q: string) => number): number {
  let value = cache.get(quantity)
  if (value === undefined) {
    value = parse(quantity)
    if (cache.size < CACHE_LIMIT) cache.set(quantity, value)
  }
  return value
}

/** "100m" -> 0.1, "0.2" -> 0.2 */
export function cpuCores (quantity: string): number {
  return memo(cpuCache, quantity, parseCpu)
}

/** "128Mi" -> 0.125, "60M" -> 0.0558... (decimal megabytes, as benchmarks report them) */
export function memoryGiB (quantity: string): number {
  return memo(memoryCache, quantity, parseMemory)
}

function parseCpu (quantity: string): number {
  const [value, suffix] = split(quantity)
  if (suffix === 'm') return value / 1000
  if (suffix === '') return value
  throw new RangeError(`not a CPU quantity: "${quantity}"`)
}

function parseMemory (quantity: string): number {
  const [value, suffix] = split(quantity)
  const bytes = MEMORY_SUFFIX_BYTES[suffix]
  if (bytes === undefined) throw new RangeError(`not a memory quantity: "${quantity}"`)
  return (value * bytes) / GiB
}
