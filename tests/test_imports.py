"""The import graph of opsbot's packages: no circles, and imports flow one way.

The layers (docs/architecture.md#imports): `bot` (the Telegram front end, the service and the
CLI) imports `reports` and `jobs`; those two import `ops` and never each other; `ops` imports
none of them. `sandbox` (the emulators and the synthetic world) is for the demo CLI, the tests
and the benchmarks only. Every `import` counts, at the top of a module or inside a function
(a lazy import still ties the two modules together); `if TYPE_CHECKING:` ones count for the
layers, not for circles (they never run).
Built with `ast` over every `.py` of the project; nothing is imported to build it.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "jobs", "reports", "ops", "sandbox", "bench", "tests")
# package -> the project packages it may import (besides itself)
ALLOWED = {
    "bot": {"reports", "jobs", "ops"},
    "reports": {"ops"},
    "jobs": {"ops"},
    "ops": set(),
    "sandbox": {"ops"},  # the synthetic world reads the entity registry (ops/entities.py)
    "bench": {"bot", "reports", "jobs", "ops", "sandbox", "tests"},
    "tests": {"bot", "reports", "jobs", "ops", "sandbox", "bench"},
}
# The demo CLI starts the emulators: the only modules outside tests/bench that import sandbox.
SANDBOX_USERS = {
    "bot.cli.demo",
    "bot.cli.demo_play",
    "bot.cli.demo_setup",
    "bot.cli.demo_transcript",
    "bot.cli.sandbox",
}


def module_name(path: Path) -> str:
    """`bot/telegram/handlers/reload.py` -> `bot.telegram.handlers.reload`; a package's
    `__init__` -> the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of the project's packages (not .venv), by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[module_name(path)] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module `name` refers to: itself, or its nearest enclosing project module
    (`jobs.chain.STEPS` -> `jobs.chain`); None for a library."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _type_only(tree: ast.Module) -> set[ast.AST]:
    """The import statements under `if TYPE_CHECKING:` (names for annotations only)."""
    guarded: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded.update(n for stmt in node.body for n in ast.walk(stmt))
    return guarded


def imports_of(
    module: str, path: Path, modules: dict[str, Path], *, type_only: bool = True
) -> set[str]:
    """The project modules `module` imports: `from pkg import mod` counts as `pkg.mod` (and
    as `pkg` only when a name is no submodule). Without `type_only`, the imports under
    `if TYPE_CHECKING:` are left out: they name a type for an annotation, and never run."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    skipped = set() if type_only else _type_only(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if node in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            names = [f"{base}.{alias.name}" for alias in node.names]
            if not all(name in modules for name in names):
                names.append(base)
        for name in names:
            target = _resolve(name, modules)
            if target and target != module:
                found.add(target)
    return found


@functools.cache
def import_graph(*, type_only: bool = True) -> dict[str, set[str]]:
    """Module -> the project modules it imports (`type_only`: with the TYPE_CHECKING ones)."""
    modules = project_modules()
    return {
        name: imports_of(name, path, modules, type_only=type_only) for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_imports_it_must() -> None:
    # the builder itself: a known edge of each kind (top level, lazy, `from pkg import mod`)
    graph = import_graph()
    assert "ops.registry" in graph["jobs.chain"]  # `from ops import registry`
    assert "jobs.chain" in graph["bot.cli.jobs"]  # inside a function
    assert "bot.cli.jobs" in graph["bot.cli.main"]  # `from bot import cli_jobs`, inside a function
    assert "sandbox.world" in graph["bot.cli.demo_setup"]
    assert len(graph) > 200


def test_no_module_imports_itself_in_a_circle() -> None:
    # An `if TYPE_CHECKING:` import (a type named in an annotation) never runs, so it cannot
    # close a circle; the layers below still count it.
    found = cycles(import_graph(type_only=False))
    assert found == [], "import circles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_imports_flow_bot_to_reports_and_jobs_to_ops() -> None:
    wrong = []
    for module, targets in import_graph().items():
        layer = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other == layer:
                continue
            allowed = ALLOWED[layer] | ({"sandbox"} if module in SANDBOX_USERS else set())
            if other not in allowed:
                wrong.append(f"{module} imports {target}")
    assert wrong == [], "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_only_the_demo_cli_tests_and_benchmarks_import_sandbox() -> None:
    users = {
        module.split(".")[0] if module.split(".")[0] in ("tests", "bench") else module
        for module, targets in import_graph().items()
        if any(t.split(".")[0] == "sandbox" for t in targets) and not module.startswith("sandbox")
    }
    assert users == SANDBOX_USERS | {"tests", "bench"}


# Inside bot/ (docs/architecture.md#packages): the Telegram front end and the CLI use the
# service, the service uses neither; bot.runtime and bot.leading (the composition root) wire the
# three together.
BOT_AREAS = {
    "bot.service": {"bot.service"},
    "bot.telegram": {"bot.telegram", "bot.service"},
    "bot.cli": {"bot.cli", "bot.service", "bot.telegram", "bot.runtime"},
}


def _bot_area(module: str) -> str:
    """`bot.telegram.handlers.stock` -> `bot.telegram`; `bot.runtime` -> itself."""
    return ".".join(module.split(".")[:2])


def test_inside_bot_the_front_ends_use_the_service_never_the_reverse() -> None:
    graph = import_graph()
    assert set(BOT_AREAS) <= {_bot_area(m) for m in graph if m.startswith("bot.")}
    wrong = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if _bot_area(module) in BOT_AREAS
        for target in targets
        if target.startswith("bot.") and _bot_area(target) not in BOT_AREAS[_bot_area(module)]
    ]
    assert wrong == [], "imports against bot's areas:\n" + "\n".join(sorted(wrong))
