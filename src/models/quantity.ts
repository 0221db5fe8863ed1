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

/** "100m" -> 0.1, "0.2" -> 0.2 */
export function cpuCores (quantity: string): number {
  const [value, suffix] = split(quantity)
  if (suffix === 'm') return value / 1000
  if (suffix === '') return value
  throw new RangeError(`not a CPU quantity: "${quantity}"`)
}

/** "128Mi" -> 0.125, "60M" -> 0.0558... (decimal megabytes, as benchmarks report them) */
export function memoryGiB (quantity: string): number {
  const [value, suffix] = split(quantity)
  const bytes = MEMORY_SUFFIX_BYTES[suffix]
  if (bytes === undefined) throw new RangeError(`not a memory quantity: "${quantity}"`)
  return (value * bytes) / GiB
}
