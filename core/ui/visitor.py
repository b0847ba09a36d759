"""A visitor without a browser: one Streamlit session spoken to over its websocket protocol, as a browser tab does.
It opens a segment's section as a link would, moves a control by its key and times each script run. The warm-up
(`python -m core.ui.warmup`) and the class benchmarks in `tests/bench/` send such visitors to a running server.

The protocol (Streamlit 1.67): `ws://HOST:PORT/_stcore/stream`, subprotocol `streamlit`; a `BackMsg.rerun_script`
carries the address (page and query string) and the changed widgets' states; the server answers with `ForwardMsg`s
until `script_finished` for the run it started (`new_session` names that run). A run that ends early for a rerun
(`st.rerun()`, `st.switch_page`) is followed by another, which is waited for too."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
LOCAL = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Control:
    """A widget the last run drew, as far as moving it goes."""
    id: str
    kind: str  # slider, select_slider, selectbox, radio, checkbox, segmented, button
    key: str
    options: list[str] = field(default_factory=list)
    low: float = 0.0
    high: float = 0.0
    step: float = 1.0
    integer: bool = False
    value: Any = None


@dataclass
class Run:
    """One thing the visitor did (opened a section, moved a control) and what the server answered."""
    what: str
    seconds: float | None = None  # from sending the request to the end of the last script run it caused
    status: str = "ok"  # ok, timeout, disconnect, page not found, superseded (another request sent before its end)
    exceptions: list[str] = field(default_factory=list)  # st.exception elements: a traceback the student saw
    errors: list[str] = field(default_factory=list)  # st.error messages
    runs: int = 0  # script runs the request caused
    started: float = 0.0


def _control(element) -> Control | None:
    kind = element.WhichOneof("type")
    if kind not in ("slider", "selectbox", "radio", "checkbox", "button_group", "button"):
        return None
    proto = getattr(element, kind)
    key = proto.id.split("-", 2)[2] if proto.id.count("-") >= 2 else ""
    control = Control(proto.id, kind, key)
    if kind == "slider" and len(proto.options):
        control.kind, control.options = "select_slider", list(proto.options)
        chosen = list(proto.raw_value) if proto.set_value and len(proto.raw_value) else [
            control.options[int(i)] for i in proto.default if 0 <= int(i) < len(control.options)]
        control.value = chosen[0] if len(chosen) == 1 else chosen or None
    elif kind == "slider":
        control.low, control.high, control.step = proto.min, proto.max, proto.step or 1.0
        control.integer = proto.data_type == proto.INT
        values = list(proto.value) if proto.set_value and len(proto.value) else list(proto.default)
        control.value = values[0] if len(values) == 1 else values
    elif kind in ("selectbox", "radio"):
        control.options = list(proto.options)
        control.value = proto.raw_value if proto.set_value and proto.raw_value else (
            control.options[proto.default] if 0 <= proto.default < len(control.options) else None)
    elif kind == "checkbox":
        control.value = proto.value if proto.set_value else proto.default
    elif kind == "button_group":
        control.kind, control.options = "segmented", [option.content for option in proto.options]
        chosen = list(proto.raw_values) if proto.set_value and len(proto.raw_values) else [
            control.options[i] for i in proto.default if 0 <= i < len(control.options)]
        control.value = chosen[0] if chosen else None
    return control


def _state(control: Control, value: Any) -> WidgetState:
    """The state the browser sends when `control` takes `value`."""
    state = WidgetState(id=control.id)
    if control.kind == "slider":
        state.double_array_value.data[:] = [float(value)]
    elif control.kind in ("select_slider", "segmented"):
        state.string_array_value.data[:] = [str(value)]
    elif control.kind in ("selectbox", "radio"):
        state.string_value = str(value)
    elif control.kind == "checkbox":
        state.bool_value = bool(value)
    else:
        state.trigger_value = True
    return state


class Visitor:
    """One session on a server at `port` of this machine."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 120.0):
        if host not in LOCAL:
            raise ValueError("visitors only go to a server on this machine")
        self.host, self.port, self.timeout = host, port, timeout
        self.controls: dict[str, Control] = {}  # by key, from the last run's elements
        self.texts: list[str] = []  # the last run's markdown
        self.page = ""
        self.query = ""  # the address bar's query string, as the server last set it
        self._pages: dict[str, str] = {}  # url path -> page script hash, from the server's navigation message
        self._socket = None
        self._reader: asyncio.Task | None = None
        self._run: Run | None = None
        self._run_id = ""
        self._done = asyncio.Event()

    async def __aenter__(self) -> Visitor:
        self._socket = await connect(f"ws://{self.host}:{self.port}/_stcore/stream", subprotocols=["streamlit"],
                                     max_size=None, proxy=None, open_timeout=30, compression=None)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc) -> None:
        await self._socket.close()
        self._reader.cancel()

    async def open(self, page: str, **query: str) -> Run:
        """Open `page` (its url path) with `query` in the address, as following a link in this tab does."""
        self.page, self.query = page, urlencode(query)
        return await self._rerun(f"open {page}?{self.query}", [])

    async def move(self, key: str, value: Any) -> Run:
        """Set the control with `key` to `value` (a button: press it)."""
        control = self.controls.get(key)
        if control is None:
            raise KeyError(f"no control {key!r} on {self.page}?{self.query}")
        run = await self._rerun(f"{key}={value}", [_state(control, value)])
        control.value = value
        return run

    async def _rerun(self, what: str, states: list[WidgetState]) -> Run:
        back = BackMsg()
        client = back.rerun_script
        client.query_string, client.page_name = self.query, self.page
        client.page_script_hash = self._pages.get(self.page, "")
        client.widget_states.widgets.extend(states)
        if self._run is not None and not self._done.is_set():
            self._run.status = "superseded"
            self._done.set()
        self._run, self._run_id, self._done = Run(what, started=time.perf_counter()), "", asyncio.Event()
        run = self._run
        try:
            await self._socket.send(back.SerializeToString())
            await asyncio.wait_for(self._done.wait(), self.timeout)
        except ConnectionClosed:
            run.status = "disconnect"
        except asyncio.TimeoutError:
            run.status = "timeout"
        return run

    async def _read(self) -> None:
        try:
            async for raw in self._socket:
                self._receive(raw)
        except ConnectionClosed:
            pass
        if self._run is not None and not self._done.is_set():
            self._run.status = "disconnect"
            self._done.set()

    def _receive(self, raw: bytes) -> None:
        message = ForwardMsg()
        message.ParseFromString(raw)
        kind, run = message.WhichOneof("type"), self._run
        if kind == "new_session":
            self.controls, self.texts = {}, []
            if run is not None:
                run.runs += 1
                self._run_id = message.metadata.run.script_run_id
        elif kind == "navigation":
            self._pages = {p.url_pathname: p.page_script_hash for p in message.navigation.app_pages}
            self.page = next((path for path, h in self._pages.items()
                              if h == message.navigation.page_script_hash), self.page)
        elif kind == "page_info_changed":
            self.query = message.page_info_changed.query_string
        elif kind == "page_not_found" and run is not None:
            run.status = "page not found"
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._element(message.delta.new_element, run)
        elif kind == "script_finished" and run is not None and run.runs and message.script_finished in FINISHED:
            if not self._run_id or message.metadata.run.script_run_id in ("", self._run_id):
                run.seconds = time.perf_counter() - run.started
                self._done.set()

    def _element(self, element, run: Run | None) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception" and run is not None and not element.exception.is_warning:
            run.exceptions.append(f"{element.exception.type}: {element.exception.message[:300]}")
        elif kind == "alert" and run is not None and element.alert.format == Alert.ERROR:
            run.errors.append(element.alert.body[:300])
        elif kind == "markdown":
            self.texts.append(element.markdown.body)
        elif (control := _control(element)) is not None and control.key:
            self.controls[control.key] = control
