"""The layout's rules, read from the imports themselves (at any depth, lazy imports included): Streamlit only in
`ui` folders, app.py and pages/; a segment never imports another; the training loop imports no model; only the
command line and the cache layer import the recipes; no import circle anywhere."""
import ast
from pathlib import Path

import pytest

from core.lecture import ROOT, SEGMENTS

SEGMENT_PACKAGES = ("recap", "feed_forward", "cnn", "rnn", "generative", "adversarial")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted((ROOT / "core").rglob("*.py"))}
ENTRY_POINTS = {module_name(p): p for p in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]}


def imports(path: Path) -> set[str]:
    """Every module `path` imports: `from a.b import c` counts as a.b.c where that is a module of ours, else a.b."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in MODULES else node.module)
    return found


GRAPH = {name: imports(path) for name, path in {**MODULES, **ENTRY_POINTS}.items()}


def segment(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "core" and parts[1] in SEGMENT_PACKAGES else None


def test_every_segment_package_exists_and_every_section_module_is_in_its_segment():
    assert all(f"core.{s}" in MODULES for s in SEGMENT_PACKAGES)
    for seg in SEGMENTS:
        for section in seg.sections:
            assert section.module in MODULES, section.module
            assert ".ui." in section.module


def test_streamlit_only_in_ui_folders_app_and_pages():
    offenders = [m for m, deps in GRAPH.items() if any(d == "streamlit" or d.startswith("streamlit.") for d in deps)
                 and m.startswith("core.") and ".ui." not in f"{m}." and not m.startswith("core.ui")]
    assert offenders == []


def test_a_segment_never_imports_another_and_shared_core_imports_no_segment():
    crossings = []
    for module, deps in GRAPH.items():
        if not module.startswith("core.") or module == "core.recipes":
            continue
        for dep in deps:
            if segment(dep) and segment(dep) != segment(module):
                crossings.append(f"{module} → {dep}")
    assert crossings == []


def test_the_training_loop_is_a_leaf():
    core_deps = {d for d in GRAPH["core.training"] if d.startswith("core")}
    assert core_deps <= {"core.device"}


def test_only_the_command_line_and_the_cache_layer_import_the_recipes():
    importers = {m for m, deps in GRAPH.items() if "core.recipes" in deps}
    assert importers <= {"core.ui.cache"}


def test_no_import_circle():
    ours = {m: {d for d in deps if d in MODULES} for m, deps in GRAPH.items()}
    circles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in ours.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in ours.get(v, ()):
                circles.append(sorted(component))

    for v in ours:
        if v not in index:
            visit(v)
    assert circles == []


@pytest.mark.parametrize("page", sorted(ENTRY_POINTS))
def test_pages_are_thin(page):
    """A page names its segment's sections and nothing else: the sections live in the segment's ui folder."""
    assert len(ENTRY_POINTS[page].read_text().splitlines()) <= (60 if page == "app" else 12)


@pytest.mark.parametrize("segment", SEGMENTS, ids=lambda s: s.url_path)
def test_each_page_lists_its_sections_as_the_lecture_does(segment):
    tree = ast.parse((ROOT / segment.file).read_text())
    listed = next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                  and any(getattr(target, "id", "") == "SECTIONS" for target in node.targets))
    assert listed == tuple(s.title for s in segment.sections)
