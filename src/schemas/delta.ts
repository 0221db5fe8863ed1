// The cost delta of one mesh against a baseline (no mesh, or the mesh the cluster runs today), in the spirit of
// Kubecost's cost prediction: before, after, change.
import { Type, type Static } from 'typebox'
import { strict } from '../models/schema.js'

const side = (description: string, signed: boolean) => {
  const n = (what: string) => Type.Number({ ...(signed ? {} : { minimum: 0 }), description: what })
  const i = (what: string) => Type.Integer({ ...(signed ? {} : { minimum: 0 }), description: what })
  return Type.Object({
    cpuCores: n('mesh overhead CPU on the request\'s basis, cores (expected)'),
    memoryGiB: n('mesh overhead memory on the request\'s basis, GiB (expected)'),
    sidecars: i('proxy containers in application pods'),
    extraPods: i('pods the mesh adds (DaemonSet pods and Deployment replicas)'),
    nodes: i('nodes the workload and the mesh need, packed by requests'),
    monthlyCost: n('allocated monthly cost of the mesh overhead at unit prices (expected), in `currency`'),
    additionalNodesMonthly: Type.Union([n('marginal monthly cost of the nodes the mesh adds over no mesh, in `currency`'), Type.Null()], { description: 'marginal monthly cost of the nodes the mesh adds over no mesh; null when the node price is unknown' })
  }, { ...strict, description })
}

export const DeltaSide = side('one side of the comparison', false)
export type DeltaSide = Static<typeof DeltaSide>

export const Delta = Type.Object({
  baseline: Type.String({ description: '"none" (no mesh) or the mesh id compared against' }),
  currency: Type.String({ description: 'ISO 4217 code of every cost in this delta' }),
  before: side('the baseline: no mesh (all zeros, nodes without a mesh) or the baseline mesh in the same scenario', false),
  after: side('this mesh in the same scenario', false),
  change: side('after − before; negative is a saving', true)
}, { ...strict, title: 'Delta', description: 'resources and monthly cost of this mesh against the baseline (Kubecost\'s costBefore / costAfter / costChange)' })
export type Delta = Static<typeof Delta>
