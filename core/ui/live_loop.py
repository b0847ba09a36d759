"""The live loop's Python half: a Streamlit v2 component that trains and draws in the student's browser.

A section registers its component from its JavaScript files (the shared scaffold core/ui/live_loop.js, an engine and
its view, joined into one module: no build step) and mounts it with a fixed key. Python sends the start (data,
initial weights, settings); the browser plays, and sends a small snapshot back only when the student pauses, steps
or resets, which the section takes into the session on the rerun that follows. The server is idle while a student plays.
"""
import base64
from collections.abc import Callable
from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent
MULBERRY32, LINE_CHART, SCAFFOLD = HERE / "mulberry32.js", HERE / "line_chart.js", HERE / "live_loop.js"
SCAFFOLD_CSS = HERE / "live_loop.css"


def script(*parts: Path | str) -> str:
    """JavaScript files (or text) joined into one ES module (each declares its own names; the last exports the
    default)."""
    return "\n".join(part if isinstance(part, str) else part.read_text() for part in parts)


def wasm_bytes(name: str, path: Path) -> str:
    """A WebAssembly module as a JavaScript constant `name` holding its bytes in base64: a component is one module
    of text, with no file served beside it, so it compiles the module from these."""
    return f'const {name} = "{base64.b64encode(path.read_bytes()).decode()}";\n'


def component(name: str, files: list[Path | str], css: Path) -> Callable:
    """Register a live component from the scaffold, the shared helpers and a section's files (engine, view)."""
    return st.components.v2.component(name, js=script(MULBERRY32, LINE_CHART, SCAFFOLD, *files),
                                      css=script(SCAFFOLD_CSS, css))


def snapshot(key: str) -> dict | None:
    """The last snapshot the browser sent to the component keyed `key`, if any: read it before mounting the component,
    so that what is sent to the browser and shown beside it agree."""
    return (st.session_state.get(key) or {}).get("snapshot")


def mount(renderer: Callable, key: str, data: dict) -> None:
    """Show the component under a fixed `key`, so that reruns keep it playing."""
    renderer(key=key, data=data)
