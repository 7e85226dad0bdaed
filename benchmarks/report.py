"""What every benchmark script prints: a title naming the machine, then an aligned table of figures."""

from __future__ import annotations

import os
import platform
import sys


def machine() -> str:
    """Python version, implementation, CPU count and platform: figures mean little without them."""
    return (
        f"Python {platform.python_version()} ({sys.implementation.name}), {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.machine()}"
    )


def print_table(rows: list[tuple[str, str, str]], title: str) -> None:
    """Print `(figure, value, detail)` rows under `title`, values right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print(title)
    print()
    header = ("figure", "value", "detail")
    print(f"{header[0]:<{widths[0]}}  {header[1]:>{widths[1]}}  {header[2]}")
    print(f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * widths[2]}")
    for name, value, detail in rows:
        print(f"{name:<{widths[0]}}  {value:>{widths[1]}}  {detail}")
