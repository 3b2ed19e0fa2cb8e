"""Sign-in for real: a local OpenID Connect provider (oidc-provider-mock, on a free port),
the app configured for it in a secrets file of its own, and a browser that signs in as an
analyst of one province (01), sees a school of it with its exact pupils by sex, is refused
a school of another province by link, and signs out; the audit log holds each step (one
sign-in, though three pages were opened with it). Before
signing in, the same app shows the public view. Screenshots go to tests/e2e/artifacts/."""
from __future__ import annotations

import secrets

import pytest

from lib import audit
from lib.i18n import t
from tests.e2e.conftest import free_port, serve
from tests.e2e.test_browser import screenshot
from tests.e2e.test_pages import TIMEOUT_MS

ANALYST = "analyst@moes.example"
IN_SCOPE, OUT_OF_SCOPE = "0101-0001", "0201-0001"  # provinces 01 and 02 of the demo


@pytest.fixture(scope="module")
def provider():
    from oidc_provider_mock import User, run_server_in_thread

    analyst = User(sub=ANALYST, claims={"email": ANALYST, "name": "Noy Analyst",
                                        "groups": ["vientiane-capital"]})
    with run_server_in_thread(port=free_port(), user_claims=[analyst]) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def signed_app(chromium, demo_extract, provider, tmp_path_factory):
    """The app with sign-in (its own secrets and access files) and its audit log."""
    folder = tmp_path_factory.mktemp("sign-in")
    port = free_port()
    (folder / "secrets.toml").write_text(f"""\
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "emis-explorer"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"
""", encoding="utf-8")
    (folder / "access.toml").write_text("""\
[public]
threshold = 5

[[grant]]
claim = "groups"
equals = "vientiane-capital"
role = "analyst"
areas = ["01"]
""", encoding="utf-8")
    log = folder / "audit.log"
    with serve(demo_extract, "streamlit-sign-in.log", port=port, host="localhost",
               options=("--secrets.files", str(folder / "secrets.toml")),
               env={"EMIS_ACCESS": str(folder / "access.toml"),
                    "EMIS_AUDIT": str(log)}) as base:
        yield base, log


def test_an_analyst_signs_in_sees_their_province_only_and_signs_out(signed_app, tab):
    from playwright.sync_api import expect

    base, log = signed_app
    page = tab.page
    page.goto(f"{base}/schools?lang=en&school={IN_SCOPE}")
    sign_in = page.get_by_role("button", name=t("access.sign_in", "en"))
    expect(sign_in).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("Public view:")).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(tab, "sign-in-public")

    sign_in.click()
    page.get_by_role("button", name=ANALYST).click()  # the provider's page: this user
    expect(page.get_by_text("Signed in as")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("Noy Analyst")).to_be_visible(timeout=TIMEOUT_MS)

    page.goto(f"{base}/schools?lang=en&school={IN_SCOPE}")
    expect(page.get_by_text("Signed in as")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(IN_SCOPE).first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(t("access.out_of_scope", "en"))).to_have_count(0)
    screenshot(tab, "sign-in-analyst-school")

    page.goto(f"{base}/schools?lang=en&school={OUT_OF_SCOPE}")
    expect(page.get_by_text(t("access.out_of_scope", "en"))).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(page.get_by_text(OUT_OF_SCOPE)).to_have_count(0)
    screenshot(tab, "sign-in-refused")

    page.get_by_role("button", name=t("access.sign_out", "en")).click()
    page.get_by_role("button", name="End session").click()  # the provider ends its own
    expect(page.get_by_role("button", name=t("access.sign_in", "en"))).to_be_visible(
        timeout=TIMEOUT_MS)

    events = [(e["event"], e["user"], e["what"]) for e in audit.read(log)]
    assert events.count(("sign_in", ANALYST, "")) == 1, "one sign-in, however many pages"
    assert ("refused", ANALYST, f"school {OUT_OF_SCOPE}") in events
    assert ("sign_out", ANALYST, "") in events
    assert all(e["areas"] == ["01"] for e in audit.read(log) if e["user"] == ANALYST)
