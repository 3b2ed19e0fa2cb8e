"""Signing in and out, and the audit log of this session's person.

Who is looking is decided in the data layer (:func:`ui.extract.viewer`, from ``st.user``
and the access file; the rules are :mod:`lib.access`), which applies it to every read of
area or school rows; this module draws the way in and out and logs what the person does.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import streamlit as st

from lib import audit, db
from lib.access import AccessFileError
from lib.i18n import t
from ui import extract
from ui.markdown import escape

_SIGNED_IN = "_access_signed_in"  # session: the person whose sign-in was logged


def exact_values() -> bool:
    """Whether this session sees exact values; the stricter "no" while that cannot be told
    (no extract yet, an unusable access file: :func:`check` says which)."""
    if not extract.sign_in_configured():
        return True
    try:
        return extract.viewer().exact
    except (AccessFileError, db.ExtractMissing):
        return False


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def may_load_data() -> bool:
    """Whether this session may load, publish and roll back data: a signed-in
    administrator of the whole country; without sign-in, the person at the machine of an
    app served on that machine only (`make run`'s default), never an app served to a
    network without sign-in."""
    if not extract.sign_in_configured():
        return str(st.get_option("server.address") or "") in LOOPBACK
    try:
        viewer = extract.viewer()
    except (AccessFileError, db.ExtractMissing):
        return False
    return viewer.is_admin and viewer.areas is None


def _who() -> str | None:
    """The person's stable id for the audit log (the provider's subject, else e-mail)."""
    claims = st.user.to_dict() if extract.logged_in() else {}
    for claim in ("sub", "email"):
        if isinstance(claims.get(claim), str):
            return claims[claim]
    return None


def log(event: str, what: str = "") -> None:
    """An audit event of this session's person (nothing without sign-in configured)."""
    if not extract.sign_in_configured():
        return
    viewer = extract.viewer()
    audit.record(event, _who(), viewer.role, viewer.areas, what)


def check(lang: str) -> None:
    """Before anything is read: stop on an unusable access file (nothing is shown rather
    than too much), and log a sign-in the first time this session sees it."""
    if not extract.sign_in_configured():
        return
    try:
        viewer = extract.viewer()
    except AccessFileError as err:
        st.error(t("access.bad_file", lang, problem=escape(str(err))),
                 icon=":material/lock:")
        st.stop()
    if viewer.signed_in and st.session_state.get(_SIGNED_IN) != _who():
        st.session_state[_SIGNED_IN] = _who()
        if _first_sight(_who(), st.user.get("iat")):
            log("sign_in")


@st.cache_resource(max_entries=1, show_spinner=False)  # one log of sign-ins, ≤ 10,000 keys
def _sign_ins() -> tuple[OrderedDict, threading.Lock]:
    return OrderedDict(), threading.Lock()  # the sessions' threads share it


def _first_sight(who: str | None, issued: object) -> bool:
    """Whether this server has not yet seen this sign-in: one ID token (its subject and
    issue time), whatever the number of tabs and reloads it opens sessions for."""
    (seen, lock), key = _sign_ins(), (who, issued)
    with lock:
        if issued is not None and key in seen:
            return False
        seen[key] = True
        while len(seen) > 10_000:  # the oldest forgotten first
            seen.popitem(last=False)
        return True


def sidebar(lang: str) -> None:
    """Who is signed in and the way in or out (after :func:`check`)."""
    if not extract.sign_in_configured():
        return
    viewer = extract.viewer()
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
    return extract.area_names(lang).get(code, code)
