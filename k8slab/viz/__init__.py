"""Pictures and live views: graphviz diagrams, ipywidgets views, matplotlib plots.

- `architecture(highlight=...)` and `StepWalker()`: the fifteen-step diagram (notebook 00)
"""

from k8slab.viz.architecture import ArchitectureDiagram, StepWalker, architecture

# Other views add their imports here (the store view: `from k8slab.viz.storeview import StoreView`).

__all__ = ["ArchitectureDiagram", "StepWalker", "architecture"]
