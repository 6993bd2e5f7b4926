"""Schema files that are wrong in form are refused with a message naming the file and the fix."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import REPO

from eastasia_data.curation.schemas import read_model
from eastasia_data.model import ModelError


def write_schema(directory, body: str) -> None:
    (directory / "things.yaml").write_text(body, encoding="utf-8")


@pytest.mark.parametrize(
    "body, message",
    [
        ("fields:\n  - name: kind\n    description: d\n    categories:\n      - {value: a, label: First, second}\n",
         "quote a label that holds a comma"),
        ("fields:\n  - name: n\n    type: decimal\n    description: d\n", "'decimal' is not one of"),
        ("fields:\n  - name: n\n    description: d\nforeignKeys:\n  - fields: [n]\n    reference: {resource: nothing, fields: [id]}\n",
         "unknown table 'nothing'"),
        ("fields:\n  - name: n\n    description: d\nprimaryKey: [id]\n", "refers to fields that the table does not have"),
        ("fields:\n  - name: n\n    description: d\n    constraints: {enum: [a]}\n", "use categories"),
    ],
)
def test_malformed_schema_is_refused(tmp_path, body, message):
    write_schema(tmp_path, body)
    with pytest.raises(ModelError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_model(tmp_path)


def test_cli_reports_a_schema_error_in_one_line(tmp_path):
    """A broken schema in a checkout is a usage error (exit 2), one line, no traceback."""
    checkout = tmp_path / "checkout"
    shutil.copytree(REPO / "schemas", checkout / "schemas")
    shutil.copy(REPO / "pyproject.toml", checkout / "pyproject.toml")
    with (checkout / "schemas" / "events.yaml").open("a", encoding="utf-8") as f:
        f.write("foreignKeys:\n  - fields: [title]\n    reference: {resource: nowhere, fields: [x]}\n")
    proc = subprocess.run([sys.executable, "-m", "eastasia_data", "--repo", str(checkout), "validate",
                           "--data-dir", str(REPO / "data")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("error: ") and "unknown table 'nowhere'" in proc.stderr


def test_a_schema_file_changed_after_a_read_is_read_anew(tmp_path):
    """read_model reuses a model only while no schema file changed (even an edit of the same size)."""
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", schemas)
    first = read_model(schemas)
    assert read_model(schemas) == first and read_model(schemas) is not read_model(schemas)  # copies of one model
    path = schemas / "events.yaml"
    text = path.read_text(encoding="utf-8")
    assert "Stable identifier" in text
    path.write_text(text.replace("Stable identifier", "Stable Identifier", 1), encoding="utf-8")  # same size
    changed = read_model(schemas)
    assert changed["events"].field("event_id").description.startswith("Stable Identifier")
    path.write_text(text.replace("fields:", "fields: 5\nx:", 1), encoding="utf-8")
    with pytest.raises(ModelError):
        read_model(schemas)
