"""The checks, one module per layer; each returns a list of :class:`~eastasia_data.curation.problems.Problem`.

``table``     per-table rules (Pandera schemas built from the model)
``fields``    cross-field rules within a row (dates and precision, schema ``rules``)
``relations`` primary and foreign keys across tables
``corrections`` the corrections register against the data and the releases
``evidence``  excerpts against the archived source texts and their sha256
``ledger``    the coding ledger (passages) against the recomputed split and the rows citing it
``hygiene``   Unicode NFC, invisible characters, whitespace, formula injection
"""
