"""Sign-in and who this session is (:mod:`lib.access` holds the rules).

Sign-in is Streamlit's own OpenID Connect (``st.login``, ``st.user``, ``st.logout``),
configured in ``.streamlit/secrets.toml`` under ``[auth]``; roles and areas come from the
access file (``$EMIS_ACCESS``, else ``.streamlit/access.toml``). Without ``[auth]`` the app
is one person's on their own machine and shows everything, as it always has.

The viewer is read here and applied by :mod:`ui.extract`, below the pages: every read of
area or school rows passes through it.
"""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from lib import audit
from lib.access import OWNER, AccessFileError, Policy, Viewer, load_policy
from lib.i18n import t
from ui.markdown import escape

ENV_VAR = "EMIS_ACCESS"
DEFAULT_FILE = Path(".streamlit") / "access.toml"
_SIGNED_IN = "_access_signed_in"  # session: the person whose sign-in was logged


def access_file() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_FILE)


def configured() -> bool:
    """Whether sign-in is set up (an ``[auth]`` section in the secrets)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


@st.cache_resource(max_entries=4, show_spinner=False)
def _policy(path: str, modified: float, area_codes: tuple[str, ...]) -> Policy:
    return load_policy(Path(path), area_codes)


def policy() -> Policy:
    """The access file, read again when it changes (raises :class:`AccessFileError`)."""
    from ui import extract  # extract reads the viewer: imported here, not at the top

    path = access_file()
    modified = path.stat().st_mtime if path.exists() else 0.0
    return _policy(str(path), modified, tuple(extract.area_lines()))


def logged_in() -> bool:
    """Whether this session's person has signed in (``st.user`` has no ``is_logged_in``
    until the secrets' ``[auth]`` is read; that is a "no")."""
    return bool(st.user.get("is_logged_in", False))


def current() -> Viewer:
    """Who is looking: the owner (no sign-in configured), a signed-in person with their
    grant, or the public."""
    if not configured():
        return OWNER
    rules = policy()
    if not logged_in():
        return rules.viewer(None)
    return rules.viewer(st.user.to_dict())


def _who() -> str | None:
    """The person's stable id for the audit log (the provider's subject, else e-mail)."""
    claims = st.user.to_dict() if logged_in() else {}
    for claim in ("sub", "email"):
        if isinstance(claims.get(claim), str):
            return claims[claim]
    return None


def log(event: str, what: str = "") -> None:
    """An audit event of this session's person (nothing without sign-in configured)."""
    if not configured():
        return
    viewer = current()
    audit.record(event, _who(), viewer.role, viewer.areas, what)


def check(lang: str) -> None:
    """Before anything is read: stop on an unusable access file (nothing is shown rather
    than too much), and log a sign-in the first time this session sees it."""
    if not configured():
        return
    try:
        viewer = current()
    except AccessFileError as err:
        st.error(t("access.bad_file", lang, problem=escape(str(err))),
                 icon=":material/lock:")
        st.stop()
    if viewer.signed_in and st.session_state.get(_SIGNED_IN) != _who():
        st.session_state[_SIGNED_IN] = _who()
        log("sign_in")


def sidebar(lang: str) -> None:
    """Who is signed in and the way in or out (after :func:`check`)."""
    if not configured():
        return
    viewer = current()
    with st.sidebar:
        st.divider()
        if viewer.signed_in:
            areas = (t("access.whole_country", lang) if viewer.areas is None else
                     ", ".join(escape(_area_name(code, lang)) for code in viewer.areas))
            st.caption(t("access.signed_in", lang, name=escape(viewer.name or ""),
                         role=t(f"access.role.{viewer.role}", lang), areas=areas))
            if st.button(t("access.sign_out", lang), icon=":material/logout:",
                         key="access_sign_out"):
                log("sign_out")
                st.session_state.pop(_SIGNED_IN, None)
                st.logout()
        else:
            if st.button(t("access.sign_in", lang), icon=":material/login:",
                         key="access_sign_in"):
                st.login()
        if not viewer.exact:
            st.caption(t("access.public_view", lang, threshold=viewer.rules.threshold))


def _area_name(code: str, lang: str) -> str:
    from ui import extract

    return extract.area_names(lang).get(code, code)
