"""The tables as defined in ``schemas/``: the one source every other module derives from.

Each ``schemas/<table>.yaml`` is a Frictionless Table Schema (v2) with a few
extensions that Table Schema cannot express:

``categories``
    Table Schema v2's list of allowed values with a label each; the label is
    the value's meaning in the data dictionary, and the values become the
    ``enum`` constraint in ``datapackage.json`` and the categories of the
    loaded pandas column.
``precisionField``
    On a date column stored as an ISO 8601 string of reduced precision
    (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``): the column that states its
    precision. The string must be a real calendar date at that precision.
``notBefore``
    On a date column: another date column it may not precede.
``excerptOf``
    On an excerpt column: the column holding the ``source_id`` whose archived
    text must contain the excerpt verbatim.
``rules``
    Table-level cross-field rules: ``when`` some columns hold given values (or
    are ``present``), ``require`` or ``forbid`` other columns, or ``allow``
    only some values of another column.

This module only reads YAML (PyYAML, an optional dependency of ``validate``);
the loader never imports it.

Examples
--------
>>> from eastasia_data.model import read_model
>>> model = read_model()
>>> model["events"].primary_key
('event_id',)
>>> model["events"].field("date_precision").enum
('day', 'month', 'year')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from eastasia_data.paths import schemas_dir

#: Table Schema field types this project uses, and how each is stored in Parquet and pandas.
FIELD_TYPES = ("string", "integer", "number", "boolean", "date")

PRECISION_LENGTH = {"day": 10, "month": 7, "year": 4}


class ModelError(ValueError):
    """A schema file is malformed; the message names the file and the problem."""


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
    precision_field: str | None = None
    not_before: str | None = None
    excerpt_of: str | None = None

    @property
    def enum(self) -> tuple[str, ...]:
        """The allowed values, in schema order (empty when any value is allowed).

        Examples
        --------
        >>> read_model()["event_actors"].field("role").enum
        ('actor', 'recipient', 'participant')
        """
        return tuple(c.value for c in self.categories)

    @property
    def is_partial_date(self) -> bool:
        """A reduced-precision ISO 8601 date kept as a string in the CSV.

        Examples
        --------
        >>> events = read_model()["events"]
        >>> events.field("start_date").is_partial_date, events.field("title").is_partial_date
        (True, False)
        """
        return self.precision_field is not None

    @property
    def pandas_dtype(self) -> str:
        """The dtype :func:`eastasia_data.load` returns for this column, as a string.

        Examples
        --------
        >>> events = read_model()["events"]
        >>> [events.field(c).pandas_dtype for c in ("event_id", "start_date", "category")]
        ['str', 'datetime64[ms]', 'category']
        """
        if self.categories:
            return "category"
        if self.is_partial_date or self.type == "date":
            return "datetime64[ms]"
        return {"string": "str", "integer": "Int64", "number": "float64", "boolean": "boolean"}[self.type]

    def to_table_schema(self, stored: bool = False) -> dict[str, Any]:
        """This field as a Frictionless Table Schema field descriptor.

        ``categories`` are also written as an ``enum`` constraint, because
        frictionless 5 does not enforce ``categories`` by itself. With
        ``stored=True`` the field is described as the release's Parquet file
        holds it: a reduced-precision date is a ``datetime`` there (the first
        instant of its period), so its text pattern no longer applies.

        Examples
        --------
        >>> start = read_model()["events"].field("start_date")
        >>> start.to_table_schema()["type"], start.to_table_schema(stored=True)["type"]
        ('string', 'datetime')
        """
        as_datetime = stored and self.is_partial_date
        ftype = "datetime" if as_datetime else self.type
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
        if self.categories:
            constraints["enum"] = list(self.enum)
            out["categories"] = [{"value": c.value, "label": c.label} for c in self.categories]
        if constraints:
            out["constraints"] = constraints
        for key, value in (
            ("precisionField", self.precision_field),
            ("notBefore", self.not_before),
            ("excerptOf", self.excerpt_of),
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
        >>> rule = read_model()["claims"].rules[0]
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

    @property
    def field_names(self) -> tuple[str, ...]:
        """The column names, in CSV order.

        Examples
        --------
        >>> read_model()["strategy_targets"].field_names
        ('strategy_id', 'actor_id')
        """
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        """The column called ``name``; ``KeyError`` if the table has none.

        Examples
        --------
        >>> read_model()["events"].field("category").type
        'string'
        """
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"table {self.name!r} has no field {name!r}")

    @property
    def csv_name(self) -> str:
        """The file name of the table under ``data/``.

        Examples
        --------
        >>> read_model()["events"].csv_name
        'events.csv'
        """
        return f"{self.name}.csv"

    @property
    def summary(self) -> str:
        """The first sentence of the description, for one-line listings.

        Examples
        --------
        >>> read_model()["event_actors"].summary
        'Which actors take part in which event, and in what role.'
        """
        first = re.split(r"(?<=[.:])\s", self.description.strip(), maxsplit=1)[0]
        return first.rstrip(":").rstrip(".") + "."

    @cached_property
    def dtypes(self) -> dict[str, str]:
        """Column → the dtype :func:`eastasia_data.load` returns, as strings.

        Examples
        --------
        >>> read_model()["strategy_targets"].dtypes
        {'strategy_id': 'str', 'actor_id': 'str'}
        """
        return {f.name: f.pandas_dtype for f in self.fields}

    def to_table_schema(self, stored: bool = False) -> dict[str, Any]:
        """The table as a Frictionless Table Schema descriptor (with our extensions).

        ``stored=True`` describes the typed Parquet file of a release rather than the CSV.

        Examples
        --------
        >>> schema = read_model()["event_actors"].to_table_schema()
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
        return out


def _parse_field(raw: dict[str, Any], where: str) -> Field:
    unknown = set(raw) - {
        "name", "type", "description", "format", "constraints", "categories",
        "precisionField", "notBefore", "excerptOf",
    }
    if unknown:
        raise ModelError(f"{where}: unknown field properties {sorted(unknown)}")
    try:
        name = raw["name"]
        ftype = raw.get("type", "string")
        description = raw["description"]
    except KeyError as exc:
        raise ModelError(f"{where}: field is missing {exc.args[0]!r}") from None
    if ftype not in FIELD_TYPES:
        raise ModelError(f"{where}: field {name!r} has type {ftype!r}; use one of {FIELD_TYPES}")
    c = raw.get("constraints") or {}
    unknown = set(c) - {"required", "unique", "pattern", "minLength", "maxLength", "minimum", "maximum", "enum"}
    if unknown:
        raise ModelError(f"{where}: field {name!r} has unknown constraints {sorted(unknown)}")
    if "enum" in c:
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
    if raw.get("precisionField") and ftype != "string":
        raise ModelError(f"{where}: field {name!r}: precisionField applies to string fields holding ISO dates")
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
        precision_field=raw.get("precisionField"),
        not_before=raw.get("notBefore"),
        excerpt_of=raw.get("excerptOf"),
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


def read_table(path: Path) -> Table:
    """Read one schema file into a :class:`Table`.

    Parameters
    ----------
    path : pathlib.Path
        ``schemas/<table>.yaml``; the table is named after the file.

    Returns
    -------
    Table

    Raises
    ------
    ModelError
        The file is not valid YAML, or a field, key or rule is malformed or refers to a
        column the table does not have.

    Examples
    --------
    >>> from eastasia_data.paths import schemas_dir
    >>> read_table(schemas_dir() / "events.yaml").primary_key
    ('event_id',)
    """
    import yaml

    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ModelError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict) or "fields" not in raw:
        raise ModelError(f"{path}: a schema needs a 'fields' list")
    name = path.stem
    fields = tuple(_parse_field(f, f"{path}") for f in raw["fields"])
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise ModelError(f"{path}: a field name appears twice")
    pk = raw.get("primaryKey") or ()
    pk = (pk,) if isinstance(pk, str) else tuple(pk)
    fks = []
    for fk in raw.get("foreignKeys") or ():
        fields_ = fk["fields"]
        ref = fk["reference"]
        ref_fields = ref["fields"]
        fks.append(
            ForeignKey(
                fields=(fields_,) if isinstance(fields_, str) else tuple(fields_),
                resource=ref.get("resource") or name,
                reference_fields=(ref_fields,) if isinstance(ref_fields, str) else tuple(ref_fields),
            )
        )
    rules = tuple(_parse_rule(r, str(path)) for r in raw.get("rules") or ())
    table = Table(
        name=name,
        description=" ".join(str(raw.get("description", "")).split()),
        fields=fields,
        primary_key=pk,
        foreign_keys=tuple(fks),
        rules=rules,
        schema_path=path,
    )
    _check_references(table, path)
    return table


def _check_references(table: Table, path: Path) -> None:
    names = set(table.field_names)
    mentioned = list(table.primary_key)
    for fk in table.foreign_keys:
        mentioned += fk.fields
    for f in table.fields:
        mentioned += [x for x in (f.precision_field, f.not_before, f.excerpt_of) if x]
    for r in table.rules:
        mentioned += [c for c, _ in r.when] + list(r.require) + list(r.forbid) + [c for c, _ in r.allow]
    missing = sorted(set(mentioned) - names)
    if missing:
        raise ModelError(f"{path}: refers to fields that the table does not have: {missing}")


def read_model(directory: Path | None = None) -> dict[str, Table]:
    """Read every ``*.yaml`` schema in ``directory`` (default: the project's ``schemas/``).

    Tables come back sorted by name; foreign keys are checked to point at
    tables and fields that exist.

    Parameters
    ----------
    directory : path, optional
        A directory of schema files; by default the checkout's ``schemas/``.

    Returns
    -------
    dict of str to Table

    Raises
    ------
    ModelError
        No schema files, a malformed one, or a foreign key to a missing table or column.

    Examples
    --------
    >>> model = read_model()
    >>> list(model)[:3]
    ['actors', 'claim_sources', 'claims']
    """
    directory = Path(directory) if directory else schemas_dir()
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: no schemas directory (validation runs in a checkout of eastasia-data)")
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise ModelError(f"{directory}: no schema files (*.yaml) found")
    model = {p.stem: read_table(p) for p in paths}
    for table in model.values():
        for fk in table.foreign_keys:
            target = model.get(fk.resource)
            if target is None:
                raise ModelError(f"{table.schema_path}: foreign key refers to unknown table {fk.resource!r}")
            missing = set(fk.reference_fields) - set(target.field_names)
            if missing:
                raise ModelError(f"{table.schema_path}: foreign key refers to {fk.resource}.{sorted(missing)}")
    return model
