"""Screen a SPARQL request before it runs: query form, dataset clauses, SERVICE, updates.

pyoxigraph's ``Store.query`` federates ``SERVICE`` (it sends HTTP requests to the named
endpoint) and has no switch to turn that off, so a query naming ``SERVICE`` must be refused
before it reaches the engine. A lexer that knows SPARQL's comments, strings, IRIs, prefixed
names and variables finds the keywords; words inside strings, comments, IRIs or names never
count. ``FROM`` / ``FROM NAMED`` IRIs are read the same way (prefixed names and relative IRIs
resolved against the query's own prologue), so the endpoint can check them against the graphs
it holds instead of letting anything look them up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from citygraph.namespaces import PREFIXES

_IRIREF = re.compile(r'<([^<>"{}|^`\\\x00-\x20]*)>')
_PN_CHARS_BASE = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d" \
                 "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
_PN = f"[{_PN_CHARS_BASE}_0-9\\-\u00b7\u0300-\u036f\u203f-\u2040]"
_PNAME = re.compile(
    f"((?:[{_PN_CHARS_BASE}](?:(?:{_PN}|\\.)*{_PN})?)?):"
    f"((?:(?:{_PN}|[:%]|\\\\[_~.\\-!$&'()*+,;=/?#@%])(?:(?:{_PN}|[.:%]|\\\\[_~.\\-!$&'()*+,;=/?#@%])*"
    f"(?:{_PN}|[:%]|\\\\[_~.\\-!$&'()*+,;=/?#@%]))?)?)"
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VAR = re.compile(f"[?$]((?:{_PN})+)")
_BNODE = re.compile(f"_:((?:{_PN}|\\.)*{_PN}|{_PN})")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?")

#: first keyword of each SPARQL 1.1 Update operation
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE",
                             "ADD", "WITH"})
QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


@dataclass(frozen=True)
class Token:
    kind: str  # iri, pname, word, var, bnode, string, number, punct
    text: str  # iri: the IRI; pname: prefix:local; word: UPPER-CASED keyword; else the source
    start: int


def tokens(sparql: str) -> list[Token]:
    """SPARQL tokens without whitespace and comments. Never raises: unknown characters become
    ``punct`` tokens (the engine's parser reports real syntax errors)."""
    out: list[Token] = []
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = sparql.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            quote = c * 3 if sparql.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not sparql.startswith(quote, j):
                if len(quote) == 1 and sparql[j] in "\r\n":
                    break  # short strings end at a line break (a syntax error anyway)
                j += 2 if sparql[j] == "\\" else 1
            j = min(n, j + len(quote))
            out.append(Token("string", sparql[i:j], i))
            i = j
        elif c == "<" and (m := _IRIREF.match(sparql, i)):
            out.append(Token("iri", m.group(1), i))
            i = m.end()
        elif c in "?$" and (m := _VAR.match(sparql, i)):
            out.append(Token("var", m.group(1), i))
            i = m.end()
        elif c == "_" and (m := _BNODE.match(sparql, i)):
            out.append(Token("bnode", m.group(0), i))
            i = m.end()
        elif (m := _PNAME.match(sparql, i)) and (c == ":" or not c.isdigit()):
            out.append(Token("pname", m.group(0), i))
            i = m.end()
        elif m := _WORD.match(sparql, i):
            out.append(Token("word", m.group(0).upper(), i))
            i = m.end()
        elif m := _NUMBER.match(sparql, i):
            out.append(Token("number", m.group(0), i))
            i = m.end()
        else:
            out.append(Token("punct", c, i))
            i += 1
    return out


@dataclass
class Screened:
    """What the lexer found in a request's text."""

    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE, or an update keyword
    is_update: bool = False
    service: list[str] = field(default_factory=list)  # endpoint IRIs (or variables) in SERVICE
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)


def screen(sparql: str) -> Screened:
    """Find the query form, ``SERVICE`` uses and ``FROM`` / ``FROM NAMED`` IRIs in ``sparql``.

    >>> s = screen('PREFIX ex: <http://ex/> SELECT * FROM ex:g { SERVICE <http://x> { ?s ?p ?o } }')
    >>> s.form, s.service, s.from_graphs
    ('SELECT', ['http://x'], ['http://ex/g'])
    >>> screen('SELECT ("SERVICE <http://x>" AS ?s) { } # SERVICE <http://y>').service
    []
    """
    toks = tokens(sparql)
    found = Screened()
    base: str | None = None
    prefixes = dict(PREFIXES)

    def iri_of(tok: Token) -> str | None:
        if tok.kind == "iri":
            return urljoin(base, tok.text) if base and not re.match(r"^[A-Za-z][\w+.-]*:", tok.text) else tok.text
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix in prefixes:
                return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        return None

    for k, tok in enumerate(toks):
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if tok.kind != "word":
            continue
        word = tok.text
        if word == "BASE" and nxt is not None and nxt.kind == "iri" and found.form is None:
            base = iri_of(nxt)
        elif word == "PREFIX" and nxt is not None and nxt.kind == "pname" and k + 2 < len(toks):
            target = toks[k + 2]
            if target.kind == "iri":
                prefixes[nxt.text.partition(":")[0]] = iri_of(target) or target.text
        elif found.form is None and (word in QUERY_FORMS or word in UPDATE_KEYWORDS):
            found.form = word
            found.is_update = word in UPDATE_KEYWORDS
        elif word == "SERVICE":
            target = nxt
            if target is not None and target.kind == "word" and target.text == "SILENT":
                target = toks[k + 2] if k + 2 < len(toks) else None
            found.service.append(
                (iri_of(target) or ("?" + target.text if target.kind == "var" else target.text))
                if target is not None else "")
        elif word == "FROM" and nxt is not None:
            named = nxt.kind == "word" and nxt.text == "NAMED"
            target = toks[k + 2] if named and k + 2 < len(toks) else nxt
            iri = iri_of(target)
            if iri is not None:
                (found.from_named_graphs if named else found.from_graphs).append(iri)
    return found
