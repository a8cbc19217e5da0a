"""The browser code shipped in the package, read with importlib.resources, and inlined.

A page names a script of this package with ``<script data-inline="NAME"></script>``;
`inline_scripts` puts the file's text there, so the page stays one file that fetches nothing.
`draw1d.js` (the 1D view: p_data, p_g, D, D*, z -> G(z)) is shared this way by the live
playground (`page.html`) and a run's player (`gan.plots.player`).
"""

from __future__ import annotations

import re
from importlib import resources

_INLINE = re.compile(r'<script data-inline="([A-Za-z0-9_.-]+)"></script>')


def read(name, package="gan.play"):
    """The text of the file ``name`` of ``package``."""
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def inline_scripts(html):
    """``html`` with each ``<script data-inline="NAME"></script>`` replaced by a script holding
    the text of gan/play/NAME."""
    return _INLINE.sub(lambda match: "<script>\n" + read(match.group(1)) + "</script>", html)
