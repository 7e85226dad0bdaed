"""Shared pytest set-up for tests/ and for the nbval run over notebooks/.

`make test` loads this file as a plugin for the nbval run
(`pytest -p tests.conftest --nbval ... notebooks/*.ipynb`): pytest only picks
up a conftest.py that sits next to or above the files it collects, and the
notebooks live outside tests/. tests/README.md explains what nbval compares.
"""

from __future__ import annotations

# Graphviz's SVG starts with a comment naming the graphviz version, and its
# layout coordinates depend on the graphviz build and the fonts installed, so
# the same DOT source renders to different SVG on different machines. Our
# tests check the DOT source instead (the picture's meaning), and nbval skips
# the SVG rendering. text/plain and text/html are still compared.
SKIPPED_MIME_TYPES = ("image/svg+xml",)


def pytest_collectstart(collector):
    """Extend nbval's skip list for every notebook it collects (nbval's documented hook)."""
    if hasattr(collector, "skip_compare") and str(collector.path).endswith(".ipynb"):
        collector.skip_compare += SKIPPED_MIME_TYPES
