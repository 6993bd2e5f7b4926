"""The static site of the releases: ``eastasia-data site --out DIR`` (see :func:`build_site`).

Every released version, its tables with their data dictionary, a page per row per release and
a ``latest/`` page per row, the differences between consecutive releases, downloads, citations
and an in-page search (Pagefind), as plain HTML files that work from ``file://`` and under any
path prefix (GitHub Pages). Needs the ``site`` extra (Jinja2, Pagefind).

Examples
--------
>>> from eastasia_data.publish.site import segment
>>> segment("clm-a1-x")
'clm-a1-x'
"""

from eastasia_data.publish.site.build import build_site, keypath, segment, site_url

__all__ = ["build_site", "keypath", "segment", "site_url"]
