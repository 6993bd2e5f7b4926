"""Croissant 1.1 additions: the responsible-AI fields from the datasheet, and data-level provenance.

**The RAI fields.** The Croissant RAI vocabulary (``http://mlcommons.org/croissant/RAI/``)
names properties that a datasheet answers; eastasia-data's datasheet (``docs/datasheet.md``)
answers them in paragraphs that open with a bold lead. :data:`RAI_LEADS` says which
paragraphs fill which property; ``eastasia-data generate`` copies them into the shipped
``rai.json`` beside this module (:func:`render_rai`), so an installed package, which has no
``docs/``, exports them too. ``rai:dataAnnotationAnalysis`` adds the agreement between the
coders: the figures of the release descriptor's ``agreement`` object when it has one, else
what the datasheet says about them.

**Data-level provenance.** Every table whose rows come from a source passage (it has a
``source_id`` and an ``excerpt`` column) gets a record-level ``annotation`` whose
``equivalentProperty`` is ``prov:wasDerivedFrom``: each record is derived from the source it
names and the verbatim excerpt (and, where the table has it, the ledger passage).

Examples
--------
>>> sorted(rai_properties())[:2]
['rai:dataAnnotationAnalysis', 'rai:dataAnnotationProtocol']
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The shipped copy of the datasheet's RAI paragraphs (written by ``eastasia-data generate``).
RAI_JSON = Path(__file__).with_name("rai.json")
DATASHEET = "docs/datasheet.md"
PROV = "http://www.w3.org/ns/prov#"
#: RAI property → the datasheet paragraphs (their bold leads) that answer it, in order.
RAI_LEADS: dict[str, tuple[str, ...]] = {
    "rai:dataCollection": ("Where did the data come from?", "Who collected it, and when?"),
    "rai:dataLimitations": ("Is it a sample?", "What is not covered.", "Errors, noise and redundancy.",
                            "Uses to avoid"),
    "rai:dataBiases": ("The weakness of the sources, and of the second article in particular.",),
    "rai:dataAnnotationProtocol": ("How rows were curated.", "Codebooks.", "How verdicts were reached."),
    "rai:dataAnnotationAnalysis": ("Independent coders, their agreement, and adjudication.",),
    "rai:dataUseCases": ("Suitable uses",),
    "rai:dataReleaseMaintenancePlan": ("## Maintenance",),
}
#: The columns that tie a row to the source passage it is derived from.
PROVENANCE_COLUMNS = ("source_id", "excerpt", "passage_id")

_LEAD = re.compile(r"^\*\*(?P<lead>[^*]+?)\*\*:?\s*")


def datasheet_paragraphs(text: str) -> dict[str, str]:
    """The datasheet's answers: bold lead (or ``## Heading``) → its text up to the next lead or heading.

    HTML comments (the generated blocks' markers) are dropped; the text is otherwise as written.

    Examples
    --------
    >>> datasheet_paragraphs("## A\\n\\n**Why?** Because.\\nReally.\\n\\n**How?** So.\\n")
    {'## A': '', 'Why?': 'Because.\\nReally.', 'How?': 'So.'}
    """
    out: dict[str, list[str]] = {}
    current: str | None = None
    for line in re.sub(r"<!--.*?-->\n?", "", text, flags=re.S).splitlines():
        lead = _LEAD.match(line)
        if line.startswith("#"):
            current = line.strip()
            out[current] = []
        elif lead:
            current = lead["lead"].strip()
            out[current] = [line[lead.end():]]
        elif current is not None:
            out[current].append(line)
    return {k: "\n".join(v).strip() for k, v in out.items()}


def render_rai(datasheet: str | None = None) -> str:
    """The shipped ``rai.json``: each RAI property's datasheet paragraphs (``generate`` writes it).

    Raises
    ------
    KeyError
        The datasheet no longer has a paragraph :data:`RAI_LEADS` names.

    Examples
    --------
    >>> "rai:dataBiases" in json.loads(render_rai())
    True
    """
    if datasheet is None:
        from eastasia_data import paths

        datasheet = (paths.checkout().root / DATASHEET).read_text(encoding="utf-8")
    paragraphs = datasheet_paragraphs(datasheet)
    missing = [lead for leads in RAI_LEADS.values() for lead in leads if lead not in paragraphs]
    if missing:
        raise KeyError(f"{DATASHEET} has no paragraph {missing[0]!r} (named in eastasia_data.publish.rai.RAI_LEADS)")
    out = {prop: "\n\n".join((lead.removeprefix("## ") + ": " if len(leads) > 1 else "") + paragraphs[lead]
                             for lead in leads) for prop, leads in RAI_LEADS.items()}
    note = {"eastasia:generated": f"by `eastasia-data generate` from {DATASHEET}; do not edit by hand"}
    return json.dumps({**note, **out}, ensure_ascii=False, indent=2) + "\n"


def _agreement_text(agreement: Mapping[str, Any]) -> str:
    """The release descriptor's ``agreement`` object in a sentence per field."""
    lines = []
    for field, figures in agreement.items():
        if isinstance(figures, Mapping):
            shown = ", ".join(f"{k} {v}" for k, v in figures.items() if not isinstance(v, (dict, list)))
            lines.append(f"{field}: {shown}")
        else:
            lines.append(f"{field}: {figures}")
    return "Agreement between coders recorded in the release descriptor: " + "; ".join(lines) + "."


def rai_properties(descriptor: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The RAI properties of the Croissant description: the shipped datasheet paragraphs.

    Empty if ``rai.json`` is missing (a build from a tree that never ran ``generate``).

    Examples
    --------
    >>> "second time" in rai_properties()["rai:dataAnnotationAnalysis"]
    True
    """
    try:
        shipped = json.loads(RAI_JSON.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    out = {k: v for k, v in shipped.items() if k.startswith("rai:")}
    agreement = (descriptor or {}).get("agreement")
    if isinstance(agreement, Mapping) and agreement and "rai:dataAnnotationAnalysis" in out:
        out["rai:dataAnnotationAnalysis"] += "\n\n" + _agreement_text(agreement)
    return out


def provenance_annotation(name: str, columns: list[str], file_id: str) -> dict[str, Any] | None:
    """A record set's data-level provenance: each record ``prov:wasDerivedFrom`` its source and excerpt.

    None for a table without both a ``source_id`` and an ``excerpt`` column.

    Examples
    --------
    >>> a = provenance_annotation("claims", ["claim_id", "source_id", "excerpt"], "claims.parquet")
    >>> a["equivalentProperty"], [f["@id"] for f in a["subField"]]
    ('prov:wasDerivedFrom', ['claims/derived_from/source_id', 'claims/derived_from/excerpt'])
    >>> provenance_annotation("event_actors", ["event_id", "actor_id"], "event_actors.parquet") is None
    True
    """
    if not {"source_id", "excerpt"} <= set(columns):
        return None
    what = {"source_id": ("the source the record is derived from (a row of sources)", "sc:Text"),
            "excerpt": ("the verbatim passage of that source the record is derived from", "sc:Text"),
            "passage_id": ("the passage of the coding ledger holding the excerpt", "sc:Text")}
    return {
        "@type": "cr:Field",
        "@id": f"{name}/derived_from",
        "name": "derived_from",
        "description": "Provenance of the record: the source and the verbatim excerpt it is derived from.",
        "equivalentProperty": "prov:wasDerivedFrom",
        "dataType": "prov:Entity",
        "subField": [{
            "@type": "cr:Field",
            "@id": f"{name}/derived_from/{column}",
            "name": column,
            "description": what[column][0],
            "dataType": what[column][1],
            "source": {"fileObject": {"@id": file_id}, "extract": {"column": column}},
        } for column in PROVENANCE_COLUMNS if column in columns],
    }
