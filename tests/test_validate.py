"""citygraph.validate on the real data and on a copy with representative errors; the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import rdflib
from typer.testing import CliRunner

from citygraph.cli import app
from citygraph.config import Settings
from citygraph.errors import DataFileError
from citygraph.namespaces import ID
from citygraph.validate import ConsistencyError, check_for_build, validate

REPO = Path(__file__).resolve().parents[1]
SETTINGS = Settings.for_home(REPO)


def test_the_curated_data_conforms() -> None:
    report = validate(settings=SETTINGS)
    assert [r.one_line() for r in report.results if r.severity == "violation"] == []
    assert report.conforms
    assert len(report.files) == len(list((REPO / "data").glob("*.ttl")))


# ---------------------------------------------------------------------------------- injected errors
def _line_of(path: Path, text: str) -> int:
    """1-based line of the first line of ``path`` that starts with ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(text):
            return number
    raise AssertionError(f"{text!r} not in {path}")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Settings, object]:
    """A copy of data/ with four representative errors, validated once."""
    root = tmp_path_factory.mktemp("broken")
    data = root / "data"
    shutil.copytree(REPO / "data", data)

    # 1. a relationship without an attestation (appended to partnerships.ttl)
    partnerships = data / "partnerships.ttl"
    text = partnerships.read_text(encoding="utf-8")
    text += ("\npartnership:helsinki-kotka\n    a cg:Partnership ;\n"
             "    cg:party\n        city:helsinki ,\n        city:kotka ;\n"
             "    cg:status status:active ;\n.\n")
    partnerships.write_text(text, encoding="utf-8")

    # 2. an end before its start: the Moscow partnership (ended 2022-02) gets a start in 2023
    text = partnerships.read_text(encoding="utf-8")
    block = text.index("partnership:helsinki-moscow\n")
    at = text.index("    cg:endDate ", block)
    partnerships.write_text(text[:at] + '    cg:startDate "2023"^^xsd:gYear ;\n' + text[at:],
                            encoding="utf-8")

    # 3. an e-mail address, written the way the seed documents obfuscate it, in a quote
    memberships = data / "memberships.ttl"
    text = memberships.read_text(encoding="utf-8")
    quote = 'cg:quote "Helsinki is a member of Helsinki-Tallinn Euregio.'
    assert quote in text
    memberships.write_text(text.replace(quote, quote + " Contact: etunimi.sukunimi(at)hel.fi", 1),
                           encoding="utf-8")

    # 4. a duplicate Wikidata id: a new city with Helsinki's Q1757
    places = data / "places.ttl"
    text = places.read_text(encoding="utf-8")
    text += ('\ncity:helsingfors\n    a cg:City ;\n    cg:country country:finland ;\n'
             '    cg:wikidataId "Q1757" ;\n'
             '    skos:prefLabel\n        "Helsingfors"@en ,\n'
             '        "Helsinki"@fi ,\n        "Helsingfors"@sv ;\n.\n')
    places.write_text(text, encoding="utf-8")

    settings = Settings.for_home(REPO, data_dir=data)
    return data, settings, validate(settings=settings)


def _find(report, entity: str, prop: str | None, shape: str):
    hits = [r for r in report.results
            if r.entity == ID + entity and r.property == prop and r.shape == shape]
    assert hits, f"no {shape} result on {entity} {prop}; got:\n" + "\n".join(
        r.one_line() for r in report.results)
    return hits[0]


def test_relationship_without_attestation_is_reported(broken) -> None:
    data, _settings, report = broken
    r = _find(report, "partnership/helsinki-kotka", "cg:attestation", "shape:Relationship")
    assert r.severity == "violation"
    assert r.file.endswith("partnerships.ttl")
    assert r.line == _line_of(data / "partnerships.ttl", "partnership:helsinki-kotka")
    assert r.message.startswith("Every relationship needs evidence")
    assert r.label == "Helsinki – Kotka"


def test_end_before_start_is_reported(broken) -> None:
    data, _settings, report = broken
    r = _find(report, "partnership/helsinki-moscow", "cg:endDate", "shape:Relationship-dates")
    assert r.severity == "violation"
    assert r.line == _line_of(data / "partnerships.ttl", "partnership:helsinki-moscow")
    assert r.message.startswith("cg:endDate 2022-02 is before cg:startDate 2023")
    assert r.value == '"2022-02"^^xsd:gYearMonth'


def test_email_in_a_quote_is_reported_at_the_attestation(broken) -> None:
    data, _settings, report = broken
    r = _find(report, "membership/helsinki-helsinki-tallinn-euregio", "cg:quote", "shape:NoPersonalData")
    path = data / "memberships.ttl"
    assert r.severity == "violation" and r.focus_kind == "attestation"
    assert r.file.endswith("memberships.ttl")
    assert r.line == _line_of(path, "membership:helsinki-helsinki-tallinn-euregio")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[r.node_line - 1].strip() == "["  # the line that opens the attestation
    assert "etunimi.sukunimi(at)hel.fi" in "\n".join(lines[r.node_line - 1:r.node_line + 5])
    assert "an e-mail address" in r.message


def test_duplicate_wikidata_id_is_reported_on_both_entities(broken) -> None:
    data, _settings, report = broken
    new = _find(report, "city/helsingfors", "cg:wikidataId", "shape:UniqueIdentifiers")
    old = _find(report, "city/helsinki", "cg:wikidataId", "shape:UniqueIdentifiers")
    assert new.line == _line_of(data / "places.ttl", "city:helsingfors")
    assert old.line == _line_of(data / "places.ttl", "city:helsinki")
    assert "Helsinki (city:helsinki) has the same cg:wikidataId Q1757" in new.message
    assert "(city:helsingfors) has the same cg:wikidataId Q1757" in old.message


def test_nothing_else_is_a_violation(broken) -> None:
    _data, _settings, report = broken
    found = {(r.entity.rsplit("/", 2)[-2] + "/" + r.entity.rsplit("/", 1)[-1], r.shape)
             for r in report.results if r.severity == "violation"}
    assert found == {
        ("partnership/helsinki-kotka", "shape:Relationship"),
        ("partnership/helsinki-moscow", "shape:Relationship-dates"),
        ("membership/helsinki-helsinki-tallinn-euregio", "shape:NoPersonalData"),
        ("city/helsingfors", "shape:UniqueIdentifiers"),
        ("city/helsinki", "shape:UniqueIdentifiers"),
    }


def test_report_groups_by_entity_in_file_order(broken) -> None:
    _data, _settings, report = broken
    groups = report.entities("violation")
    assert [g["name"] for g in groups][:1] == ["membership:helsinki-helsinki-tallinn-euregio"]
    keys = [(g["file"], g["line"]) for g in groups]
    assert keys == sorted(keys)
    text = report.to_text("violation")
    assert "/memberships.ttl:" in text.split("\n")[0]
    assert "does NOT conform; 5 violations" in text.splitlines()[-1]


def test_the_build_gate_refuses_violations_and_names_them(broken) -> None:
    data, settings, _report = broken
    with pytest.raises(ConsistencyError) as caught:
        check_for_build(settings, sorted(data.glob("*.ttl")))
    assert caught.value.exit_code == 1
    assert "5 violation(s)" in str(caught.value)
    assert "partnership:helsinki-kotka" in str(caught.value)


def test_the_build_gate_passes_the_real_data_and_shows_warnings() -> None:
    notes: list[str] = []
    report = check_for_build(SETTINGS, sorted((REPO / "data").glob("*.ttl")), notes.append)
    assert report is not None and report.conforms
    warnings = report.counts()["warning"]
    assert len(notes) == (warnings + 1 if warnings else 0)


def test_the_build_gate_is_skipped_without_shapes(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    shutil.copy(REPO / "ontology" / "citygraph.ttl", tmp_path / "ontology")
    notes: list[str] = []
    assert check_for_build(Settings.for_home(tmp_path), [], notes.append) is None
    assert "not validated" in notes[0]


def test_bad_turtle_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix cg: <https://w3id.org/citygraph/ontology#> .\n\ncg:x cg:y \"open ;\n",
                   encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        validate([bad], settings=SETTINGS)
    assert caught.value.path.endswith("bad.ttl") and caught.value.line == 3


def test_equal_errors_on_different_attestations_are_reported_apart(tmp_path: Path) -> None:
    """Regression: results on blank nodes were merged when their messages were equal."""
    same = ('[ cg:source source:hel-international-activities-en ; cg:refersTo "2030"^^xsd:gYear ;'
            ' cg:quote "Helsinki cooperates with Tallinn."@en ]')
    data = tmp_path / "x.ttl"
    data.write_text(
        "@prefix cg: <https://w3id.org/citygraph/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix source: <https://w3id.org/citygraph/id/source/> .\n"
        "@prefix partnership: <https://w3id.org/citygraph/id/partnership/> .\n"
        f"partnership:helsinki-tallinn cg:attestation {same}, {same} .\n", encoding="utf-8")
    report = validate([REPO / "data", data], settings=SETTINGS)
    found = [r for r in report.results if r.shape == "shape:Attestation-time"]
    assert len(found) == 2 and found[0].node != found[1].node


# ---------------------------------------------------------------------------------- output formats
def test_json_structure_is_stable(broken) -> None:
    _data, _settings, report = broken
    doc = json.loads(report.to_json("warning"))
    assert set(doc) == {"format", "version", "conforms", "counts", "min_severity", "files",
                        "layers", "entities"}
    assert (doc["format"], doc["version"], doc["conforms"]) == ("citygraph-validation", 1, False)
    assert doc["counts"]["violation"] == 5
    entity = next(e for e in doc["entities"] if e["name"] == "partnership:helsinki-kotka")
    assert set(entity) == {"iri", "name", "label", "types", "file", "line", "results"}
    assert entity["types"] == ["cg:Partnership"]
    assert set(entity["results"][0]) == {"severity", "message", "property", "property_iri", "value",
                                         "focus", "line", "shape", "constraint", "engine"}
    assert report.to_json("warning") == report.to_json("warning")  # no timings, no randomness


def test_turtle_output_is_a_shacl_report(broken) -> None:
    _data, _settings, report = broken
    g = rdflib.Graph().parse(data=report.to_turtle("violation"), format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (None, sh.conforms, rdflib.Literal(False)) in g
    assert len(list(g.subjects(rdflib.RDF.type, sh.ValidationResult))) == 5


# ---------------------------------------------------------------------------------- CLI
runner = CliRunner()


def test_cli_exit_0_on_the_real_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYGRAPH_HOME", str(REPO))
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert ": conforms;" in result.output


def test_cli_exit_1_on_violations_with_json(broken, monkeypatch: pytest.MonkeyPatch) -> None:
    data, _settings, _report = broken
    monkeypatch.setenv("CITYGRAPH_HOME", str(REPO))
    result = runner.invoke(app, ["validate", str(data), "--format", "json", "--min-severity", "violation"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["counts"]["violation"] == 5


def test_cli_exit_2_on_bad_turtle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYGRAPH_HOME", str(REPO))
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix cg: <https://w3id.org/citygraph/ontology#> .\ncg:x cg:y .\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "bad.ttl:2" in result.output


def test_cli_exit_2_on_unknown_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYGRAPH_HOME", str(REPO))
    result = runner.invoke(app, ["validate", "--layers", "curated,external"])
    assert result.exit_code == 2
    assert "layer 'external' is not imported" in result.output
    assert "validate also knows: curated, ontology, all" in result.output
