"""The audit log: who signed in, signed out and downloaded what, and when.

One JSON object per line, appended to a file the administrator reads (``$EMIS_AUDIT``, else
``data/audit.log``): ``time`` (UTC, ISO 8601), ``event`` (sign_in, sign_out, download),
``user`` (the identity provider's ``sub``, else e-mail), ``role``, ``areas`` and ``what``
(a download's file name and the page's filters). Nothing of it goes to the browser.

Pure: no Streamlit.
"""
from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

ENV_VAR = "EMIS_AUDIT"
DEFAULT = Path("data") / "audit.log"
EVENTS = ("sign_in", "sign_out", "download", "refused")
_lock = threading.Lock()


def path() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT)


def record(event: str, user: str | None, role: str, areas: tuple[str, ...] | None,
           what: str = "", *, to: Path | None = None) -> None:
    """Append one event to the log (the sessions of a server write to it in turn)."""
    if event not in EVENTS:
        raise ValueError(f"not an audit event: {event}")
    line = json.dumps({"time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "event": event, "user": user, "role": role,
                       "areas": list(areas) if areas is not None else None, "what": what},
                      ensure_ascii=False)
    target = to or path()
    with _lock:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as log:
            log.write(line + "\n")


def read(source: Path | None = None) -> list[dict]:
    """The events logged so far, oldest first (none when there is no log)."""
    target = source or path()
    if not target.exists():
        return []
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()
            if line.strip()]
