"""The browser code shipped in the package, read with importlib.resources, and inlined.

A page names a script of this package with ``<script data-inline="NAME"></script>``;
`inline_scripts` puts the file's text there, so the page stays one file that fetches nothing.
`draw1d.js` (the 1D view: p_data, p_g, D, D*, z -> G(z)) is shared this way by the live
playground (`page.html`) and a run's player (`gan.plots.player`).

The playground also needs numbers that live in Python: ``<script type="application/json"
data-inline="settings"></script>`` becomes the JSON of `page_settings` (the default settings
and seed, for the page's "defaults" control, and each preset target's spec and parameters).
"""

from __future__ import annotations

import json
import re
from importlib import resources

_INLINE = re.compile(r'<script data-inline="([A-Za-z0-9_.-]+)"></script>')


_SETTINGS = '<script type="application/json" data-inline="settings"></script>'
DEFAULT_SEED = 0                       # the seed of a fresh `gan.play.session.Session`


def page_settings():
    """What the page's settings controls show and restore, JSON-ready: ``defaults`` (the settings
    of a fresh session, `gan.play.params.DEFAULTS`), ``seed`` and, for every preset target, its
    ``spec`` (what the target box shows: the typed syntax where one exists) and ``text`` (its
    parameters, in the notation of the lessons: N(mu, sigma) has standard deviation sigma), and
    ``limits``: the caps the server puts on a target spec and the page on a file of samples,
    and the sigma of a drawn mode (`gan.play.params`), so the page refuses what the server
    would, and says why, before it sends anything."""
    from gan.play import params
    from gan import targets2d

    texts = {
        "ring": (f"{targets2d.RING_MODES} equal modes N(μ_k, σ² I), σ = {targets2d.RING_SIGMA:g}, "
                 f"μ_k = {targets2d.RING_RADIUS:g} (cos 2πk/{targets2d.RING_MODES}, "
                 f"sin 2πk/{targets2d.RING_MODES})"),
        "grid": (f"{targets2d.GRID_SIDE ** 2} equal modes N(μ_ij, σ² I), "
                 f"σ = {targets2d.GRID_SIGMA:g}, on a {targets2d.GRID_SIDE} × "
                 f"{targets2d.GRID_SIDE} lattice of spacing {targets2d.GRID_SPACING:g} "
                 f"centred on 0"),
    }
    for name in params.PRESETS:
        if name not in texts:
            texts[name] = describe(params.parse_target(name))
    limits = {"max_target_length": params.MAX_TARGET_LENGTH,
              "max_components": params.MAX_COMPONENTS, "max_samples": params.MAX_SAMPLES,
              "min_samples": params.MIN_SAMPLES,
              "max_sample_magnitude": params.MAX_SAMPLE_MAGNITUDE,
              "drawn_sigma": {str(dim): sigma for dim, sigma in params.DRAWN_SIGMA.items()}}
    return {"defaults": dict(params.DEFAULTS), "seed": DEFAULT_SEED, "limits": limits,
            "presets": {name: {"spec": spec, "text": texts[name]}
                        for name, spec in params.PRESETS.items()}}


def describe(distribution):
    """A 1D target's parameters as the lessons write them: N(μ = -1, σ = 1), U(0, 2), and a
    mixture as its weighted sum, e.g. 0.5 N(μ = -2, σ = 0.5) + 0.5 N(μ = 2, σ = 0.5)."""
    from gan.distributions import Mixture, Normal, Uniform

    if isinstance(distribution, Mixture):
        return " + ".join(f"{w:g} {describe(c)}" for w, c in zip(distribution.weights,
                                                                   distribution.components))
    if isinstance(distribution, Normal):
        return f"N(μ = {float(distribution.mu_vector[0]):g}, σ = {float(distribution.sigma):g})"
    if isinstance(distribution, Uniform):
        return (f"U({float(distribution.low_vector[0]):g}, "
                f"{float(distribution.high_vector[0]):g})")
    return repr(distribution)


def read(name, package="gan.play"):
    """The text of the file ``name`` of ``package``."""
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def inline_scripts(html):
    """``html`` with each ``<script data-inline="NAME"></script>`` replaced by a script holding
    the text of gan/play/NAME, and ``<script type="application/json" data-inline="settings">
    </script>`` (no line break) by the JSON of `page_settings`."""
    if _SETTINGS in html:
        facts = json.dumps(page_settings(), ensure_ascii=False).replace("</", "<\\/")
        html = html.replace(_SETTINGS, '<script type="application/json" id="settings-data">'
                            + facts + "</script>")
    return _INLINE.sub(lambda match: "<script>\n" + read(match.group(1)) + "</script>", html)
