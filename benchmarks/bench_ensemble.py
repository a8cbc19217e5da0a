"""Throughput of ensembles: E GANs as one stacked computation against single runs.

    python -m benchmarks.bench_ensemble [--rounds 15] [--steps 20] [--members 1,8,64]

The configuration is a small one: G 1-16-16-1 and D 1-32-32-1 with LeakyReLU(0.2) (the
activation of benchmarks.bench_step's standard step; --g-activation softplus for train's default
G), m = 64, k = 1, Adam, the non-saturating loss, on the fast engine (the only one with a stacked
axis, and the single runs are timed on it too). A "step" is one iteration of Algorithm 1 as
`train` runs it (schedule, k D updates, one G update, sampling included); a single run is the
ordinary `GAN` game, an ensemble of E members is `gan.lab.ensemble.EnsembleGAN` with E seeds. The
contenders take turns, a block of --steps steps each, round after round in a shuffled order, so a
change in the machine's load hits all alike; reported are medians over rounds of steps x members
per second, and each one's ratio to single runs. BLAS runs on one thread, as in training. A last
row times, at the largest E, the BLAS calls the members make in a step, alone
(`make_products_step`): a ceiling on the ratio for an ensemble that equals its single runs
bitwise; the last, those products plus the fewest elementwise passes a step makes, one NumPy
call each (`make_floor_step`): the ceiling for such an ensemble written in NumPy.
"""

import argparse
import random
import statistics
import time

import numpy as np

import rng as project_rng
from benchmarks.bench_step import step_passes  # the step's layer passes, bench_step's own list
from gan.config import GANConfig
from gan.lab.ensemble import EnsembleGAN, MemberStreams
from gan.game import GAN
from gan.train import iteration, learning_rate_factor
from nn.threads import blas_threads

SMALL = dict(g_hidden=(16, 16), d_hidden=(32, 32), d_activation="leaky_relu", batch_size=64, k=1,
             snapshot_every=0, g_loss="non_saturating", engine="fast")


def make_single_step(config):
    train_rng = project_rng.fast.Generator(config.seed).spawn(2)[0]   # the fast stream
    game = GAN(config, train_rng)

    def step(number):
        game.set_learning_rates(learning_rate_factor(number, config.steps, config.lr_schedule))
        return iteration(game, number, train_rng)

    return step


def make_ensemble_step(configs):
    train_rngs = [project_rng.fast.Generator(config.seed).spawn(2)[0] for config in configs]
    game, draws = EnsembleGAN(configs, train_rngs), MemberStreams(train_rngs)
    config = configs[0]

    def step(number):
        game.set_learning_rates(learning_rate_factor(number, config.steps, config.lr_schedule))
        return iteration(game, number, draws)

    return step


def ensemble_products(m=SMALL["batch_size"], g_hidden=SMALL["g_hidden"],
                      d_hidden=SMALL["d_hidden"]):
    """The BLAS calls each member makes in one ensemble step (`nn.fast.Linear` with stack=E, the
    calls of a single run, whose numbers the member must reproduce), as (rows, inner, columns), over
    the step's passes (`benchmarks.bench_step.step_passes`). A first layer (one input feature) joins
    its bias to its weights: y = [x 1][W; b] is (n, 2, out) and [dL/dW; dL/db] = [x 1]^T dL/dy is
    (2, n, out). Any other layer makes x W (n, in, out), then x^T dL/dy (in, n, out) and 1^T dL/dy
    (1, n, out). dL/dx = dL/dy W^T is (n, out, in), and for one output feature (an outer product)
    [dL/dy 0] [W^T; 0], (n, 2, in)."""
    products = []
    for kind, n, fan_in, fan_out in step_passes(m, g_hidden, d_hidden):
        if kind == "forward":
            products.append((n, 2 if fan_in == 1 else fan_in, fan_out))
        elif kind == "dW" and fan_in == 1:
            products.append((2, n, fan_out))
        elif kind == "dW":
            products.extend([(fan_in, n, fan_out), (1, n, fan_out)])
        else:
            products.append((n, max(fan_out, 2), fan_in))
    return products


def make_products_step(members, dtype):
    """The matrix products of one ensemble step alone: each BLAS call a member makes
    (`ensemble_products`) as one stacked np.matmul over the members, on arrays made in advance --
    which NumPy carries out as one BLAS call per member, as the ensemble must to equal its single
    runs bitwise. The least such an ensemble step can take."""
    rng = np.random.default_rng(0)
    calls = []
    for rows, inner, columns in ensemble_products():
        a = rng.standard_normal((members, rows, inner)).astype(dtype)
        b = rng.standard_normal((members, inner, columns)).astype(dtype)
        calls.append((a, b, np.empty((members, rows, columns), dtype)))

    def step(number):
        for a, b, out in calls:
            np.matmul(a, b, out=out)

    return step


def make_floor_step(members, dtype, g_activation="softplus", m=SMALL["batch_size"],
                    g_hidden=SMALL["g_hidden"], d_hidden=SMALL["d_hidden"]):
    """The products step plus the fewest elementwise passes an ensemble step makes besides its
    products, each one NumPy call on arrays made in advance: for each hidden layer, the bias
    addition of every forward; in G's two forwards (D's update, G's update) exp and log1p for a
    softplus G (else one product, y = f'(x) x), and one product (its derivative times dL/dy) in
    G's backward; in D's two forwards (2m and m rows) one product y = f'(x) x, and one product in
    each backward; Adam's twelve whole-buffer passes over G's and D's parameters. Left out:
    sampling, losses, the derivatives' own computation, the output layers and every Python
    line -- so no NumPy ensemble step that makes these passes as separate calls can be faster:
    a ceiling tighter than the products' alone."""
    rng, products = np.random.default_rng(1), make_products_step(members, dtype)
    passes, made = [], {}     # (ufunc, inputs, out); arrays of a shape are reused, as layers do

    def arrays(rows, width):
        """x, -|x|, ones, a zero bias and a scratch array of shape (E, rows, width): each pass
        leaves x as it was (x + 0, x * 1), so every round computes on the same numbers."""
        if (rows, width) not in made:
            x = rng.standard_normal((members, rows, width)).astype(dtype)
            made[(rows, width)] = (x, -np.abs(x), np.ones_like(x),
                                   np.zeros((members, 1, width), dtype), np.empty_like(x))
        return made[(rows, width)]

    for width in g_hidden:
        x, minus_abs, ones, bias, scratch = arrays(m, width)
        for _ in range(2):          # G's forwards in the D update and in the G update
            passes.append((np.add, (x, bias), x))
            passes += ([(np.exp, (minus_abs,), scratch), (np.log1p, (scratch,), scratch)]
                       if g_activation == "softplus" else [(np.multiply, (x, ones), x)])
        passes.append((np.multiply, (x, ones), x))            # G's backward
    for width in d_hidden:
        for rows in (2 * m, m):     # D's update, then the G update's pass through D
            x, _, ones, bias, _ = arrays(rows, width)
            passes += [(np.add, (x, bias), x), (np.multiply, (x, ones), x),
                       (np.multiply, (x, ones), x)]
    for layer_sizes in ([1, *g_hidden, 1], [1, *d_hidden, 1]):
        count = sum(a * b + b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
        buffer = rng.standard_normal(members * count).astype(dtype)
        passes += [(np.multiply, (buffer, buffer.dtype.type(1)), buffer)] * 12

    def step(number):
        products(number)
        for function, inputs, out in passes:
            function(*inputs, out=out)

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=20, help="steps per contender per round")
    parser.add_argument("--members", default="1,8,64", help="ensemble sizes E, comma-separated")
    parser.add_argument("--dtype", default="float64,float32",
                        help="float64, float32 or both (comma-separated); all take turns")
    parser.add_argument("--g-activation", default="leaky_relu", help="G's hidden activation")
    args = parser.parse_args()
    sizes = [int(size) for size in args.members.split(",")]
    dtypes = args.dtype.split(",")
    contenders = {}
    for dtype in dtypes:
        base = GANConfig(**SMALL, g_activation=args.g_activation, dtype=dtype, steps=10**6)
        contenders[(dtype, "single runs")] = (1, make_single_step(base))
        for size in sizes:
            configs = [base.replace(seed=seed) for seed in range(size)]
            contenders[(dtype, f"ensemble E = {size}")] = (size, make_ensemble_step(configs))
        contenders[(dtype, f"products, E = {max(sizes)}")] = (
            max(sizes), make_products_step(max(sizes), dtype))
        contenders[(dtype, f"floor, E = {max(sizes)}")] = (
            max(sizes), make_floor_step(max(sizes), dtype, args.g_activation))

    rates = {key: [] for key in contenders}
    number = 0
    with blas_threads(1):
        for _, step in contenders.values():   # warm up: caches, buffers, BLAS
            for _ in range(3):
                step(1)
        keys, order = list(contenders), random.Random(0)
        for _ in range(args.rounds):
            order.shuffle(keys)          # none always follows the same neighbour
            for key in keys:
                members, step = contenders[key]
                started = time.perf_counter()
                for _ in range(args.steps):
                    number += 1
                    step(number)
                rates[key].append(members * args.steps / (time.perf_counter() - started))

    print(f"G 1-16-16-1 ({args.g_activation}), D 1-32-32-1 (leaky_relu), m = 64, k = 1, Adam; "
          f"medians of {args.rounds} rounds of {args.steps} steps")
    print(f"{'':<8} {'':<16} {'steps x members / s':>20} {'ms per step':>12} "
          f"{'vs single runs':>15}")
    for dtype in dtypes:
        single = statistics.median(rates[(dtype, "single runs")])
        for (key_dtype, name), (members, _) in contenders.items():
            if key_dtype == dtype:
                rate = statistics.median(rates[(dtype, name)])
                print(f"{dtype:<8} {name:<16} {rate:>20,.0f} {1e3 * members / rate:>12.3f} "
                      f"{rate / single:>14.1f}x")
    print(f"'products': the {len(ensemble_products())} matrix products a member makes in a step, "
          f"one stacked np.matmul each (one BLAS call per member inside), alone: no sampling, "
          f"activations or optimiser. The most an ensemble that equals its single runs bitwise "
          f"could gain. 'floor': the products plus the fewest elementwise passes of a step, one "
          f"NumPy call each (make_floor_step): the most a NumPy ensemble could gain.")


if __name__ == "__main__":
    main()
