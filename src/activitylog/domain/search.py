"""Full-text search of the log: the query language, parsed once, and the text an entry is found by.

The language (the `q` of the page, `GET /v1/events`, the CSV and the CLI):
- free words match words of the entry that start with them (`sec` finds "security"), case-insensitively
  and with accents folded (`tomas` finds "Tomás"); every word must match (AND);
- a "quoted phrase" matches those words, whole and in that order;
- `actor:` (or `teammate:`) matches words of the teammate's name, email or id (`actor:beth`,
  `actor:"Beth-Ann Sher"`); `type:CODE` keeps one activity type (several `type:` terms: any of them); `ip:`
  an address or CIDR block (`ip:203.0.113.0/24`). Field terms combine with the page's other filters (AND).
Bad syntax (an unclosed quote, an unknown field, a `type:` the catalog does not know, a bad `ip:`, a field
without a value, a query of nothing but punctuation, too long a query) is an InvalidInput naming the field
the surface calls the search (`q`) and the reason.

An entry's search text (`document`) has two columns: `actor` (the teammate's name, email and id) and `body`
(the rendered catalog sentence, the IP, and every metadata value). Both are stored as the words the tokenizer
below makes of them, joined by spaces, so SQLite's FTS5 and PostgreSQL's `to_tsvector('simple', ...)` index
exactly the words a query is made of (neither backend's own word splitting can disagree with the query's).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from activitylog.catalog import REGISTRY
from activitylog.catalog.render import render
from activitylog.domain.entry import Actor
from activitylog.domain.ipaddr import IPRange
from activitylog.domain.prepared import Prepared
from activitylog.errors import FieldError

MAX_QUERY = 500  # characters of a search
MAX_TERMS = 16  # words, phrases and field terms of one search: each is one more index lookup
MAX_WORDS = 2000  # words of an entry's body that are indexed (a huge metadata value is not searchable past it)
ACTOR_FIELDS = ("actor", "teammate")
FIELDS = (*ACTOR_FIELDS, "type", "ip")

_WORD = re.compile(r"[^\W_]+")  # letters and digits; `_`, `-`, `.`, `@` split words, as FTS5's unicode61 does
_TERM = re.compile(r'\s*(?:([A-Za-z]+):)?("[^"]*"|"[^"]*$|[^\s"]+)')
_BARE_FIELD = re.compile(r"[A-Za-z]+:")
# The combining marks NFKD splits accents into (Latin, Greek, Cyrillic and the rest of the common blocks): one
# regex pass, where a per-character unicodedata.combining() call cost more than rendering the sentence.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower case without accents: "Tomás" -> "tomas"; the same for the text indexed and the text searched."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def words(text: str) -> list[str]:
    """The words of `text` as the index holds them."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words to find in order: each whole, the last one also as a prefix when `prefix`; in one column or both."""

    words: tuple[str, ...]
    prefix: bool = True
    column: str | None = None  # "actor", or None for either column


@dataclass(frozen=True, slots=True)
class Search:
    """A parsed search: `text` as typed (trimmed), the phrases every match holds, and its field terms."""

    text: str
    phrases: tuple[Phrase, ...] = ()
    types: tuple[str, ...] = ()
    ip: IPRange | None = None

    def describe(self) -> str:
        return f'search "{self.text}"'


def parse_search(text: str | None, name: str, errors: list[FieldError]) -> Search | None:
    """The search in `text`, None when blank; what is wrong goes to `errors`, naming `name` (`q`)."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if len(text) > MAX_QUERY:
        errors.append(FieldError(name, f"a search is at most {MAX_QUERY} characters"))
        return None
    phrases: list[Phrase] = []
    types: list[str] = []
    ip: IPRange | None = None
    terms = 0
    problems: list[str] = []
    for field, value in _terms(text):
        terms += 1
        if field is None and _BARE_FIELD.fullmatch(value):  # "actor: beth": a field and nothing after it
            field, value = value[:-1], ""
        quoted = value.startswith('"')
        if quoted and (len(value) == 1 or not value.endswith('"')):
            problems.append(f"a quote is not closed: {value[:40]}")
            continue
        bare = value[1:-1] if quoted else value
        key = field.lower() if field else None
        if field and key not in FIELDS:
            problems.append(f"unknown field {field!r}: use {', '.join(f + ':' for f in FIELDS)} or plain words")
            continue
        if key is not None and not bare.strip():
            problems.append(f"{field}: needs a value")
            continue
        if key == "type":
            code = bare.strip()
            if code not in REGISTRY:
                problems.append(f"unknown activity type {code!r} in type:")
            elif code not in types:
                types.append(code)
        elif key == "ip":
            if ip is not None:
                problems.append("one ip: term at most")
                continue
            try:
                ip = IPRange.parse(bare.strip())
            except ValueError:
                problems.append(f"{bare.strip()[:60]!r} in ip: is not an IP address or CIDR block")
        else:
            found = tuple(words(bare))
            if found:
                phrases.append(Phrase(found, prefix=not quoted, column="actor" if key else None))
    if terms > MAX_TERMS:
        problems.append(f"at most {MAX_TERMS} words, phrases and field terms")
    if not problems and not (phrases or types or ip):
        problems.append(f"{text[:40]!r} has no words to search for")
    if problems:
        errors.extend(FieldError(name, problem) for problem in problems)
        return None
    return Search(text, tuple(phrases), tuple(types), ip)


def _terms(text: str) -> Iterator[tuple[str | None, str]]:
    """(field or None, value as typed: quoted with its quotes, or a bare word) for each term of `text`."""
    position = 0
    while position < len(text):
        match = _TERM.match(text, position)
        if match is None:  # only spaces are left
            return
        position = match.end()
        yield match[1], match[2]


# What an entry is found by -----------------------------------------------------------------------------------


def _collect(value: Any, sentence: str, into: list[str]) -> None:
    """Every leaf value of metadata (not the keys) as text, into `into`, leaving out those the sentence
    already says word for word (most of them: the index then holds each word once, and recording does less)."""
    if isinstance(value, str):
        if value not in sentence:
            into.append(value)
    elif isinstance(value, dict):  # not Mapping: an ABC check costs more than the rest of a value
        for item in value.values():
            _collect(item, sentence, into)
    elif isinstance(value, list):
        for item in value:
            _collect(item, sentence, into)
    elif value is not None and not isinstance(value, bool):
        text = str(value)
        if text not in sentence:
            into.append(text)


def document(
    activity_type: str,
    actor: Actor,
    ip: str | None,
    metadata: Mapping[str, Any],
) -> tuple[str, str]:
    """An entry's search text: (actor column, body column), each its words joined by spaces. This runs for every
    recorded entry, in the recording transaction: one render, one fold and one split per column."""
    who = " ".join(part for part in (actor.name, actor.email, actor.id) if part)
    sentence = render(REGISTRY.get(activity_type), activity_type, actor.display_name, metadata)
    parts = [sentence, ip] if ip else [sentence]
    _collect(metadata, sentence, parts)
    body = _WORD.findall(fold(" ".join(parts)))
    if len(body) > MAX_WORDS:
        del body[MAX_WORDS:]
    return " ".join(_WORD.findall(fold(who))), " ".join(body)


#: Documents of recent entries by everything they are made of: logs repeat themselves (the same teammate signs
#: in from the same address with the same metadata, day after day), and a document costs a rendered sentence.
_RECENT: OrderedDict[tuple[Any, ...], tuple[str, str]] = OrderedDict()
_RECENT_LOCK = threading.Lock()  # PostgreSQL's writers record from several threads at once
RECENT_DOCUMENTS = 4096


def document_of(prepared: Prepared) -> tuple[str, str]:
    """`document` of an entry about to be stored, from its row: type, actor (3-6), IP (9), metadata JSON (12).
    The same inputs always make the same document, so one made for an identical entry is reused."""
    row = prepared.row
    key = (row[2], row[3], row[4], row[5], row[6], row[9], row[12])
    found = _RECENT.get(key)
    if found is not None:
        return found
    made = document(row[2], prepared.actor, row[9], prepared.metadata)
    with _RECENT_LOCK:
        _RECENT[key] = made
        if len(_RECENT) > RECENT_DOCUMENTS:
            _RECENT.popitem(last=False)
    return made
