"""Hypothesis strategies for opaque tokens a client hands back (cursors): the ones this service issues, and the
ways a token goes wrong inside or outside its encoding.

A cursor is base64url("<microseconds>:<entry id>"). The classes generated, each on purpose:
- the time part: in range, oversized (past 64 bits, past a date, thousands of digits), negative, empty,
  digits `int()` takes but the service never issues (" 5", "+5", "5_000", "٣"), and any text;
- the id part: an id as issued, empty, too long, with characters outside letters, digits and dashes;
- the separator: present, doubled, missing;
- the bytes: any of the above, or not UTF-8 at all;
- the encoding: as issued (url-safe, unpadded), padded, standard alphabet, cut short, or not base64 at all.
"""

from __future__ import annotations

import base64

from hypothesis import strategies as st

from activitylog.domain.cursor import MAX_US

good_times = st.integers(0, MAX_US).map(str)
bad_times = st.one_of(
    st.integers(MAX_US + 1, 2**63 - 1).map(str),
    st.integers(2**63, 10**40).map(str),  # past 64 bits: what SQLite could not bind
    st.integers(min_value=1, max_value=4000).map(lambda digits: "9" * digits),
    st.integers(max_value=-1).map(str),
    st.just(""),
    st.sampled_from([" 5", "5 ", "+5", "5_000", "0x10", "1e5", "٣", "²", "-0", "1" * 19]),
    st.text(max_size=20),
)
good_ids = st.uuids().map(str) | st.from_regex(r"[A-Za-z0-9-]{1,64}", fullmatch=True)
bad_ids = st.one_of(st.just(""), st.just("a" * 65), st.text(max_size=70).filter(lambda text: not text.isalnum()))
bad_separators = st.sampled_from(["::", "", ";", ": "])


@st.composite
def raw_cursors(draw: st.DrawFn) -> bytes:
    """A cursor's bytes with none, one or two of its parts spoiled (a bad part may still be right by chance)."""
    spoiled = draw(st.sets(st.sampled_from(["time", "separator", "id", "utf-8"]), max_size=2))
    time = draw(bad_times if "time" in spoiled else good_times)
    separator = draw(bad_separators) if "separator" in spoiled else ":"
    raw = f"{time}{separator}{draw(bad_ids if 'id' in spoiled else good_ids)}".encode()
    if "utf-8" in spoiled:  # not UTF-8: a byte no encoder writes, somewhere
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x80\x80", b"\xfe\xff"])) + raw[at:]
    return raw


@st.composite
def encoded(draw: st.DrawFn, raw: bytes) -> str:
    how = draw(st.sampled_from(["issued", "issued", "padded", "standard", "cut"]))
    if how == "standard":
        return base64.b64encode(raw).decode()
    token = base64.urlsafe_b64encode(raw).decode()
    if how == "issued":
        return token.rstrip("=")
    if how == "cut":
        return token[: draw(st.integers(0, max(0, len(token) - 1)))]
    return token


cursor_tokens = st.one_of(
    raw_cursors().flatmap(lambda raw: encoded(raw)),
    raw_cursors().flatmap(lambda raw: encoded(raw)),
    st.text(max_size=60),  # not base64 at all, or by chance
    st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
)
