"""Simulated students: each one Streamlit session spoken to over Streamlit's websocket protocol, as a browser tab
speaks it, without a browser. Shared by the load benchmarks.

    student = Student("http://127.0.0.1:8500")
    await student.connect("feed_forward", "Neurons and non-linearity")   # a link opened in a new tab
    await student.set("nn_w", 2.5)                                        # a control moved
    await student.press("pg_play")                                        # a button
    student.timings                                                       # one Timing per interaction
    await student.close()

What a tab does, reduced to what loads the server: GET the page (so a load balancer can set its cookie, which every
later request carries), open ws://HOST/_stcore/stream (subprotocol "streamlit"; no Origin header), send
BackMsg{rerun_script: ClientState{query_string, page_name, page_script_hash, widget_states}}, and read ForwardMsgs
until the run it asked for ends (script_finished, not FINISHED_EARLY_FOR_RERUN: an st.rerun() starts another run).
A first visit names the URL path as page_name and no hash, as a deep link does; later visits name the hash from the
server's `navigation` message, as a click in the sidebar does. A widget's id ("$$ID-<md5>-<key>") comes from the
deltas; a rerun carries only the changed widget's state (the server keeps the others), buttons a one-shot trigger.
Images the deltas name (/media/...) are fetched over HTTP with the cookie, as the browser does.

If the connection drops (a worker gone, the balancer restarted), the next interaction reconnects the way the
browser does: the page again (a new cookie), a new websocket, a rerun of the same page with the same address.
"""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

FINAL = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
WIDGETS = ("slider", "selectbox", "radio", "checkbox", "button_group", "button")
WORKER_COOKIE = "dashboard_worker"  # set by serve/nginx.conf.template


@dataclass
class Widget:
    id: str
    kind: str  # slider, select_slider, selectbox, radio, checkbox, toggle, segmented, button
    key: str
    options: list[str] = field(default_factory=list)
    lo: float = 0.0
    hi: float = 0.0
    step: float = 1.0
    integer: bool = False
    current: Any = None
    disabled: bool = False
    in_form: bool = False

    @classmethod
    def of(cls, el) -> Widget | None:
        """The widget a delta's element shows, or None for anything else."""
        kind = el.WhichOneof("type")
        if kind not in WIDGETS:
            return None
        p = getattr(el, kind)
        parts = p.id.split("-", 2)
        w = cls(p.id, kind, parts[2] if len(parts) == 3 else "", disabled=p.disabled, in_form=bool(p.form_id))
        if kind == "slider" and len(p.options):
            w.kind, w.options = "select_slider", list(p.options)
            values = list(p.raw_value) if p.set_value and len(p.raw_value) else [w.options[int(i)] for i in p.default]
            w.current = values[0] if len(values) == 1 else values
        elif kind == "slider":
            w.lo, w.hi, w.step, w.integer = p.min, p.max, p.step or 1.0, p.data_type == p.INT
            values = list(p.value) if p.set_value and len(p.value) else list(p.default)
            w.current = values[0] if len(values) == 1 else values
        elif kind in ("selectbox", "radio"):
            w.options = list(p.options)
            w.current = p.raw_value if p.set_value and p.raw_value else (
                w.options[p.default] if 0 <= p.default < len(w.options) else None)
        elif kind == "checkbox":
            w.kind = "toggle" if p.type == p.TOGGLE else "checkbox"
            w.current = p.value if p.set_value else p.default
        elif kind == "button_group":
            w.kind, w.options = "segmented", [o.content for o in p.options]
            w.current = p.raw_values[0] if p.set_value and len(p.raw_values) else (
                w.options[p.default[0]] if len(p.default) else None)
        return w

    def state(self, value: Any) -> WidgetState:
        """What the frontend sends when this widget takes `value`."""
        s = WidgetState(id=self.id)
        if self.kind == "slider":
            s.double_array_value.data[:] = [float(value)]
        elif self.kind in ("select_slider", "segmented"):
            s.string_array_value.data[:] = [str(value)]
        elif self.kind in ("selectbox", "radio"):
            s.string_value = str(value)
        elif self.kind in ("checkbox", "toggle"):
            s.bool_value = bool(value)
        elif self.kind == "button":
            s.trigger_value = True
        return s

    def another_value(self, rng: random.Random) -> Any:
        """A value other than the current one, as a student would pick it."""
        if self.kind == "slider":
            current = self.current[0] if isinstance(self.current, list) else self.current
            steps = [self.lo + i * self.step for i in range(int(round((self.hi - self.lo) / self.step)) + 1)]
            v = rng.choice([s for s in steps if current is None or abs(s - current) > self.step / 2] or steps)
            return int(round(v)) if self.integer else round(v, 10)
        if self.kind in ("checkbox", "toggle"):
            return not self.current
        return rng.choice([o for o in self.options if o != self.current] or self.options)


@dataclass
class Timing:
    """One interaction: a page opened, a control changed or a button pressed."""
    what: str
    page: str
    detail: str = ""
    seconds: float | None = None  # rerun sent → the run it started finished on the server
    status: str = "ok"  # ok, timeout, disconnect, page_not_found
    exceptions: list[str] = field(default_factory=list)  # st.exception elements shown
    errors: list[str] = field(default_factory=list)  # st.error alerts shown
    worker: str = ""  # the worker that served it (the balancer's cookie; empty without one)
    media_failed: int = 0
    run_id: str = ""
    runs: int = 0

    @property
    def failed(self) -> bool:
        return self.status != "ok" or bool(self.exceptions) or self.media_failed > 0


class Student:
    """One browser tab's Streamlit session, driven from asyncio."""

    def __init__(self, base_url: str, name: str = "", timeout: float = 120.0, fetch_media: bool = True):
        url = urlsplit(base_url)
        self.host, self.port = url.hostname, url.port or 80
        self.name, self.timeout, self.fetch_media = name, timeout, fetch_media
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.page_hashes: dict[str, str] = {}  # URL path → page_script_hash, from `navigation`
        self.page, self.page_hash, self.query = "", "", ""  # what the address bar shows
        self.widgets: dict[str, Widget] = {}  # the latest run's, by id
        self.timings: list[Timing] = []
        self.disconnects = 0
        self._run: Timing | None = None
        self._done = asyncio.Event()
        self._media: list[asyncio.Task] = []

    @property
    def worker(self) -> str:
        return self.cookies.get(WORKER_COOKIE, "")

    # --- HTTP, with the cookies a browser keeps -----------------------------------------------------------------
    async def get(self, path: str) -> int:
        """GET `path` with this tab's cookies, keep the ones the answer sets; returns the status (0: no answer)."""
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), 10)
        except (OSError, asyncio.TimeoutError):
            return 0
        try:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            writer.write((f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nConnection: close\r\n"
                          + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n").encode())
            await writer.drain()
            data = await asyncio.wait_for(reader.read(), 30)
        except (OSError, asyncio.TimeoutError):
            return 0
        finally:
            writer.close()
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        self._keep_cookies(line.split(":", 1)[1] for line in head[1:] if line.lower().startswith("set-cookie:"))
        try:
            return int(head[0].split()[1])
        except (IndexError, ValueError):
            return 0

    def _keep_cookies(self, headers) -> None:
        for header in headers:
            for name, morsel in SimpleCookie(header.strip()).items():
                self.cookies[name] = morsel.value

    # --- the websocket ------------------------------------------------------------------------------------------
    async def _open_socket(self) -> None:
        await self.get(f"/{self.page}" + (f"?{self.query}" if self.query else ""))
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.ws = await connect(f"ws://{self.host}:{self.port}/_stcore/stream", subprotocols=["streamlit"],
                                additional_headers={"Cookie": cookie} if cookie else None, max_size=None,
                                proxy=None, open_timeout=30, ping_interval=20, ping_timeout=60, compression=None)
        self._keep_cookies(self.ws.response.headers.get_all("Set-Cookie"))
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self._on_message(raw)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.ws = None
            if self._run is not None and not self._done.is_set():
                self._run.status = "disconnect"
                self.disconnects += 1
                self._done.set()

    def _on_message(self, raw: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind, run = msg.WhichOneof("type"), self._run
        if kind == "new_session":
            self.widgets = {}
            self.page_hash = msg.new_session.page_script_hash or self.page_hash
            if run is not None:
                run.run_id, run.runs = msg.metadata.run.script_run_id, run.runs + 1
        elif kind == "navigation":
            self.page_hashes = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash
            self.page = next((u for u, h in self.page_hashes.items() if h == self.page_hash), self.page)
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "page_not_found" and run is not None:
            run.status = "page_not_found"
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._on_element(msg.delta.new_element, run)
        elif kind == "script_finished" and run is not None and run.runs and msg.script_finished in FINAL:
            if not run.run_id or msg.metadata.run.script_run_id in ("", run.run_id):  # not a run ours stopped
                run.seconds = time.perf_counter() - self._started
                self._done.set()

    def _on_element(self, el, run: Timing | None) -> None:
        kind = el.WhichOneof("type")
        if kind == "exception" and run is not None and not el.exception.is_warning:
            run.exceptions.append(f"{el.exception.type}: {el.exception.message[:200]}")
        elif kind == "alert" and run is not None and el.alert.format == Alert.ERROR:
            run.errors.append(el.alert.body[:200])
        elif kind == "imgs" and run is not None and self.fetch_media:
            self._media += [asyncio.create_task(self._fetch(img.url, run)) for img in el.imgs.imgs
                            if img.url.startswith("/media/")]
        elif (w := Widget.of(el)) is not None:
            self.widgets[w.id] = w

    async def _fetch(self, url: str, run: Timing) -> None:
        if await self.get(url) != 200:
            run.media_failed += 1

    # --- what a student does ------------------------------------------------------------------------------------
    async def rerun(self, timing: Timing, states: list[WidgetState] = ()) -> Timing:
        """Ask for a run of the page shown with these widget changes; wait until it finished (or `timeout`)."""
        self.timings.append(timing)
        try:
            if self.ws is None:
                await self._open_socket()
        except (OSError, asyncio.TimeoutError, websockets.WebSocketException):
            timing.status = "disconnect"
            self.disconnects += 1
            return timing
        back = BackMsg()
        cs = back.rerun_script
        cs.query_string, cs.page_name, cs.page_script_hash = self.query, self.page, self.page_hash
        cs.widget_states.widgets.extend(states)
        cs.context_info.timezone, cs.context_info.locale = "Europe/Berlin", "en-GB"
        cs.context_info.url = f"http://{self.host}:{self.port}/{self.page}" + (f"?{self.query}" if self.query else "")
        self._run, self._done = timing, asyncio.Event()
        self._started = time.perf_counter()
        timing.worker = self.worker
        try:
            await self.ws.send(back.SerializeToString())
            await asyncio.wait_for(self._done.wait(), self.timeout)
        except websockets.ConnectionClosed:
            timing.status = "disconnect"
            self.disconnects += 1
        except asyncio.TimeoutError:
            timing.status = "timeout"
        pending = [t for t in self._media if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=30)
        self._media = []
        return timing

    async def connect(self, page: str = "", section: str | None = None) -> Timing:
        """Open a new tab on `page` (its URL path), with ?section=… if given."""
        return await self.open(page, section)

    async def open(self, page: str, section: str | None = None) -> Timing:
        """Go to `page` with ?section=… (a sidebar click, or a link in this tab); then, if the page kept another
        section from an earlier visit, click the wanted one."""
        self.page, self.query = page, urlencode({"section": section}) if section else ""
        self.page_hash = self.page_hashes.get(page, "")
        t = await self.rerun(Timing("open", page, section or ""))
        shown = dict(parse_qsl(self.query)).get("section")
        if t.status == "ok" and section and shown != section and self.widget("section") is not None:
            t2 = await self.set("section", section)
            t.seconds = None if t2.seconds is None else t.seconds + t2.seconds
            t.status, t.exceptions, t.errors = t2.status, t.exceptions + t2.exceptions, t.errors + t2.errors
            self.timings.remove(t2)
        return t

    def widget(self, key: str) -> Widget | None:
        return next((w for w in self.widgets.values() if w.key == key), None)

    def changeable(self, avoid=("section", "projector")) -> list[Widget]:
        """The controls a student would move: sliders and choices, else switches and segmented controls."""
        ok = [w for w in self.widgets.values() if not w.disabled and not w.in_form and w.key not in avoid]
        return ([w for w in ok if w.kind in ("slider", "select_slider", "selectbox") and (w.options or w.lo < w.hi)]
                or [w for w in ok if w.kind in ("radio", "segmented", "checkbox", "toggle")])

    async def set(self, key: str, value: Any) -> Timing:
        w = self.widget(key)
        t = Timing("change", self.page, f"{key}={value}")
        if w is None:
            t.status = "no_such_control"
            self.timings.append(t)
            return t
        await self.rerun(t, [w.state(value)])
        w.current = value
        return t

    async def press(self, key: str) -> Timing:
        return await self.set(key, True)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            await asyncio.gather(self.reader, return_exceptions=True)
        for t in self._media:
            t.cancel()
