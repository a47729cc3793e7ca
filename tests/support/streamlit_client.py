"""A Streamlit session driven the way a browser drives it: the websocket protocol, without a browser.

The server cannot tell it from a browser tab: it connects to ``/_stcore/stream`` with the
"streamlit" subprotocol, sends the same protobuf ``BackMsg``s (rerun the script for a page, with the
widgets' values), and receives every ``ForwardMsg`` the page produces (elements, charts, the end of
the run). The server creates a real session for it, runs the page script in that session's thread
and keeps its session state. What a browser adds, drawing the charts, happens on each student's own
machine. Used by benchmarks/load_test.py and tests/classroom/test_server.py; needs the
``websockets`` package.

    session = StreamlitSession("http://127.0.0.1:8501")
    await session.connect()
    run = await session.run(page="moons", chart="moons_boundary")
    run = await session.run(set={"moons_neurons": 5}, chart="moons_boundary")  # a slider moved
    run.seconds_to_chart, run.seconds, run.exceptions
    await session.close()
"""
from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

WIDGETS = ("slider", "selectbox", "radio", "checkbox", "number_input", "text_input", "button")


@dataclass
class Run:
    """What one script run showed, seen from the client."""

    seconds: float  # from sending the rerun to the end of the run
    started: float = 0.0  # time.monotonic() when the rerun was sent
    seconds_to_chart: float | None = None  # ... to the arrival of the chart asked for
    finished: bool = False  # False: timed out or the connection dropped
    exceptions: list[str] = field(default_factory=list)  # st.exception elements (tracebacks)
    errors: list[str] = field(default_factory=list)  # st.error messages
    successes: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)  # st.metric label -> the value shown
    bytes_received: int = 0


def play(scenario: Any) -> Any:
    """Run the coroutine ``scenario`` to its end on an event loop of its own thread (Playwright's
    sync API may already run one in this thread, when the browser tests ran first)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, scenario).result()


class StreamlitSession:
    """One session of a Streamlit app over its websocket protocol (see the module docstring)."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.ws: Any = None
        self.page = ""
        self.query_string = ""
        self.widgets: dict[str, tuple[str, Any]] = {}  # user key -> (element type, its proto)
        self.states: dict[str, WidgetState] = {}  # values this client has set, sent on every rerun

    async def connect(self, timeout: float = 30.0) -> None:
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=timeout, ping_interval=None)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    # ---- widgets --------------------------------------------------------------------------
    def options(self, key: str) -> list[str]:
        """The (formatted) options of a select box, radio or select slider."""
        return list(self.widgets[key][1].options)

    def widget_state(self, key: str, value: Any) -> WidgetState:
        """The WidgetState a browser sends for ``value`` of widget ``key`` (as it was last drawn)."""
        kind, proto = self.widgets[key]
        state = WidgetState(id=proto.id)
        if kind == "slider" and proto.options:  # st.select_slider: the formatted option
            state.string_array_value.data[:] = [str(value)]
        elif kind == "slider":
            state.double_array_value.data[:] = [float(value)]
        elif kind in ("selectbox", "radio", "text_input"):
            state.string_value = str(value)
        elif kind == "checkbox":  # st.checkbox and st.toggle
            state.bool_value = bool(value)
        elif kind == "number_input":
            if proto.data_type == proto.INT:
                state.int_value = int(value)
            else:
                state.double_value = float(value)
        else:
            raise ValueError(f"cannot set a {kind} ({key}) to a value")
        return state

    # ---- one run ------------------------------------------------------------------------------
    async def run(self, page: str | None = None, set: dict[str, Any] | None = None, click: str | None = None,
                  chart: str | None = None, timeout: float = 120.0, query: str | None = None) -> Run:
        """Rerun the script (on ``page``, opened with the link's ``query`` string, after setting widgets
        ``set`` and clicking button ``click``) and read until the run ends; ``chart``: the key of the
        chart whose arrival is timed."""
        if page is not None and page != self.page:
            self.page, self.query_string, self.states = page, "", {}
        if query is not None:
            self.query_string = query
        for key, value in (set or {}).items():
            self.states[key] = self.widget_state(key, value)
        message = BackMsg()
        client = message.rerun_script
        client.query_string = self.query_string
        client.page_name = self.page
        client.widget_states.widgets.extend(self.states.values())
        if click is not None:
            client.widget_states.widgets.append(WidgetState(id=self.widgets[click][1].id, trigger_value=True))
        start = time.perf_counter()
        result = Run(seconds=0.0, started=time.monotonic())
        try:
            await self.ws.send(message.SerializeToString())
            await asyncio.wait_for(self._read_run(result, start, chart), timeout)
        except (asyncio.TimeoutError, websockets.ConnectionClosed) as err:
            result.errors.append(f"{type(err).__name__} after {time.perf_counter() - start:.1f} s")
        result.seconds = time.perf_counter() - start
        return result

    async def _read_run(self, result: Run, start: float, chart: str | None) -> None:
        while True:
            data = await self.ws.recv()
            result.bytes_received += len(data)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, result, start, chart)
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                result.finished = msg.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                                          ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
                return

    def drawn_state(self, kind: str, proto: Any) -> WidgetState | None:
        """The value a browser holds for a widget just drawn: the page's value if the page set one,
        else the widget's default. A browser sends every widget's value on every rerun."""
        state = WidgetState(id=proto.id)
        if kind == "slider" and proto.options:  # st.select_slider: formatted options
            if proto.set_value and proto.raw_value:
                state.string_array_value.data[:] = list(proto.raw_value)
            else:
                indices = proto.value if proto.set_value and proto.value else proto.default
                state.string_array_value.data[:] = [proto.options[int(i)] for i in indices]
        elif kind == "slider":
            state.double_array_value.data[:] = list(proto.value if proto.set_value else proto.default)
        elif kind in ("selectbox", "radio"):
            if proto.set_value and proto.raw_value:
                state.string_value = proto.raw_value
            elif 0 <= proto.default < len(proto.options):
                state.string_value = proto.options[proto.default]
            else:
                return None
        elif kind == "checkbox":  # st.checkbox and st.toggle
            state.bool_value = proto.value if proto.set_value else proto.default
        elif kind == "number_input":
            number = proto.value if proto.set_value else proto.default
            if proto.data_type == proto.INT:
                state.int_value = int(number)
            else:
                state.double_value = number
        elif kind == "text_input":
            state.string_value = proto.value if proto.set_value else proto.default
        else:
            return None
        return state

    def _element(self, element: Any, result: Run, start: float, chart: str | None) -> None:
        kind = element.WhichOneof("type")
        if kind in WIDGETS:
            proto = getattr(element, kind)
            if proto.id:
                key = proto.id.rsplit("-", 1)[-1]
                self.widgets[key] = (kind, proto)
                if key not in self.states or getattr(proto, "set_value", False):
                    state = self.drawn_state(kind, proto)
                    if state is not None:
                        self.states[key] = state
        elif kind == "plotly_chart" and chart and element.plotly_chart.id.endswith(chart) \
                and result.seconds_to_chart is None:
            result.seconds_to_chart = time.perf_counter() - start
        elif kind == "metric":
            result.metrics[element.metric.label] = element.metric.body
        elif kind == "exception":
            shown = element.exception
            result.exceptions.append("\n".join([f"{shown.type}: {shown.message}", *shown.stack_trace]))
        elif kind == "alert":
            alert = element.alert
            target = {Alert.ERROR: result.errors, Alert.SUCCESS: result.successes,
                      Alert.INFO: result.infos}.get(alert.format)
            if target is not None:
                target.append(alert.body)
