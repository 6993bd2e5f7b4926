"""The tables as defined in ``schemas/``: the one source every other module derives from.

Each ``schemas/<table>.yaml`` is a Frictionless Table Schema (v2) with a few
extensions that Table Schema cannot express:

``categories``
    Table Schema v2's list of allowed values with a label each; the label is
    the value's meaning in the data dictionary, and the values become the
    ``enum`` constraint in ``datapackage.json`` and the categories of the
    loaded pandas column.
``categoriesOrdered``
    Table Schema v2's flag that the order of the ``categories`` means something (a
    scale, worst to best or least to most): the loaded column is then an *ordered*
    categorical, so ``<``, ``min()`` and ``max()`` follow that order. Set only where the
    order is meaningful (``claims.verdict``, ``sources.reliability``).
``precisionField``
    On a date column stored as an ISO 8601 string of reduced precision
    (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``): the column that states its
    precision. The string must be a real calendar date at that precision.
``notBefore``
    On a date column: another date column it may not precede.
``excerptOf``
    On an excerpt column: the column holding the ``source_id`` whose archived
    text must contain the excerpt verbatim.
``authorityExcerptOf``
    On a column of verbatim words of a source with no archived text (an authority's own
    words, checked by the curators against the page): the column holding that
    ``source_id``. It is given only for sources that are not archived (an archived article is
    quoted in ``excerptOf``); on ``event_sources`` it is required for events of basis
    ``chronology``.
``rowKeyOf``, ``columnOf``, ``valueOf``
    For a table whose rows are about cells of other tables (``codings``):
    ``rowKeyOf: C`` on a column whose value names a row of the table named in
    column ``C`` (its primary key's values in key order joined by `` | ``);
    ``columnOf: C`` on a column naming a column of that table; ``valueOf: F``
    on a column holding a value of the column named in ``F`` (one of its
    allowed values, when it has categories).
``type: list`` with ``itemType`` and ``delimiter``
    Table Schema v2's list field: a cell holds several items joined by the delimiter.
    Only ``itemType: string`` is used; ``categories`` on a list field list the allowed
    *items*. Every target keeps the delimited text as it is in the CSV (``load()`` gives a
    ``str`` column; split it with ``.str.split(delimiter)``).
``emptyAllowed``
    At the top level: the table may have a header and no rows.
``rules``
    Table-level cross-field rules: ``when`` some columns hold given values (or
    are ``present``), ``require`` or ``forbid`` other columns, or ``allow``
    only some values of another column.

This module holds the tables as plain dataclasses and builds them from parsed
dictionaries: a contributor's model from the YAML files (``eastasia_data.curation.schemas``
reads them), a reader's from the release descriptor (JSON). It imports neither YAML nor
pandas. Package-level facts (title, licences, contributors, keywords, the table that
holds the archive) are a :class:`Package`, read from ``[tool.eastasia-data]`` of
``pyproject.toml`` in a checkout and from the release descriptor in an installation.

Examples
--------
>>> from eastasia_data.releases import model as release_model
>>> model = release_model()
>>> model["events"].primary_key
('event_id',)
>>> model["events"].field("date_precision").enum
('day', 'month', 'year')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from eastasia_data.errors import ModelError
from eastasia_data.types import FIELD_TYPES, TYPES, ColumnType

__all__ = ["ArchiveIndex", "Category", "Field", "ForeignKey", "ModelError", "Package", "Rule", "Table",
           "FIELD_TYPES", "model_from_descriptor", "parse_table"]


@dataclass(frozen=True)
class Category:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """One column: its Table Schema properties plus our extensions."""

    name: str
    type: str
    description: str
    required: bool = False
    unique: bool = False
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    format: str | None = None
    categories: tuple[Category, ...] = ()
    ordered: bool = False
    precision_field: str | None = None
    not_before: str | None = None
    excerpt_of: str | None = None
    row_key_of: str | None = None
    column_of: str | None = None
    value_of: str | None = None
    item_type: str | None = None
    delimiter: str | None = None
    authority_excerpt_of: str | None = None
    #: The type a release descriptor gave a partial date (``date``; ``datetime`` up to 1.0.0), when
    #: read from one; None for a field read from a schema file. Not part of equality.
    stored_type: str | None = field(default=None, compare=False)

    @property
    def is_list(self) -> bool:
        """A Table Schema v2 ``list`` field (its categories are the allowed items).

        Examples
        --------
        >>> Field("context", "list", "Contexts.", item_type="string", delimiter=";").is_list
        True
        """
        return self.type == "list"

    def items(self, cell: str) -> list[str]:
        """The items of one cell of a list field (empty for an empty cell).

        Examples
        --------
        >>> Field("context", "list", "Contexts.", item_type="string", delimiter=";").items("military;economic")
        ['military', 'economic']
        """
        return [item for item in cell.split(self.delimiter or ",")] if cell else []

    @property
    def enum(self) -> tuple[str, ...]:
        """The allowed values, in schema order (empty when any value is allowed).

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> release_model()["event_actors"].field("role").enum
        ('actor', 'recipient', 'participant')
        """
        return tuple(c.value for c in self.categories)

    @property
    def is_partial_date(self) -> bool:
        """A reduced-precision ISO 8601 date kept as a string in the CSV.

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> events = release_model()["events"]
        >>> events.field("start_date").is_partial_date, events.field("title").is_partial_date
        (True, False)
        """
        return self.precision_field is not None

    @property
    def kind(self) -> str:
        """The kind of column, the key of :data:`eastasia_data.types.TYPES`.

        ``category`` for a column with allowed values, ``partial_date`` for a date of
        reduced precision, otherwise the Table Schema type.

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> events = release_model()["events"]
        >>> [events.field(c).kind for c in ("event_id", "start_date", "category")]
        ['string', 'partial_date', 'category']
        """
        if self.is_list:
            return "list"
        if self.categories:
            return "category"
        if self.is_partial_date:
            return "partial_date"
        return self.type

    @property
    def column_type(self) -> ColumnType:
        """This column's type in every target (pandas, Arrow, SQLite, DuckDB).

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> release_model()["events"].field("start_date").column_type.duckdb
        'VARCHAR'
        """
        return TYPES[self.kind]

    @property
    def pandas_dtype(self) -> str:
        """The dtype :func:`eastasia_data.load` returns for this column, as a string.

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> events = release_model()["events"]
        >>> [events.field(c).pandas_dtype for c in ("event_id", "start_date", "category")]
        ['str', 'datetime64[ms]', 'category']
        """
        return self.column_type.pandas

    def to_table_schema(self, stored: bool = False) -> dict[str, Any]:
        """This field as a Frictionless Table Schema field descriptor.

        ``categories`` are also written as an ``enum`` constraint, because
        frictionless 5 does not enforce ``categories`` by itself. With
        ``stored=True`` the field is described as the release's Parquet file
        holds it: a reduced-precision date is a ``date`` there (the first day of
        its period; releases up to 1.0.0 said ``datetime``), so its text pattern no
        longer applies.

        Examples
        --------
        >>> start = Field("start_date", "string", "Start.", precision_field="date_precision")
        >>> start.to_table_schema()["type"], start.to_table_schema(stored=True)["type"]
        ('string', 'date')
        """
        as_datetime = stored and self.is_partial_date
        ftype = "date" if as_datetime else self.type
        out: dict[str, Any] = {"name": self.name, "type": ftype, "description": self.description}
        if self.format:
            out["format"] = self.format
        constraints: dict[str, Any] = {}
        for key, value in (
            ("required", self.required or None),
            ("unique", self.unique or None),
            ("pattern", None if as_datetime else self.pattern),
            ("minLength", self.min_length),
            ("maxLength", self.max_length),
            ("minimum", self.minimum),
            ("maximum", self.maximum),
        ):
            if value is not None:
                constraints[key] = value
        if self.is_list:
            out["itemType"] = self.item_type or "string"
            out["delimiter"] = self.delimiter or ","
        if self.categories and not self.is_list:
            constraints["enum"] = list(self.enum)
        if self.categories:
            out["categories"] = [{"value": c.value, "label": c.label} for c in self.categories]
            if self.ordered:
                out["categoriesOrdered"] = True
        if constraints:
            out["constraints"] = constraints
        for key, value in (
            ("precisionField", self.precision_field),
            ("notBefore", self.not_before),
            ("excerptOf", self.excerpt_of),
            ("authorityExcerptOf", self.authority_excerpt_of),
            ("rowKeyOf", self.row_key_of),
            ("columnOf", self.column_of),
            ("valueOf", self.value_of),
        ):
            if value:
                out[key] = value
        return out


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: when ``when`` holds, ``require``/``forbid`` columns or ``allow`` values."""

    name: str
    description: str
    when: tuple[tuple[str, tuple[str, ...] | None], ...]  # column -> values, or None for "present"
    require: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()
    allow: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def to_descriptor(self) -> dict[str, Any]:
        """The rule as written in a schema file (and in ``datapackage.json``'s ``rules``).

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> rule = release_model()["claims"].rules[0]
        >>> rule.to_descriptor()["when"]
        {'claimant': ['quoted_actor']}
        """
        out: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "when": {c: ("present" if v is None else list(v)) for c, v in self.when},
        }
        if self.require:
            out["require"] = list(self.require)
        if self.forbid:
            out["forbid"] = list(self.forbid)
        if self.allow:
            out["allow"] = {c: list(v) for c, v in self.allow}
        return out


@dataclass(frozen=True)
class Table:
    """One table: its fields in CSV order, keys and rules."""

    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    rules: tuple[Rule, ...] = ()
    schema_path: Path | None = field(default=None, compare=False)
    empty_allowed: bool = False

    @cached_property
    def field_names(self) -> tuple[str, ...]:
        """The column names, in CSV order (worked out once: the checks ask for them per row).

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> release_model()["strategy_targets"].field_names
        ('strategy_id', 'actor_id')
        """
        return tuple(f.name for f in self.fields)

    def is_categorical(self, name: str) -> bool:
        """Whether column ``name`` has allowed values (False for a column the table lacks).

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> events = release_model()["events"]
        >>> events.is_categorical("category"), events.is_categorical("title"), events.is_categorical("nope")
        (True, False, False)
        """
        return any(f.name == name and bool(f.categories) for f in self.fields)

    def field(self, name: str) -> Field:
        """The column called ``name``; ``KeyError`` if the table has none.

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> release_model()["events"].field("category").type
        'string'
        """
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"table {self.name!r} has no field {name!r}") from None

    @cached_property
    def _by_name(self) -> dict[str, Field]:
        return {f.name: f for f in reversed(self.fields)}  # the first of a repeated name, as a scan finds

    @property
    def csv_name(self) -> str:
        """The file name of the table under ``data/``.

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> release_model()["events"].csv_name
        'events.csv'
        """
        return f"{self.name}.csv"

    @property
    def summary(self) -> str:
        """The first sentence of the description, whole, for one-line listings.

        A sentence ends at a full stop followed by a space and a capital letter, so a colon
        or an abbreviation ("e.g. the") does not cut it short.

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> release_model()["event_actors"].summary
        'Which actors take part in which event, and in what role.'
        >>> release_model()["sources"].summary.startswith("Every document the dataset rests on: the archived")
        True
        """
        first = re.split(r"(?<=\.)\s+(?=[A-Z])", " ".join(self.description.split()), maxsplit=1)[0]
        return first.rstrip(".") + "."

    @cached_property
    def dtypes(self) -> dict[str, str]:
        """Column → the dtype :func:`eastasia_data.load` returns, as strings.

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> release_model()["strategy_targets"].dtypes
        {'strategy_id': 'str', 'actor_id': 'str'}
        """
        return {f.name: f.pandas_dtype for f in self.fields}

    def to_table_schema(self, stored: bool = False) -> dict[str, Any]:
        """The table as a Frictionless Table Schema descriptor (with our extensions).

        ``stored=True`` describes the typed Parquet file of a release rather than the CSV.

        Examples
        --------
        >>> from eastasia_data.releases import model as release_model
        >>> schema = release_model()["event_actors"].to_table_schema()
        >>> schema["primaryKey"], schema["foreignKeys"][0]["reference"]
        (['event_id', 'actor_id', 'role'], {'resource': 'events', 'fields': ['event_id']})
        """
        out: dict[str, Any] = {
            "fields": [f.to_table_schema(stored) for f in self.fields],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            out["foreignKeys"] = [
                {
                    "fields": list(fk.fields),
                    "reference": {"resource": fk.resource, "fields": list(fk.reference_fields)},
                }
                for fk in self.foreign_keys
            ]
        if self.rules:
            out["rules"] = [r.to_descriptor() for r in self.rules]
        if self.empty_allowed:
            out["emptyAllowed"] = True
        return out



# ---------------------------------------------------------------------------------------------
# Building the model from parsed dictionaries

_FIELD_KEYS = {"name", "type", "description", "format", "constraints", "categories", "categoriesOrdered",
               "precisionField", "notBefore", "excerptOf", "rowKeyOf", "columnOf", "valueOf",
               "itemType", "delimiter", "authorityExcerptOf"}
_CONSTRAINT_KEYS = {"required", "unique", "pattern", "minLength", "maxLength", "minimum", "maximum", "enum"}


def _tuple(value: Any) -> tuple[str, ...]:
    """A field list as Table Schema allows it: one name, or a list of names."""
    return (value,) if isinstance(value, str) else tuple(value)


def _parse_field(raw: dict[str, Any], where: str, *, stored: bool = False) -> Field:
    unknown = set(raw) - _FIELD_KEYS
    if unknown:
        raise ModelError(f"{where}: unknown field properties {sorted(unknown)}")
    try:
        name = raw["name"]
        ftype = raw.get("type", "string")
        description = raw["description"]
    except KeyError as exc:
        raise ModelError(f"{where}: field is missing {exc.args[0]!r}") from None
    stored_type = None
    if stored and ftype in ("datetime", "date") and raw.get("precisionField"):
        stored_type, ftype = ftype, "string"  # a release stores a partial date as the first day of its period
    if ftype not in FIELD_TYPES:
        raise ModelError(f"{where}: field {name!r} has type {ftype!r}; use one of {FIELD_TYPES}")
    c = raw.get("constraints") or {}
    unknown = set(c) - _CONSTRAINT_KEYS
    if unknown:
        raise ModelError(f"{where}: field {name!r} has unknown constraints {sorted(unknown)}")
    if "enum" in c and not stored:
        raise ModelError(f"{where}: field {name!r} lists values under constraints.enum; use categories")
    for item in raw.get("categories") or ():
        if isinstance(item, dict) and set(item) - {"value", "label"}:
            raise ModelError(f"{where}: field {name!r} has a category with unexpected keys "
                             f"{sorted(set(item) - {'value', 'label'})}: quote a label that holds a comma")
    cats = tuple(
        Category(str(item["value"]), str(item.get("label", ""))) if isinstance(item, dict) else Category(str(item), "")
        for item in raw.get("categories") or ()
    )
    if len({x.value for x in cats}) != len(cats):
        raise ModelError(f"{where}: field {name!r} lists a category twice")
    ordered = raw.get("categoriesOrdered", False)
    if not isinstance(ordered, bool):
        raise ModelError(f"{where}: field {name!r}: categoriesOrdered must be true or false, not {ordered!r}")
    if ordered and not cats:
        raise ModelError(f"{where}: field {name!r}: categoriesOrdered needs categories to order")
    if raw.get("precisionField") and ftype != "string":
        raise ModelError(f"{where}: field {name!r}: precisionField applies to string fields holding ISO dates")
    if ftype == "list" and raw.get("itemType", "string") != "string":
        raise ModelError(f"{where}: field {name!r}: a list field here holds strings (itemType: string)")
    if ftype != "list" and ("itemType" in raw or "delimiter" in raw):
        raise ModelError(f"{where}: field {name!r}: itemType and delimiter apply to list fields")
    if ordered and ftype == "list":
        raise ModelError(f"{where}: field {name!r}: the items of a list field are not ordered categories")
    return Field(
        name=name,
        type=ftype,
        description=" ".join(str(description).split()),
        required=bool(c.get("required", False)),
        unique=bool(c.get("unique", False)),
        pattern=c.get("pattern"),
        min_length=c.get("minLength"),
        max_length=c.get("maxLength"),
        minimum=c.get("minimum"),
        maximum=c.get("maximum"),
        format=raw.get("format"),
        categories=cats,
        ordered=ordered,
        precision_field=raw.get("precisionField"),
        not_before=raw.get("notBefore"),
        excerpt_of=raw.get("excerptOf"),
        authority_excerpt_of=raw.get("authorityExcerptOf"),
        row_key_of=raw.get("rowKeyOf"),
        column_of=raw.get("columnOf"),
        value_of=raw.get("valueOf"),
        item_type=(raw.get("itemType") or "string") if ftype == "list" else None,
        delimiter=(raw.get("delimiter") or ",") if ftype == "list" else None,
        stored_type=stored_type,
    )


def _parse_rule(raw: dict[str, Any], where: str) -> Rule:
    def values(v: Any) -> tuple[str, ...] | None:
        return None if v == "present" else tuple(str(x) for x in v)

    try:
        return Rule(
            name=raw["name"],
            description=" ".join(str(raw["description"]).split()),
            when=tuple((col, values(v)) for col, v in raw["when"].items()),
            require=tuple(raw.get("require", ())),
            forbid=tuple(raw.get("forbid", ())),
            allow=tuple((col, tuple(str(x) for x in v)) for col, v in (raw.get("allow") or {}).items()),
        )
    except (KeyError, AttributeError, TypeError) as exc:
        raise ModelError(f"{where}: malformed rule {raw!r} ({exc})") from None


def parse_table(name: str, raw: Mapping[str, Any], where: str = "", *, stored: bool = False,
                schema_path: Path | None = None) -> Table:
    """One table from its parsed Table Schema (a schema file's contents, or a release resource's ``schema``).

    Parameters
    ----------
    name : str
        The table's name.
    raw : mapping
        The Table Schema, with our extensions and, at the top level, ``description``.
    where : str
        Named in error messages (a file path, or a resource of a descriptor).
    stored : bool, default False
        ``raw`` describes a release's Parquet file (partial dates stored as ``datetime``).

    Returns
    -------
    Table

    Raises
    ------
    ModelError
        A field, key or rule is malformed or refers to a column the table does not have.

    Examples
    --------
    >>> t = parse_table("pairs", {"fields": [{"name": "a", "description": "A."}], "primaryKey": "a"})
    >>> t.primary_key, t.field("a").pandas_dtype
    (('a',), 'str')
    """
    where = where or name
    if not isinstance(raw, Mapping) or not isinstance(raw.get("fields"), list):
        raise ModelError(f"{where}: a schema needs a 'fields' list")
    fields = tuple(_parse_field(f, where, stored=stored) for f in raw["fields"])
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise ModelError(f"{where}: a field name appears twice")
    fks = []
    for fk in raw.get("foreignKeys") or ():
        try:
            ref = fk["reference"]
            fks.append(ForeignKey(_tuple(fk["fields"]), ref.get("resource") or name, _tuple(ref["fields"])))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ModelError(f"{where}: malformed foreign key {fk!r} ({exc})") from None
    table = Table(
        name=name,
        description=" ".join(str(raw.get("description", "")).split()),
        fields=fields,
        primary_key=_tuple(raw.get("primaryKey") or ()),
        foreign_keys=tuple(fks),
        rules=tuple(_parse_rule(r, where) for r in raw.get("rules") or ()),
        schema_path=schema_path,
        empty_allowed=raw.get("emptyAllowed") is True,
    )
    _check_references(table, where)
    return table


def _check_references(table: Table, where: str) -> None:
    names = set(table.field_names)
    mentioned = list(table.primary_key)
    for fk in table.foreign_keys:
        mentioned += fk.fields
    for f in table.fields:
        mentioned += [x for x in (f.precision_field, f.not_before, f.excerpt_of, f.row_key_of, f.column_of, f.value_of)
                      if x]
    for r in table.rules:
        mentioned += [c for c, _ in r.when] + list(r.require) + list(r.forbid) + [c for c, _ in r.allow]
    missing = sorted(set(mentioned) - names)
    if missing:
        raise ModelError(f"{where}: refers to fields that the table does not have: {missing}")
    for f in table.fields:
        if f.value_of and not table.field(f.value_of).column_of:
            raise ModelError(f"{where}: field {f.name!r} has valueOf {f.value_of!r}, which has no columnOf "
                             "(valueOf names the column that says which column the value belongs to)")


def check_fk_targets(model: Mapping[str, Table]) -> None:
    """Every foreign key points at a table and columns that exist.

    Examples
    --------
    >>> from eastasia_data.releases import model as release_model
    >>> check_fk_targets(release_model()) is None
    True
    """
    for table in model.values():
        where = str(table.schema_path or table.name)
        for fk in table.foreign_keys:
            target = model.get(fk.resource)
            if target is None:
                raise ModelError(f"{where}: foreign key refers to unknown table {fk.resource!r}")
            missing = set(fk.reference_fields) - set(target.field_names)
            if missing:
                raise ModelError(f"{where}: foreign key refers to {fk.resource}.{sorted(missing)}")
        for f in table.fields:  # the tables and columns a table about other tables' cells may name
            which = f.row_key_of or f.column_of
            names = table.field(which).enum if which else ()
            unknown = sorted(set(names) - set(model))
            if unknown:
                raise ModelError(f"{where}: field {f.name!r} refers to tables {unknown} that do not exist")
            if f.column_of:
                columns = {c for name in names for c in model[name].field_names}
                unknown = sorted(set(f.enum) - columns) if names else []
                if unknown:
                    raise ModelError(f"{where}: field {f.name!r} lists columns {unknown} that none of "
                                     f"{list(names)} has")


def model_from_descriptor(descriptor: Mapping[str, Any]) -> dict[str, Table]:
    """The tables a release descriptor describes, in its order.

    Examples
    --------
    >>> from eastasia_data.releases import descriptor
    >>> list(model_from_descriptor(descriptor()))[:2]
    ['actors', 'claim_sources']
    """
    model = {}
    for r in descriptor.get("resources", []):
        raw = {**r["schema"], "description": r.get("description", "")}
        model[r["name"]] = parse_table(r["name"], raw, f"resource {r['name']!r}", stored=True)
    return model


# ---------------------------------------------------------------------------------------------
# Package-level facts


@dataclass(frozen=True)
class ArchiveIndex:
    """Which table lists the archived texts, and its columns: key, file name, sha256, title, URL.

    ``ledger`` names the table that accounts for every passage of every archived text.
    """

    table: str
    key: str
    file: str
    sha256: str
    title: str
    url: str
    ledger: str | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ArchiveIndex:
        """From ``[tool.eastasia-data.archive]`` or a descriptor's ``eastasia:archive``.

        Examples
        --------
        >>> ArchiveIndex.from_dict({"table": "sources", "key": "source_id", "file": "archive_file",
        ...                         "sha256": "sha256", "title": "title", "url": "url"}).file
        'archive_file'
        """
        try:
            return cls(**{k: str(raw[k]) for k in ("table", "key", "file", "sha256", "title", "url")},
                       ledger=str(raw["ledger"]) if raw.get("ledger") else None)
        except (KeyError, TypeError) as exc:
            raise ModelError(f"[tool.eastasia-data.archive] lacks {exc}") from None


@dataclass(frozen=True)
class Package:
    """The facts about the dataset as a whole, kept in one place.

    In a checkout they come from ``pyproject.toml`` (``[project]`` and
    ``[tool.eastasia-data]``); every release descriptor carries them, so an installation
    reads them from JSON. ``repository`` and ``doi`` are None until they exist.

    Examples
    --------
    >>> from eastasia_data.releases import descriptor
    >>> Package.from_descriptor(descriptor()).name
    'eastasia-data'
    """

    name: str
    title: str
    description: str
    version: str
    licenses: tuple[Mapping[str, str], ...]
    contributors: tuple[Mapping[str, Any], ...]
    keywords: tuple[str, ...] = ()
    repository: str | None = None
    doi: str | None = None
    archive: ArchiveIndex | None = None

    @classmethod
    def from_pyproject(cls, data: Mapping[str, Any]) -> Package:
        """From a parsed ``pyproject.toml``.

        Examples
        --------
        >>> from eastasia_data import paths
        >>> Package.from_pyproject(paths.checkout().pyproject()).archive.table
        'sources'
        """
        project = data.get("project", {})
        tool = data.get("tool", {}).get("eastasia-data", {})
        try:
            return cls(
                name=str(project["name"]),
                title=str(tool["title"]),
                description=str(project.get("description", "")),
                version=str(project["version"]),
                licenses=tuple(tool["licenses"]),
                contributors=tuple(tool["contributors"]),
                keywords=tuple(project.get("keywords", ())),
                repository=project.get("urls", {}).get("Repository") or None,
                doi=tool.get("doi") or None,
                archive=ArchiveIndex.from_dict(tool["archive"]) if "archive" in tool else None,
            )
        except KeyError as exc:
            raise ModelError(f"pyproject.toml lacks {exc.args[0]!r} ([project] or [tool.eastasia-data])") from None

    @classmethod
    def from_descriptor(cls, d: Mapping[str, Any]) -> Package:
        """From a release descriptor (releases before 0.2 lack keywords and the archive).

        Examples
        --------
        >>> Package.from_descriptor({"name": "eastasia-data", "version": "0.1.0"}).keywords
        ()
        """
        archive = d.get("eastasia:archive")
        return cls(
            name=str(d.get("name", "eastasia-data")),
            title=str(d.get("title", "")),
            description=str(d.get("description", "")),
            version=str(d.get("version", "")),
            licenses=tuple(d.get("licenses", ())),
            contributors=tuple(d.get("contributors", ())),
            keywords=tuple(d.get("keywords", ())),
            repository=d.get("homepage"),
            doi=d.get("eastasia:doi"),
            archive=ArchiveIndex.from_dict(archive) if archive else None,
        )

    def to_descriptor(self) -> dict[str, Any]:
        """The package-level properties of a Data Package descriptor, in the order written.

        Examples
        --------
        >>> from eastasia_data.releases import descriptor
        >>> list(Package.from_descriptor(descriptor()).to_descriptor())[:3]
        ['$schema', 'name', 'title']
        """
        out: dict[str, Any] = {
            "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "version": self.version,
            "licenses": [dict(x) for x in self.licenses],
            "contributors": [dict(x) for x in self.contributors],
        }
        if self.keywords:
            out["keywords"] = list(self.keywords)
        if self.repository:
            out["homepage"] = self.repository
        if self.doi:
            out["eastasia:doi"] = self.doi
        if self.archive:
            out["eastasia:archive"] = {k: v for k, v in vars(self.archive).items() if v is not None}
        return out
