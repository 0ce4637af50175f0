"""Check a catalogue against the official DCAT-AP 3.0.1 SHACL shapes (with pySHACL).

The shapes are read from ``SHARED_DIR/external/dcat-ap-3.0.1/`` (the SEMIC release files:
``dcat-ap-SHACL.ttl``, ``ranges.ttl`` and the modular ``html-shacl/`` files, which add the
controlled-vocabulary constraints). Only the catalogue graph is validated: it is small, so
this takes seconds, not minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import rdflib

from citygraph.config import Settings
from citygraph.errors import ConfigError

SHAPES_RELPATH = Path("external") / "dcat-ap-3.0.1"
#: owl:imports lists, not shapes
_NOT_SHAPES = {"imports.ttl", "mdr_imports.ttl"}
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def shapes_dir(settings: Settings) -> Path:
    return settings.shared_dir / SHAPES_RELPATH


def shape_files(folder: Path) -> list[Path]:
    """Every shapes file of the release, in a stable order."""
    if not (folder / "dcat-ap-SHACL.ttl").is_file():
        raise ConfigError(f"the DCAT-AP 3.0.1 shapes are not in {folder}; set CITYGRAPH_SHARED_DIR "
                          "to the folder that holds external/dcat-ap-3.0.1/")
    files = [folder / "dcat-ap-SHACL.ttl", folder / "ranges.ttl"]
    files += sorted(p for p in (folder / "html-shacl").glob("*.ttl") if p.name not in _NOT_SHAPES)
    return files


@dataclass(frozen=True)
class Finding:
    severity: str        # Violation, Warning, Info
    focus: str
    path: str
    message: str
    shape: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.focus} {self.path}: {self.message} [{self.shape}]"


def load_shapes(folder: Path) -> rdflib.Graph:
    """The release's shapes as one graph.

    ``ranges.ttl`` is meant to be used together with ``dcat-ap-SHACL.ttl`` (each names
    property shapes the other defines); five ``sh:property`` references of the release point at
    shapes that neither file defines (no triple at all). pySHACL stops on such a reference, so
    they are dropped: a reference to nothing constrains nothing.
    """
    shapes = rdflib.Graph()
    for path in shape_files(folder):
        shapes.parse(path, format="turtle")
    for owner, ref in list(shapes.subject_objects(SH.property)):
        if next(iter(shapes.predicate_objects(ref)), None) is None:
            shapes.remove((owner, SH.property, ref))
    return shapes


def validate_catalog(catalog: rdflib.Graph, folder: Path) -> list[Finding]:
    """All results of validating ``catalog`` against the DCAT-AP shapes in ``folder``."""
    from pyshacl import validate

    shapes = load_shapes(folder)
    _conforms, report, _text = validate(catalog, shacl_graph=shapes, inference="none",
                                        advanced=False, allow_warnings=True)
    findings = []
    # top-level results only: nested sh:detail results explain a parent result (such as a
    # Warning for a publisher outside the EU corporate-bodies table) and carry no severity of
    # their own in the report
    top = [r for report_node in report.subjects(rdflib.RDF.type, SH.ValidationReport)
           for r in report.objects(report_node, SH.result)]
    for result in top:
        def one(p):  # type: ignore[no-untyped-def]
            value = report.value(result, p)
            return "" if value is None else str(value)
        findings.append(Finding(one(SH.resultSeverity).rsplit("#", 1)[-1], one(SH.focusNode),
                                one(SH.resultPath), one(SH.resultMessage), one(SH.sourceShape)))
    return sorted(findings, key=lambda f: (f.severity, f.focus, f.path, f.message))


__all__ = ["Finding", "load_shapes", "shape_files", "shapes_dir", "validate_catalog"]
