// A node's capacity type from the labels each provider's node provisioning sets, as kube-state-metrics names
// them (label_ + the key in snake case): values as the providers document them.
import t from 'tap'
import { capacityTypeOf } from '../../src/prometheus/cluster.js'

t.test('On-Demand or Spot from Karpenter, EKS node groups, GKE and AKS labels; null when none says', async (t) => {
  const cases: Array<[string, Record<string, string>, 'onDemand' | 'spot' | null]> = [
    ['Karpenter spot', { label_karpenter_sh_capacity_type: 'spot' }, 'spot'],
    ['Karpenter on-demand', { label_karpenter_sh_capacity_type: 'on-demand' }, 'onDemand'],
    ['EKS managed node group SPOT', { label_eks_amazonaws_com_capacity_type: 'SPOT' }, 'spot'],
    ['EKS managed node group ON_DEMAND', { label_eks_amazonaws_com_capacity_type: 'ON_DEMAND' }, 'onDemand'],
    ['GKE Spot VM', { label_cloud_google_com_gke_spot: 'true' }, 'spot'],
    ['GKE preemptible VM', { label_cloud_google_com_gke_preemptible: 'true' }, 'spot'],
    ['AKS spot node pool', { label_kubernetes_azure_com_scalesetpriority: 'spot' }, 'spot'],
    ['AKS regular node pool', { label_kubernetes_azure_com_scalesetpriority: 'regular' }, 'onDemand'],
    ['Karpenter wins over a stale EKS label', { label_karpenter_sh_capacity_type: 'spot', label_eks_amazonaws_com_capacity_type: 'ON_DEMAND' }, 'spot'],
    ['no such label', { label_kubernetes_io_arch: 'arm64' }, null]
  ]
  for (const [what, labels, expected] of cases) t.equal(capacityTypeOf(labels), expected, what)
})
