"""The project's modules import each other without cycles (imports inside functions count).

    .venv/bin/python tests/test_import_graph.py     # prints every cycle in config, timeline, sources, records

The graph is grimp's (the library import-linter is built on); cycles are its strongly connected
components of more than one module.
"""
import sys
from pathlib import Path

import grimp

PACKAGES = ("config", "timeline", "sources", "records")


def import_cycles(packages=PACKAGES):
    """Return each group of modules that import one another in a cycle, as sorted lists."""
    graph = grimp.build_graph(*packages, cache_dir=None)
    order, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(module):  # Tarjan's strongly connected components
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            component = []
            while not component or component[-1] != module:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return cycles


def test_the_project_has_no_import_cycles():
    assert import_cycles() == []


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.setrecursionlimit(10_000)
    found = import_cycles()
    for cycle in found:
        print("cycle:", " ".join(cycle))
    print(f"{len(found)} import cycles")
    sys.exit(1 if found else 0)
