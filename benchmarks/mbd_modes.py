"""Minibatch discrimination on two modes: the plain GAN and MinibatchDiscriminationGAN, same seeds.

Target N(-3, 0.25^2) + N(3, 0.25^2) (lesson 12 and the comparison's "two modes"): m = 64, 800
steps, the library's other defaults. For each seed and game: the share of p_g's mass within
4 sigma (= 1) of each mode, from 20,000 samples G(z) (standard error <= 0.0036 on a share);
both modes are covered when each holds >= 0.25, half the target's 0.5 (the comparison's
criterion; a collapsed G holds ~0 on one mode). Each game runs with G's default softplus hidden
units and with tanh hidden units, which can split z's line into two pieces more easily.

Run: python benchmarks/mbd_modes.py [--seeds 8] [--steps 800]   (about two to three minutes)
"""

import argparse
import time

import numpy as np

from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.game import GAN
from gan.train import train
from gan.variants.minibatch import MinibatchDiscriminationGAN

MODES, SIGMA, COVERED = (-3.0, 3.0), 0.25, 0.25


def mass_near_modes(G, seed, samples=20_000):
    """int_{|x - mu_k| <= 4 sigma} p_g(x) dx for each mode mu_k, estimated from G(z) samples."""
    x = G.forward(np.random.default_rng(seed).normal(size=(samples, 1)))[:, 0]
    return [float(np.mean(np.abs(x - mode) <= 4 * SIGMA)) for mode in MODES]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--steps", type=int, default=800)
    arguments = parser.parse_args()
    target = Mixture([Normal(mode, SIGMA) for mode in MODES])
    base = GANConfig(target=target, steps=arguments.steps, batch_size=64, snapshot_every=0)
    runs = [(f"{name}, G {activation}", game, base.replace(g_activation=activation))
            for activation in ("softplus", "tanh")
            for name, game in (("plain", GAN), ("minibatch discr.", MinibatchDiscriminationGAN))]
    print(f"two modes at ±3 (sigma {SIGMA}), m = 64, {arguments.steps} steps; share of p_g within "
          f"4 sigma of -3 | +3; * = both >= {COVERED}")
    header = "".join(f"{'seed ' + str(seed):>13}" for seed in range(arguments.seeds))
    print(f"{'game':30}{header}   covered  seconds")
    for name, game, config in runs:
        started, cells, covered = time.perf_counter(), [], 0
        for seed in range(arguments.seeds):
            near = mass_near_modes(train(config.replace(seed=seed), game=game).G, 1000 + seed)
            both = min(near) >= COVERED
            covered += both
            cells.append(f"{near[0]:.2f}|{near[1]:.2f}{'*' if both else ' '}".rjust(13))
        print(f"{name:30}{''.join(cells)}   {covered:>2} / {arguments.seeds}"
              f"  {time.perf_counter() - started:7.0f}", flush=True)


if __name__ == "__main__":
    main()
