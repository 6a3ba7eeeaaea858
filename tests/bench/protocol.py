"""One browser tab, spoken in Streamlit's own websocket protocol: no browser, so one process holds hundreds.

    s = Session("http://127.0.0.1:8501", "vanilla_rnn", "rho=1.5&x_scale=0.05")
    await s.open()                              # GET the page (cookies), websocket, first run of the deep link
    r = await s.change(w, w.other_value(rng))   # a control moved: rerun with every widget's state
    r = await s.press(button)                   # a button: trigger_value
    r = await s.switch(link)                    # a page link: another page's script hash, the link's query
    r.latency, r.status, r.exceptions           # request -> script_finished; "ok", "failed", "unanswered", "lost"
    await s.close()

What the browser does, and so does this client (Streamlit 1.67's frontend, read from its bundle and checked
against frames captured from Chromium):

- Websocket ``/_stcore/stream`` with subprotocols ``["streamlit", <xsrf token or placeholder>, <last session id>]``
  (the third only on a reconnect, so the server resumes the session if it still has it), offering
  permessage-deflate (Streamlit accepts it only with ``server.enableWebsocketCompression``, off by default).
- A run is requested with ``BackMsg.rerun_script`` = ``ClientState``: ``query_string`` (the URL's, without ``?``),
  ``page_name`` (the URL path, first run only) or ``page_script_hash`` (after the first run, and for a page link),
  ``widget_states`` (every widget drawn, with its value; a pressed button as ``trigger_value``), the hashes of the
  messages it has cached (``cached_message_hashes``) and ``context_info`` (the page URL).
- The server answers with ``new_session`` (a run started), ``navigation`` (the page's script hash), ``delta``
  messages (elements; a cached one comes as ``ref_hash`` and is taken from the client's cache),
  ``page_info_changed`` (a new query string) and ``script_finished``. ``FINISHED_EARLY_FOR_RERUN`` is not
  the end: the script called ``st.rerun()``.
- A bound widget (``query_param_key``) writes its value into the URL when it changes (removed at its default).
  A page link sends the current URL's bound parameters followed by the link's own, and no widget states.
- Connection lost: the browser reconnects (with its session id) and, if a run was in flight, asks for it again.
  This client always reruns after a reconnect (the worst case for the server that takes the session over), so a
  session moved to another instance redraws from its URL.
"""
from __future__ import annotations

import asyncio
import contextlib
import http.cookies
import json
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.bench.widgets import Widget, widget_from_block, widget_from_element

XSRF_PLACEHOLDER = "PLACEHOLDER_AUTH_TOKEN"  # what the frontend sends when it has no XSRF cookie
INSTANCE_HEADER = "X-Served-By"  # set by the proxy of deploy/ (which instance answered); absent without one
SIDEBAR = 1  # delta_path[0]: 0 main, 1 sidebar
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class PageLink:
    page: str  # URL path of the target ("vanilla_rnn"; "" for the main page)
    page_script_hash: str
    query_string: str


@dataclass
class Rerun:
    """One request and what came of it."""

    kind: str  # open, change, preset, page, settings, reconnect
    page: str
    sent: float
    done: float | None = None
    status: str = "pending"  # ok, failed (exception shown / compile error / cache miss), unanswered, lost
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reconnects: int = 0
    bytes: int = 0
    instance: str | None = None
    started: bool = False
    query: str = ""  # the URL's query when it was sent
    what: str = ""  # the control, button or link

    @property
    def latency(self) -> float | None:
        return None if self.done is None else self.done - self.sent


class ConnectionLost(Exception):
    pass


def merge_query(*parts: str) -> str:
    """Query strings joined left to right, a later key replacing an earlier one (kept in first position)."""
    out: dict[str, str] = {}
    for q in parts:
        for k, v in parse_qsl(q, keep_blank_values=True):
            out[k] = v
    return urlencode(out)


class Session:
    """A browser tab on ``base`` (``http://host:port``) that opened ``/<path>?<query>``."""

    def __init__(self, base: str, path: str, query: str = "", *, name: str = "", timeout: float = 60,
                 reconnect_for: float = 60, get_page: bool = True):
        self.base, self.page, self.query, self.name = base.rstrip("/"), path.strip("/"), query.lstrip("?"), name
        self.timeout, self.reconnect_for, self.get_page = timeout, reconnect_for, get_page
        self.page_hash = ""
        self.values: dict[str, object] = {}  # the frontend's widget manager: id -> value
        self.widgets: dict[str, Widget] = {}  # drawn by the last finished run
        self.links: list[PageLink] = []
        self.texts: list[str] = []  # text and Markdown bodies the last run drew (tests read them)
        self.pages: dict[str, str] = {}  # page script hash -> URL path
        self.cache: dict[str, list] = {}  # hash -> [ForwardMsg, run count of last use]
        self.run_count, self.max_age = 0, 2
        self.session_id: str | None = None
        self.session_ids: list[str] = []  # every Streamlit session this tab was served by, in order
        self.instances: list[str | None] = []  # instance of every connection (and of the page GET)
        self.cookies: dict[str, str] = {}
        self.reruns: list[Rerun] = []
        self.reconnects = 0
        self.closed = False
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._pending: Rerun | None = None
        self._done: asyncio.Event | None = None
        self._seen: dict[str, Widget] = {}
        self._seen_links: list[PageLink] = []
        self._seen_texts: list[str] = []
        self._lost = asyncio.Event()

    # --- connection ------------------------------------------------------------------------------------------------
    @property
    def ws_url(self) -> str:
        u = urlsplit(self.base)
        return f"{'wss' if u.scheme == 'https' else 'ws'}://{u.netloc}{u.path}/_stcore/stream"

    def _take_cookies(self, headers) -> None:
        for raw in headers.get_all("Set-Cookie") or ():
            c = http.cookies.SimpleCookie()
            c.load(raw)
            self.cookies.update({k: m.value for k, m in c.items()})

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _get(self) -> str | None:
        """The page's HTML, as the browser loads it first (the proxy's sticky cookie comes with it)."""
        url = f"{self.base}/{self.page}" + (f"?{self.query}" if self.query else "")
        req = urllib.request.Request(url, headers=self._cookie_header())
        with urllib.request.urlopen(req, timeout=self.timeout) as r:
            r.read()
            self._take_cookies(r.headers)
            return r.headers.get(INSTANCE_HEADER)

    async def _connect(self) -> None:
        protocols = ["streamlit", XSRF_PLACEHOLDER] + ([self.session_id] if self.session_id else [])
        self._ws = await websockets.connect(
            self.ws_url, subprotocols=protocols, origin=self.base, additional_headers=self._cookie_header(),
            max_size=None, compression="deflate", ping_interval=None, open_timeout=self.timeout, close_timeout=2)
        self._take_cookies(self._ws.response.headers)
        self.instances.append(self._ws.response.headers.get(INSTANCE_HEADER))
        self._lost.clear()
        self._reader = asyncio.create_task(self._read(self._ws))

    async def open(self) -> Rerun:
        """Load the page, connect, and run the deep link."""
        if self.get_page:
            self.instances.append(await asyncio.to_thread(self._get))
        await self._connect()
        return await self._request("open", page_name=self.page)

    async def close(self) -> None:
        self.closed = True
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await self._reader

    def abort(self) -> None:
        """Drop the connection without a closing handshake (a laptop lid closed, a phone out of range)."""
        self.closed = True
        if self._ws is not None:
            self._ws.transport.abort()

    async def _read(self, ws) -> None:
        try:
            async for data in ws:
                self._on_message(data)
        except websockets.ConnectionClosed:
            pass
        finally:
            if ws is self._ws and not self.closed:
                self._lost.set()
                if self._done is not None:
                    self._done.set()

    async def _reconnect(self) -> None:
        """Like the browser: try again and again (backing off) until ``reconnect_for`` seconds have passed."""
        self.reconnects += 1
        deadline, wait = time.monotonic() + self.reconnect_for, 0.25
        while True:
            try:
                await self._connect()
                return
            except (OSError, websockets.WebSocketException, asyncio.TimeoutError) as e:
                if time.monotonic() + wait > deadline:
                    raise ConnectionLost(f"could not reconnect: {e!r}") from e
                await asyncio.sleep(wait)
                wait = min(2 * wait, 2.0)

    # --- requests --------------------------------------------------------------------------------------------------
    def _client_state(self, *, page_name: str = "", page_hash: str | None = None, query: str | None = None,
                      trigger: Widget | None = None, widget_states: bool = True) -> ClientState:
        cs = ClientState(query_string=self.query if query is None else query,
                         page_script_hash=self.page_hash if page_hash is None else page_hash, page_name=page_name)
        if widget_states:
            for w in self.widgets.values():
                st = w.state()
                if st is not None:
                    cs.widget_states.widgets.append(st)
            if trigger is not None:
                cs.widget_states.widgets.append(trigger.trigger())
        cs.cached_message_hashes.extend(self.cache)
        cs.context_info.url = f"{self.base}/{self.page}"
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-US"
        return cs

    async def _request(self, kind: str, what: str = "", **state) -> Rerun:
        """Send a rerun and wait for its script_finished (or the timeout). Reconnects if the connection drops."""
        r = Rerun(kind, self.page, time.perf_counter(), query=self.query, what=what)
        self.reruns.append(r)
        self._pending, self._done = r, asyncio.Event()
        try:
            while True:
                if self._lost.is_set():
                    await self._reconnect()
                    r.reconnects += 1
                    state = {k: v for k, v in state.items() if k != "trigger"}  # asked again, the press is gone
                try:
                    await self._ws.send(BackMsg(rerun_script=self._client_state(**state)).SerializeToString())
                except websockets.ConnectionClosed:
                    self._lost.set()
                    continue
                remaining = self.timeout - (time.perf_counter() - r.sent)
                try:
                    await asyncio.wait_for(self._done.wait(), max(remaining, 0.001))
                except asyncio.TimeoutError:
                    r.status = "unanswered"
                    break
                if r.done is not None:
                    break
                self._done.clear()  # the connection dropped: reconnect and ask again
        except ConnectionLost as e:
            r.status = "lost"
            r.errors.append(str(e))
        finally:
            self._pending = None
        return r

    def _bind(self, w: Widget) -> None:
        if w.param_key:
            v = w.url_value()
            q = dict(parse_qsl(self.query, keep_blank_values=True))
            if v is None:
                q.pop(w.param_key, None)
            else:
                q[w.param_key] = v
            self.query = urlencode(q)

    async def change(self, w: Widget, value, kind: str = "change") -> Rerun:
        """Give a widget a new value (as a hand on the control does) and rerun."""
        w = self.widgets.get(w.id, w)  # the widget as the last run drew it
        w.value = value
        self.values[w.id] = value
        self._bind(w)
        return await self._request(kind, f"{w.key or w.kind}={value}")

    async def press(self, button: Widget, kind: str = "preset") -> Rerun:
        return await self._request(kind, button.key, trigger=button)

    async def switch(self, link: PageLink) -> Rerun:
        """Follow a page link: the browser keeps the URL's bound parameters and adds the link's."""
        bound = {w.param_key for w in self.widgets.values() if w.param_key}
        keep = urlencode([(k, v) for k, v in parse_qsl(self.query, keep_blank_values=True) if k in bound])
        self.query = merge_query(keep, link.query_string)
        self.page = link.page
        return await self._request("page", link.page, page_hash=link.page_script_hash, widget_states=False)

    async def leave_mid_run(self, w: Widget | None = None, value=None) -> Rerun:
        """Move a control (or just rerun), and drop the connection once the run has started: a student who
        closes the laptop while the page computes. The rerun counts as "abandoned", not as the server's fault."""
        if w is not None:
            w = self.widgets.get(w.id, w)
            w.value = self.values[w.id] = value
            self._bind(w)
        r = Rerun("leave", self.page, time.perf_counter(), status="abandoned")
        self.reruns.append(r)
        self._pending, self._done = r, asyncio.Event()
        await self._ws.send(BackMsg(rerun_script=self._client_state()).SerializeToString())
        deadline = time.monotonic() + self.timeout
        while not r.started and not self._lost.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        self.abort()
        r.status = "abandoned"
        self._pending = None
        return r

    async def rerun(self, kind: str = "rerun") -> Rerun:
        """Rerun with the current URL and widgets (after a reconnect: the browser redrawing the page)."""
        return await self._request(kind, page_name="" if self.page_hash else self.page)

    def shows(self, key: str, raw: str) -> bool:
        """Whether the drawn page shows the URL value ``raw`` of parameter ``key``: in the widget bound to it, or in
        the in-chart scrub whose selection field it is (its selection, else the value the chart starts from)."""
        for w in self.widgets.values():
            if w.param_key == key:
                return w.value == w.from_url(raw)
            if w.kind == "chart" and w.selection[1] == key:
                name, fld = w.selection
                value = json.loads(w.value)["selection"][name][0][fld] if w.value else w.default
                return value is not None and abs(float(value) - float(raw)) < 1e-9
        return False

    @property
    def lost(self) -> asyncio.Event:
        """Set while the connection is down (cleared by the reconnect that :meth:`rerun` makes)."""
        return self._lost

    # --- messages from the server ----------------------------------------------------------------------------------
    def _on_message(self, data: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        r = self._pending
        if r is not None:
            r.bytes += len(data)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            hit = self.cache.get(msg.ref_hash)
            if hit is None:
                self._error(f"cached message missing: {msg.ref_hash}")
                return
            hit[1] = self.run_count
            self._delta(hit[0].delta, msg.metadata)
        elif kind == "delta":
            if msg.metadata.cacheable:
                self.cache[msg.hash] = [msg, self.run_count]
            self._delta(msg.delta, msg.metadata)
        elif kind == "new_session":
            self._new_session(msg.new_session)
        elif kind == "navigation":
            self._navigation(msg.navigation.page_script_hash, msg.navigation.app_pages)
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "script_finished":
            self._finished(msg.script_finished)
        elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
            self._error(f"compile error: {msg.session_event.script_compilation_exception.message}")
        elif kind == "page_not_found":
            self._error(f"page not found: {msg.page_not_found.page_name}")

    def _error(self, text: str) -> None:
        if self._pending is not None:
            self._pending.errors.append(text)

    def _new_session(self, ns) -> None:
        self.page_hash = ns.page_script_hash
        self.max_age = ns.config.max_cached_message_age or self.max_age
        if ns.initialize.session_id and ns.initialize.session_id != self.session_id:
            self.session_id = ns.initialize.session_id
            self.session_ids.append(self.session_id)
        self._navigation(ns.page_script_hash, ns.app_pages)
        self._seen, self._seen_links, self._seen_texts = {}, [], []
        if self._pending is not None:
            self._pending.started = True
            self._pending.instance = self.instances[-1] if self.instances else None

    def _navigation(self, page_hash: str, app_pages) -> None:
        """The current page (Streamlit 1.67 names it in ``navigation``, after ``new_session``)."""
        self.page_hash = page_hash
        self.pages = {p.page_script_hash: p.url_pathname for p in app_pages} or self.pages
        if page_hash in self.pages:
            self.page = self.pages[page_hash]

    def _delta(self, d, metadata) -> None:
        sidebar = bool(metadata.delta_path) and metadata.delta_path[0] == SIDEBAR
        kind = d.WhichOneof("type")
        if kind == "new_element":
            el = d.new_element
            t = el.WhichOneof("type")
            if t == "exception":
                if self._pending is not None:
                    self._pending.exceptions.append(f"{el.exception.type}: {el.exception.message}"[:300])
                return
            if t == "page_link":
                p = el.page_link
                self._seen_links.append(PageLink(p.page.strip("/"), p.page_script_hash, p.query_string))
                return
            if t in ("text", "markdown"):
                self._seen_texts.append(getattr(el, t).body)
                return
            w = widget_from_element(el, sidebar)
        elif kind == "add_block":
            w = widget_from_block(d.add_block, sidebar)
        else:
            return
        if w is not None:
            self._adopt(w)

    def _adopt(self, w: Widget) -> None:
        """The frontend's rule: a value the server pushes wins; else the value it holds; else, for a bound
        widget, the URL's; else the default."""
        if w.set_value or w.id not in self.values:
            value = w.value
            if not w.set_value and w.param_key:
                raw = dict(parse_qsl(self.query, keep_blank_values=True)).get(w.param_key)
                seeded = None if raw is None else w.from_url(raw)
                value = seeded if seeded is not None else value
            self.values[w.id] = value
        w.value = self.values[w.id]
        self._seen[w.id] = w

    def _finished(self, status) -> None:
        if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            return  # the script called st.rerun(): the run goes on
        self.widgets, self.links, self.texts = self._seen, self._seen_links, self._seen_texts
        self.values = {k: v for k, v in self.values.items() if k in self.widgets}
        self.run_count += 1
        self.cache = {h: e for h, e in self.cache.items() if self.run_count - e[1] <= self.max_age}
        r = self._pending
        if r is None or not r.started or r.done is not None:
            return
        r.done = time.perf_counter()
        if status not in DONE:
            r.errors.append(f"script finished with status {ForwardMsg.ScriptFinishedStatus.Name(status)}")
        r.status = "failed" if (r.errors or r.exceptions) else "ok"
        self._done.set()
