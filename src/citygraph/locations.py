"""Where things are written in the Turtle files: file and line of subject blocks and blank nodes.

Parsers do not report positions, so this reads the text itself: a subject block starts at
column 0 (as in canonical files) and runs to the next one; inside it, every ``[`` that opens a
blank node at the first nesting level is remembered with its line and the quotes and sources it
holds, so that an attestation can be found again from its content.

>>> text = '''PREFIX ex: <http://example.org/>
...
... ex:a
...     ex:p
...         [
...             ex:q "x" ;
...         ] ;
... .
... '''
>>> index = SourceIndex()
>>> index.add_text(text, "data/a.ttl")
>>> index.subject("http://example.org/a")
Location(file='data/a.ttl', line=3)
>>> [(b.line, b.predicate) for b in index.blanks("http://example.org/a")]
[(5, 'http://example.org/p')]
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_BASE = re.compile(r"^\s*(?:@base|BASE)\b", re.IGNORECASE)
_SUBJECT = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[^\s;,]*|:[^\s;,]*)")
_TERM = re.compile(r"<[^>\s]*>|[A-Za-z][\w.-]*:[^\s;,\]]*|:[^\s;,\]]*|\ba\b")
_STRING = re.compile(r'"""(.*?)"""|\'\'\'(.*?)\'\'\'|"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'', re.S)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class Location(NamedTuple):
    """A file (relative to the project home where possible) and a 1-based line."""

    file: str
    line: int


@dataclass
class BlankBlock:
    """A ``[ … ]`` opened at the first nesting level of a subject block."""

    file: str
    line: int
    predicate: str | None
    quotes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _unescape(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU":
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, code)

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", repl, text)


class SourceIndex:
    """Subject IRI -> where its block starts; subject IRI -> its first-level blank nodes."""

    def __init__(self) -> None:
        self._subjects: dict[str, Location] = {}
        self._blanks: dict[str, list[BlankBlock]] = defaultdict(list)

    def add_file(self, path: Path, relpath: str) -> None:
        """Index one Turtle file (``relpath`` is how reports name it)."""
        self.add_text(path.read_text(encoding="utf-8"), relpath)

    def add_text(self, text: str, relpath: str) -> None:
        """Index Turtle ``text`` as if read from ``relpath``."""
        prefixes: dict[str, str] = {}
        lines = text.splitlines()
        starts: list[tuple[int, str]] = []
        for number, line in enumerate(lines, start=1):
            prefix = _PREFIX.match(line)
            if prefix:
                prefixes[prefix.group(1)] = prefix.group(2)
                continue
            if not line or line[0] in " \t#.[])@,;\"'" or _BASE.match(line):
                continue
            match = _SUBJECT.match(line)
            if not match:
                continue
            iri = self._expand(match.group(1), prefixes)
            if iri is not None:
                starts.append((number, iri))
        for i, (number, iri) in enumerate(starts):
            end = starts[i + 1][0] - 1 if i + 1 < len(starts) else len(lines)
            self._subjects.setdefault(iri, Location(relpath, number))
            block = "\n".join(lines[number - 1 : end])
            self._blanks[iri].extend(self._scan(block, number, relpath, prefixes))

    @staticmethod
    def _expand(token: str, prefixes: dict[str, str]) -> str | None:
        if token.startswith("<"):
            return token[1:-1]
        name, _, local = token.partition(":")
        if name not in prefixes:
            return None
        return prefixes[name] + local

    def _scan(self, block: str, first_line: int, relpath: str,
              prefixes: dict[str, str]) -> list[BlankBlock]:
        """First-level ``[ … ]`` of one subject block, with their line and content."""
        found: list[BlankBlock] = []
        depth = 0
        line = first_line
        i, n = 0, len(block)
        open_at = 0
        opened: BlankBlock | None = None
        predicate: str | None = None
        expect = "subject"  # what the next term at the first level is
        while i < n:
            c = block[i]
            if c == "\n":
                line += 1
                i += 1
            elif c == "#":
                end = block.find("\n", i)
                i = n if end < 0 else end
            elif c in "\"'":
                match = _STRING.match(block, i)
                i = i + 1 if match is None else match.end()
                if match is not None:
                    line += match.group(0).count("\n")
            elif c == "[":
                if depth == 0:
                    opened = BlankBlock(relpath, line, predicate)
                    open_at = i
                depth += 1
                i += 1
            elif c == "]":
                depth -= 1
                if depth == 0 and opened is not None:
                    self._fill(opened, block[open_at + 1 : i], prefixes)
                    found.append(opened)
                    opened = None
                i += 1
            elif depth == 0 and c == ";":
                expect = "predicate"
                i += 1
            elif depth == 0 and not c.isspace() and c not in ",.()":
                match = _TERM.match(block, i)
                if match is None:
                    i += 1
                    continue
                term = match.group(0)
                if expect == "subject":
                    expect = "predicate"
                elif expect == "predicate":
                    predicate = (RDF_TYPE if term == "a" else self._expand(term, prefixes))
                    expect = "object"
                i = match.end()
            else:
                i += 1
        return found

    def _fill(self, blank: BlankBlock, inner: str, prefixes: dict[str, str]) -> None:
        """Quotes and sources of an attestation-like blank node (top level of ``inner``)."""
        for pred, value in re.findall(
            r"([A-Za-z][\w.-]*:[\w.-]*|<[^>\s]*>)\s+(\"\"\"(?:.|\n)*?\"\"\"|\"(?:[^\"\\\n]|\\.)*\"|<[^>\s]*>|[A-Za-z][\w.-]*:[^\s;,\]]*)",
            inner,
        ):
            pred_iri = self._expand(pred, prefixes)
            if pred_iri is None:
                continue
            local = re.split(r"[#/]", pred_iri)[-1]
            if local == "quote" and value.startswith('"'):
                body = value[3:-3] if value.startswith('"""') else value[1:-1]
                blank.quotes.append(_unescape(body))
            elif local == "source" and not value.startswith('"'):
                iri = self._expand(value, prefixes)
                if iri is not None:
                    blank.sources.append(iri)

    # ------------------------------------------------------------------ lookups
    def subject(self, iri: str) -> Location | None:
        """Where the block of ``iri`` starts (its first block if written in several)."""
        return self._subjects.get(iri)

    def blanks(self, iri: str) -> list[BlankBlock]:
        """The first-level blank nodes written inside the blocks of ``iri``, in file order."""
        return list(self._blanks.get(iri, []))

    def blank(self, parent: str, predicate: str | None, quotes: list[str],
              sources: list[str]) -> BlankBlock | None:
        """The ``[ … ]`` inside ``parent`` that best matches a blank node's content.

        Matches on a quote and a source, then on a quote, then on a source; failing all, the
        only blank node of ``parent`` under ``predicate``, if there is exactly one.
        """
        candidates = [b for b in self._blanks.get(parent, [])
                      if predicate is None or b.predicate in (None, predicate)]
        quoted = set(quotes)
        cited = set(sources)
        for test in (
            lambda b: quoted & set(b.quotes) and cited & set(b.sources),
            lambda b: quoted & set(b.quotes),
            lambda b: cited and cited & set(b.sources) and not (quoted and b.quotes),
        ):
            hits = [b for b in candidates if test(b)]
            if hits:
                return hits[0]
        return candidates[0] if len(candidates) == 1 else None


__all__ = ["BlankBlock", "Location", "SourceIndex"]
