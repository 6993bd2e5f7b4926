"""The schema files: ``schemas/<table>.yaml`` parsed into the model.

Reading YAML is the contributor's job: a reader's model comes from the release
descriptor (:func:`eastasia_data.model.release_model`). Each file is one Frictionless
Table Schema with our extensions (see :mod:`eastasia_data.model`); the table is named
after the file.

Examples
--------
>>> from eastasia_data.curation.schemas import read_model
>>> model = read_model()
>>> list(model)[:3]
['actors', 'claim_sources', 'claims']
"""

from __future__ import annotations

from pathlib import Path

from eastasia_data import paths
from eastasia_data.errors import ModelError
from eastasia_data.model import Table, check_foreign_keys, parse_table


def read_table(path: Path) -> Table:
    """Read one schema file into a :class:`~eastasia_data.model.Table`.

    Raises
    ------
    ModelError
        The file is not valid YAML, or a field, key or rule is malformed.

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
    return parse_table(path.stem, raw, str(path), schema_path=path)


def read_model(directory: str | Path | None = None) -> dict[str, Table]:
    """Read every ``*.yaml`` schema in ``directory`` (default: the checkout's ``schemas/``).

    Tables come back sorted by name; foreign keys are checked to point at tables and
    fields that exist.

    Raises
    ------
    ModelError
        No schema files, a malformed one, or a foreign key to a missing table or column.

    Examples
    --------
    >>> read_model()["events"].field("date_precision").enum
    ('day', 'month', 'year')
    """
    directory = Path(directory) if directory else paths.schemas_dir()
    if not directory.is_dir():
        raise ModelError(f"{directory}: no schemas directory")
    found = sorted(directory.glob("*.yaml"))
    if not found:
        raise ModelError(f"{directory}: no schema files (*.yaml) found")
    model = {p.stem: read_table(p) for p in found}
    check_foreign_keys(model)
    return model
