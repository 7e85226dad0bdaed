"""Pictures and live views: graphviz diagrams, ipywidgets views, matplotlib plots.

Each lives in its own module and is imported from there (importing k8slab.viz stays light):

- `architecture(highlight=...)` and `StepWalker()`: the fifteen-step diagram (notebook 00)
- `StoreView(store)`: etcd's history as a timeline, with a time-travel slider and a watch log (notebook 01)
- `apiview.RequestLog`: the API server's requests as kubectl -v would log them (notebook 02)
- `stategraph`: Deployments -> ReplicaSets -> Pods -> Nodes, `Recorder`/`Player` over virtual time,
  `ScaleSlider` (notebooks 03, 05)
- `rollout`: `RolloutRecorder` and `plot_rollout`, old and new ReplicaSet counts over time (notebook 03)
- `placement`: nodes with their pods and CPU/memory bars, `PlacementView` with controls (notebook 04)
- `timeline`: `TimelineRecorder` and `plot_timeline`, pod lifecycles as a Gantt chart (notebook 05)
- `trace`: `TraceWalker`, a traced request's hops on the diagram (notebook 08)
- `dashboard`: `Dashboard`, the whole cluster live, what `cluster.view()` shows (notebook 09)
"""

from k8slab.viz.architecture import ArchitectureDiagram, StepWalker, architecture
from k8slab.viz.storeview import StoreView

__all__ = ["ArchitectureDiagram", "StepWalker", "StoreView", "architecture"]
