"""Importing a package's modules without its `__init__.py`, where that file loads far more than
the grader uses.

    without_init("nbgrader")          # then
    from nbgrader.api import Gradebook

`import nbgrader.api` first runs nbgrader/__init__.py, which loads four Jupyter server
extensions (0.8 s of CPU); copydetect's loads matplotlib.pyplot (0.3 s). The instructor's process pays that while
its workers warm up, on the same two cores. Here the package module is made from its spec but
its `__init__` is not run; it runs the first time anything asks the package for a name of its
own (module `__getattr__`, PEP 562), so whatever really needs it still gets it.
"""
from __future__ import annotations

import importlib.util
import sys


def without_init(package: str) -> None:
    """Make `package.sub` importable without running `package/__init__.py` (nothing happens when
    the package is imported already, or is not a package)."""
    if package in sys.modules:
        return
    parent, _, _ = package.rpartition(".")
    if parent:
        without_init(parent)
    spec = importlib.util.find_spec(package)
    if spec is None or spec.submodule_search_locations is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)

    def complete(name: str):
        if not name.startswith("__") and importlib.util.find_spec(f"{package}.{name}") is not None:
            return importlib.import_module(f"{package}.{name}")   # `from . import utils` asks so first
        del module.__dict__["__getattr__"]
        spec.loader.exec_module(module)   # the package's own __init__, once, in its own namespace
        try:
            return module.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    module.__getattr__ = complete
    sys.modules[package] = module
    if parent:
        setattr(sys.modules[parent], package.rpartition(".")[2], module)
