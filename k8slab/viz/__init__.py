"""Pictures and live views: graphviz diagrams, ipywidgets views, matplotlib plots.

- `architecture(highlight=...)` and `StepWalker()`: the fifteen-step diagram (notebook 00)
- `StoreView(store)`: etcd's history as a timeline, with a time-travel slider and a watch log (notebook 01)
"""

from k8slab.viz.architecture import ArchitectureDiagram, StepWalker, architecture
from k8slab.viz.storeview import StoreView

__all__ = ["ArchitectureDiagram", "StepWalker", "StoreView", "architecture"]
