"""Plain-text renderings of library results (``describe``), for the CLI and for logs."""

from __future__ import annotations


def _ref(ref: dict | str | None) -> str:
    if ref is None:
        return ""
    if isinstance(ref, str):
        return ref
    return f"{ref['label']} ({ref['name']})" if ref.get("label") else ref.get("name", ref.get("iri", ""))


def _dates(rel: dict) -> str:
    parts = []
    names = {"start": "start", "end": "end", "start_not_before": "start not before",
             "start_not_after": "start not after", "end_not_before": "end not before",
             "end_not_after": "end not after", "signed": "signed"}
    for key, title in names.items():
        value = rel["dates"].get(key)
        if value:
            precision = value.get("precision", "").split(":")[-1]
            parts.append(f"{title} {value['value']}" + (f" ({precision})" if precision else ""))
    return "; ".join(parts)


def _attestation_lines(att: dict, indent: str) -> list[str]:
    src = att.get("source") or {}
    head = src.get("title") or src.get("name") or "unknown source"
    if src.get("date"):
        head += f", {src['date']}"
    if att.get("refers_to"):
        head += f" (about {att['refers_to']})"
    lines = [f"{indent}- {head}"]
    if att.get("quote"):
        lang = f" [{att['quote_lang']}]" if att.get("quote_lang") else ""
        lines.append(f'{indent}  "{att["quote"]}"{lang}')
    if att.get("described_as"):
        lines.append(f"{indent}  described as: " + ", ".join(_ref(d) for d in att["described_as"]))
    return lines


def describe_text(data: dict) -> str:
    """A readable report: header with label, type and identifiers, then relationships."""
    lines = [f"{data['label']}  <{data['iri']}>"]
    if data["types"]:
        lines.append("type: " + ", ".join(_ref(t) for t in data["types"]))
    others = [f"{v[0]} ({lang})" for lang, v in sorted(data["labels"].items()) if lang]
    if others:
        lines.append("names: " + ", ".join(others))
    ids = data["identifiers"]
    for key in ("wikidata", "geonames"):
        if key in ids:
            lines.append(f"{key}: {ids[key]}")
    if "coordinates" in ids:
        lines.append(f"coordinates: {ids['coordinates']['lat']}, {ids['coordinates']['long']}")
    if "country" in ids:
        lines.append("country: " + _ref(ids["country"]))
    if data.get("defined_in"):
        lines.append(f"defined in: {data['defined_in']['file']}:{data['defined_in']['line']}")
    for att in data["attestations"]:
        lines.extend(_attestation_lines(att, ""))
    for kind, rels in data["relationships"].items():
        lines.append("")
        lines.append(f"{kind} ({len(rels)})")
        for rel in rels:
            with_ = ", ".join(f"{_ref(p)} as {p['as']}" for p in rel["others"]) or "—"
            lines.append(f"  * {with_}   [{rel.get('name', rel['iri'])}]")
            extra = [", ".join(_ref(r) for r in rel["roles"]),
                     ", ".join(_ref(k) for k in rel["partnership_kinds"])]
            extra = [e for e in extra if e]
            if extra:
                lines.append("    " + "; ".join(extra))
            if rel["dates"]:
                lines.append("    " + _dates(rel))
            status = _ref(rel["status"]) if rel["status"] else "unknown"
            if rel["status_reason"]:
                status += f" — {rel['status_reason']['text']}"
            lines.append(f"    status: {status}")
            span = f"active from {rel['active_from'] or '?'}"
            if rel["active_until"]:
                span += f" until {rel['active_until']} (exclusive)"
            if rel["last_attested"]:
                span += f"; last attested {rel['last_attested']}"
            lines.append("    " + span)
            for att in rel["attestations"]:
                lines.extend(_attestation_lines(att, "    "))
    if data["policies"]:
        lines.append("")
        lines.append(f"policies ({len(data['policies'])})")
        for policy in data["policies"]:
            lines.append(f"  * {_ref(policy)}")
            if policy.get("text"):
                lines.append(f"    {policy['text']['text']}")
            for att in policy["attestations"]:
                lines.extend(_attestation_lines(att, "    "))
    return "\n".join(lines) + "\n"
