"""What ``make run`` serves: the explorer (``app.py``) with the HTTP safeguards that Streamlit
has no option for, added through its ASGI entry point (``st.App``'s middleware):

- no other site may frame the app (``X-Frame-Options``, CSP ``frame-ancestors``); its own
  pages may, as the maps' frames are served by the app itself;
- no MIME sniffing, no address of the app sent to other sites (``Referrer-Policy``);
- every HTTP request's ``Host`` is checked against ``server.allowedHosts``, as Streamlit
  checks its WebSocket's (against DNS rebinding; ``make run`` sets the list);
- ``/_stcore/metrics`` (the server's cache and session statistics) is not served.

``streamlit run ui/server.py`` takes the same options as ``streamlit run app.py``. A deployment
behind a reverse proxy sets these headers there as well (README.md, Deployment).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from streamlit.web.server.starlette.starlette_websocket import is_host_allowed

HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
HIDDEN = ("/_stcore/metrics",)  # under any server.baseUrlPath


class Safeguards:
    """ASGI middleware: the checks and headers of this module's docstring."""

    def __init__(self, app):
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":  # the WebSocket: Streamlit checks Host and Origin itself
            await self.app(scope, receive, send)
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1") or None
        refused = None
        if not is_host_allowed(host):
            refused = PlainTextResponse("Host not allowed", status_code=400)
        elif scope["path"].rstrip("/").endswith(HIDDEN):
            refused = PlainTextResponse("Not found", status_code=404)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    header for header in self.headers if header[0] not in names]
            await send(message)

        await (refused or self.app)(scope, receive, send_with_headers)


app = st.App(str(Path(__file__).resolve().parents[1] / "app.py"),
             middleware=[Middleware(Safeguards)])
