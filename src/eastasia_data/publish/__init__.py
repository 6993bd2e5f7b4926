"""What the package publishes from a release for people and machines.

Nothing here is imported by the package's import: each module is imported by the command or
function that needs it, and none imports :mod:`eastasia_data.curation`.

============== ==================================================================
``export``     the dispatcher: format, target, scratch directory, atomic rename
``tables``     a release as text tables, the column descriptions: what every writer starts from
``sql``        ``CREATE TABLE`` from the model; the SQLite and DuckDB writers
``sheets``     the xlsx and csv writers, formulas neutralised
``schemaorg``  ClaimReview and Croissant JSON-LD
``datacite``   the release's metadata in DataCite's JSON
``rai``        Croissant's responsible-AI fields
``datasette``  the Datasette metadata, canned queries and serving arguments
``plot``       the timeline and network figures
``site/``      the static site of every release
============== ==================================================================
"""
