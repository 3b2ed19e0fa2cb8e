"""Opening a page of the app through AppTest, the same way in every page test, and
reading what its charts draw."""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.i18n import t

APP = Path(__file__).resolve().parents[2] / "app.py"
# Sign-in configured for AppTest (its secrets): a provider that is never called.
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 40,
        "client_id": "emis", "client_secret": "secret",
        "server_metadata_url": "http://localhost:1/.well-known/openid-configuration"}


def ok(at: AppTest) -> AppTest:
    """The run, after checking that it raised nothing."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(page: str, *, timeout: int = 90, **query: str) -> AppTest:
    """Run the app on ``page`` (e.g. "pages/equity.py") with ``query`` in its URL."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.query_params.update(query)
    at.switch_page(page)
    return ok(at.run())


def url_notices(at: AppTest) -> list[str]:
    """The notices saying that a URL parameter was invalid and replaced."""
    prefix = t("url.invalid").split("{")[0]
    return [w.value for w in at.warning if w.value.startswith(prefix)]


def specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def titles(at: AppTest) -> list[str]:
    out = []
    for spec in specs(at):
        title = spec.get("title", {})
        out.append(title.get("text") if isinstance(title, dict) else title)
    return out


def chart_rows(at: AppTest, i: int = 0) -> list[dict]:
    """Every row of every dataset of the ``i``-th chart (Streamlit sends them as Arrow)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    chart = at.get("vega_lite_chart")[i].proto
    return [row for named in chart.datasets
            for row in convert_arrow_bytes_to_pandas_df(named.data.data).to_dict("records")]
