"""Make the README's picture: Figure 1 of Goodfellow et al. (2014) from a real run.

Trains the default configuration (p_data = N(-1, 1), `GANConfig()`'s defaults, snapshots every
100 steps) and draws `gan.plots.figure1` at its default steps into lessons/figures/figure1.png,
stored as a palette PNG so that the committed file stays small (< 150 KB).

    python -m experiments.make_readme_figure [--seed 0] [--out lessons/figures/figure1.png]
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from gan.config import GANConfig  # noqa: E402
from gan.plots import figure1  # noqa: E402
from gan.train import train  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "lessons" / "figures" / "figure1.png"
SIZE_LIMIT = 150_000  # bytes
PALETTE_COLOURS = 64  # black, grey, two greens and two blues with their anti-aliasing ramps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of the run (default 0)")
    parser.add_argument("--dpi", type=int, default=110, help="resolution (default 110)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the PNG to write")
    args = parser.parse_args(argv)

    config = GANConfig(seed=args.seed)
    result = train(config)
    history = result.history
    print(f"trained {config.steps} steps (seed {config.seed}) in "
          f"{result.metrics['seconds']:.1f} s; final JSD {result.metrics['jsd']:.5f} nats, "
          f"max |D - 1/2| {result.metrics['d_max_dev']:.4f}")

    figure = figure1(history, ax=Figure())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=args.dpi, bbox_inches="tight", facecolor="white")
    image = Image.open(buffer).convert("RGB").quantize(colors=PALETTE_COLOURS)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    image.save(args.out, optimize=True)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({image.width} x {image.height} px, {size / 1000:.0f} KB)")
    if size > SIZE_LIMIT:
        print(f"warning: larger than {SIZE_LIMIT / 1000:.0f} KB; lower --dpi")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
