"""The contributor's walk: everything that needs a checkout of eastasia-data.

Reading the schema files (YAML), reading and checking the CSV tables, formatting them,
building a release, comparing versions and regenerating the documentation. These modules
need the ``validate`` extra (pandera, PyYAML); a reader's install never imports them.

============== ==================================================================
``schemas``    the YAML schema files → the model (:mod:`eastasia_data.model`)
``reader``     CSV bytes → rows of text with their physical lines
``problems``   what a check finds, and how it is printed
``rules``      the catalogue of every rule a problem can break
``checks/``    the check layers (table, fields, relations, evidence, hygiene)
``validate``   runs every layer over a checkout: a :class:`Report`
``fmt``        the canonical form of the CSV files
``passages``   an archived text cut into passages (the coding ledger's rule)
``descriptor`` the root and the release ``datapackage.json``
``build``      valid tables → a release directory of Parquet files
``snapshot``   a version (release, checkout, git revision) read for comparison
``diff``       the differences between two snapshots
``diff_render`` the differences as text, Markdown, JSON or a changelog draft
``versioning`` the bump policy, and ``check-version``
``docs``       the generated files and their renderers
============== ==================================================================
"""
