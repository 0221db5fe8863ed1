// The API document's schemas, each once. @fastify/swagger inlines every route's schemas, so a type used by several
// routes (EstimateResponse by POST and GET /estimate and the batch) was written out each time. Every titled schema
// (the named request and response types) is hoisted to components.schemas and referenced by $ref where it stood.
type Node = Record<string, unknown>

const isSchema = (o: Node): boolean => 'type' in o || 'properties' in o || 'anyOf' in o || 'oneOf' in o || 'allOf' in o

/** Keywords that say what a use of a type means, not what it accepts: a use may set its own beside the $ref. */
const ANNOTATIONS = new Set(['description', 'examples', 'default', '$comment'])
const shape = (o: Node): string => JSON.stringify(Object.fromEntries(Object.entries(o).filter(([k]) => !ANNOTATIONS.has(k))))

/**
 * The document with each titled schema in components.schemas once (the first use's annotations), and each use
 * a $ref with the annotations of its own that differ; throws when two schemas of one title accept different values.
 */
export function hoistTitledSchemas<D extends Node> (doc: D): D {
  const components = (doc.components ?? {}) as Node
  const schemas: Record<string, Node> = { ...(components.schemas as Record<string, Node> | undefined) }
  const shapes = new Map<string, string>()
  const hoist = (title: string, schema: Node): Node => {
    const known = shapes.get(title)
    if (known === undefined) {
      shapes.set(title, shape(schema))
      schemas[title] = schema
    } else if (known !== shape(schema)) {
      throw new Error(`the API document has two different schemas titled ${title}`)
    }
    const component = schemas[title] as Node
    return Object.fromEntries(Object.entries(schema).filter(([k]) => ANNOTATIONS.has(k) && JSON.stringify(schema[k]) !== JSON.stringify(component[k])))
  }
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit)
    if (value === null || typeof value !== 'object') return value
    const out: Node = {}
    for (const [key, child] of Object.entries(value as Node)) out[key] = visit(child)
    if (typeof out.title !== 'string' || !isSchema(out)) return out
    return { $ref: `#/components/schemas/${out.title}`, ...hoist(out.title, out) }
  }
  // The components already there keep their place: only what they contain is hoisted.
  for (const [name, schema] of Object.entries(schemas)) {
    const inner: Node = {}
    for (const [key, child] of Object.entries(schema)) inner[key] = visit(child)
    shapes.set(name, shape(inner))
    schemas[name] = inner
  }
  const paths = visit(doc.paths)
  return { ...doc, paths, components: { ...components, schemas: Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]])) } }
}
