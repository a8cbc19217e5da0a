"""Time one step of Algorithm 1 on the standard step's 1D GAN, ours beside PyTorch and JAX.

    python -m benchmarks.bench_step [--rounds 150] [--block 20] [--rng-repeats 7]
                                    [--no-convergence]

The standard step (`standard_config`) is what `python -m gan train --g-hidden 32,32
--d-hidden 64,64 --g-activation leaky_relu --batch-size 256 --k 1 --lr-g 1e-3 --lr-d 1e-3
--g-loss non_saturating --snapshot-every 0` runs: G 1-32-32-1 and D 1-64-64-1 with
LeakyReLU(0.2), m = 256, k = 1, Adam(1e-3, betas (0.5, 0.999)), the non-saturating generator
loss; one D update on m real + m fake samples, then one G update. Ours is
gan.train.algorithm1_step itself on the fast engine (sampling included, from rng.fast.Generator).
PyTorch eager (if importable) runs the same step (`benchmarks.torch_step.TorchGAN`), sampling
with torch.randn; JAX (if importable) runs the whole step under jax.jit. Every contender runs on
one thread (our BLAS through nn.threads.blas_threads, torch.set_num_threads(1)); the contenders
take turns, a block of consecutive steps each (as training runs them), round after round in a
shuffled order, so a change in the machine's load hits all alike (`time_alternating`).
Reported: medians of all steps (steady training) and of each turn's first step (cold caches,
after another contender).

Also timed in the same rounds: the BLAS floor, the step's matrix products alone (`step_products`),
each a single BLAS call on arrays made in advance -- no sampling, activations, losses, optimiser
or Python -- the least any implementation calling BLAS per product could take.

Then: NumPy calls per step (see `count_numpy_calls` for the method), the RNG throughput table of
benchmarks.bench_rng, and the wall time of the default `train(GANConfig(seed=0))` to convergence
(judged by `gan.lab.success.DefaultRun`, the criteria of experiments.convergence_table).
"""

import argparse
import dis
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

import rng as project_rng
from benchmarks import bench_rng
from benchmarks.torch_step import SLOPE, TorchGAN
from gan.config import GANConfig
from gan.game import build_players, make_optimizer
from gan.lab.success import DefaultRun, succeeded
from gan.train import algorithm1_step, train
from nn.threads import blas_threads

PROJECT_FOLDERS = tuple(str(Path(module.__file__).resolve().parent) + os.sep
                        for module in (__import__("nn"), __import__("gan"), project_rng))

G_HIDDEN, D_HIDDEN, M, LR, BETAS = (32, 32), (64, 64), 256, 1e-3, (0.5, 0.999)


def standard_config(dtype):
    """GANConfig of the standard step (see the module notes; the project's default G activation
    is softplus, not LeakyReLU as here). The fast engine: speed is what is measured."""
    return GANConfig(g_hidden=G_HIDDEN, d_hidden=D_HIDDEN, g_activation="leaky_relu",
                     d_activation="leaky_relu", batch_size=M, k=1, lr_g=LR, lr_d=LR, betas=BETAS,
                     g_loss="non_saturating", snapshot_every=0, dtype=dtype, seed=0,
                     engine="fast")


def make_our_step(dtype):
    """One call, one standard step of ours (fast engine), from seed 0."""
    config = standard_config(dtype)
    train_rng = project_rng.fast.Generator(config.seed)   # the fast stream: speed is timed
    G, D = build_players(config, train_rng)
    opt_d = make_optimizer("adam", D, LR, BETAS)
    opt_g = make_optimizer("adam", G, LR, BETAS)

    def step():
        return algorithm1_step(G, D, opt_d, opt_g, config, train_rng)

    return step


def make_torch_step(torch, dtype):
    """One call, one standard step in PyTorch eager (`benchmarks.torch_step`), from seed 0."""
    return TorchGAN(torch, standard_config(dtype)).step


def make_jax_step(jax, dtype):
    """The same step as one jax.jit-compiled function of (parameters, Adam state, key)."""
    import jax.numpy as jnp

    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    jnp_dtype = jnp.dtype(dtype)

    def init(key, sizes):
        parameters = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            key, subkey = jax.random.split(key)
            std = np.sqrt(2 / ((1 + SLOPE**2) * fan_in))
            parameters.append((std * jax.random.normal(subkey, (fan_in, fan_out), jnp_dtype),
                               jnp.zeros(fan_out, jnp_dtype)))
        return parameters

    def mlp(parameters, x):
        for W, b in parameters[:-1]:
            x = jax.nn.leaky_relu(x @ W + b, SLOPE)
        W, b = parameters[-1]
        return x @ W + b

    def adam(parameters, gradients, state, t):
        m, v = state
        m = jax.tree_util.tree_map(lambda m, g: BETAS[0] * m + (1 - BETAS[0]) * g, m, gradients)
        v = jax.tree_util.tree_map(lambda v, g: BETAS[1] * v + (1 - BETAS[1]) * g * g, v, gradients)
        scale = LR * jnp.sqrt(1 - BETAS[1]**t) / (1 - BETAS[0]**t)
        parameters = jax.tree_util.tree_map(
            lambda p, m, v: p - scale * m / (jnp.sqrt(v) + 1e-8 * jnp.sqrt(1 - BETAS[1]**t)),
            parameters, m, v)
        return parameters, (m, v)

    def d_loss(d_parameters, x_real, x_fake):
        return (jax.nn.softplus(-mlp(d_parameters, x_real)).mean()
                + jax.nn.softplus(mlp(d_parameters, x_fake)).mean())

    def g_loss(g_parameters, d_parameters, z):
        return jax.nn.softplus(-mlp(d_parameters, mlp(g_parameters, z))).mean()

    @jax.jit
    def step(state, key, t):
        g_parameters, d_parameters, g_adam, d_adam = state
        key_real, key_fake, key_g = jax.random.split(key, 3)
        x_real = jax.random.normal(key_real, (M, 1), jnp_dtype) - 1.0
        x_fake = mlp(g_parameters, jax.random.normal(key_fake, (M, 1), jnp_dtype))
        loss_d, gradients = jax.value_and_grad(d_loss)(d_parameters, x_real, x_fake)
        d_parameters, d_adam = adam(d_parameters, gradients, d_adam, t)
        z = jax.random.normal(key_g, (M, 1), jnp_dtype)
        loss_g, gradients = jax.value_and_grad(g_loss)(g_parameters, d_parameters, z)
        g_parameters, g_adam = adam(g_parameters, gradients, g_adam, t)
        return (g_parameters, d_parameters, g_adam, d_adam), loss_d, loss_g

    key = jax.random.PRNGKey(0)
    g_parameters, d_parameters = init(key, [1, *G_HIDDEN, 1]), init(key, [1, *D_HIDDEN, 1])
    zeros = lambda tree: jax.tree_util.tree_map(jnp.zeros_like, tree)  # noqa: E731
    carry = {"state": (g_parameters, d_parameters, (zeros(g_parameters), zeros(g_parameters)),
                       (zeros(d_parameters), zeros(d_parameters))), "key": key, "t": 0}

    def run():
        carry["t"] += 1
        carry["key"], subkey = jax.random.split(carry["key"])
        carry["state"], loss_d, loss_g = step(carry["state"], subkey, carry["t"])
        jax.block_until_ready(loss_g)

    return run


def step_passes(m=M, g_hidden=G_HIDDEN, d_hidden=D_HIDDEN):
    """The step's passes through its Linear layers, in order, as (kind, n, fan_in, fan_out): kind
    "forward" (y = x W on n rows), "dW" (dL/dW = x^T dL/dy) or "dX" (dL/dx = dL/dy W^T). No
    network's first layer makes a dX, except D's in the G update, where dL/dx at x = G(z) is what
    G learns from; nothing needs dL/dz of the noise or dL/dx of the data."""
    g_sizes, d_sizes = [1, *g_hidden, 1], [1, *d_hidden, 1]

    def forward(sizes, n):
        return [("forward", n, fan_in, fan_out) for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]

    def backward(sizes, n, parameters=True, input_grad=False):
        passes = []
        for index, (fan_in, fan_out) in reversed(list(enumerate(zip(sizes[:-1], sizes[1:])))):
            if parameters:
                passes.append(("dW", n, fan_in, fan_out))
            if index > 0 or input_grad:
                passes.append(("dX", n, fan_in, fan_out))
        return passes

    d_update = forward(g_sizes, m) + forward(d_sizes, 2 * m) + backward(d_sizes, 2 * m)
    g_update = (forward(g_sizes, m) + forward(d_sizes, m)
                + backward(d_sizes, m, parameters=False, input_grad=True) + backward(g_sizes, m))
    return d_update + g_update


def step_products(m=M, g_hidden=G_HIDDEN, d_hidden=D_HIDDEN):
    """The matrix products one step cannot avoid (`step_passes`), as (rows, inner, columns) of
    A (rows x inner) times B (inner x columns): forward x W is (n, in, out), dL/dW = x^T dL/dy is
    (in, n, out) and dL/dx = dL/dy W^T is (n, out, in)."""
    shapes = {"forward": lambda n, i, o: (n, i, o), "dW": lambda n, i, o: (i, n, o),
              "dX": lambda n, i, o: (n, o, i)}
    return [shapes[kind](n, fan_in, fan_out) for kind, n, fan_in, fan_out in
            step_passes(m, g_hidden, d_hidden)]


def make_blas_floor(dtype):
    """The step's matrix products alone (`step_products`), each one BLAS call on arrays made in
    advance: what a step would cost if nothing but the matrix arithmetic took time."""
    rng = np.random.default_rng(0)
    calls = []
    for rows, inner, columns in step_products():
        a = rng.standard_normal((rows, inner)).astype(dtype)
        b = rng.standard_normal((inner, columns)).astype(dtype)
        calls.append((a, b, np.empty((rows, columns), dtype)))

    def step():
        for a, b, out in calls:
            np.dot(a, b, out=out)      # np.dot: BLAS also for an inner dimension of 1

    return step


def step_flops():
    """Floating-point operations of the step's matrix products: 2 rows inner columns each."""
    return sum(2 * rows * inner * columns for rows, inner, columns in step_products())


def contenders():
    """{name: zero-argument step} for ours, the BLAS floor, and whichever of torch and jax are
    importable."""
    steps = {f"ours {dtype}": make_our_step(dtype) for dtype in ("float64", "float32")}
    for dtype in ("float64", "float32"):
        steps[f"BLAS floor {dtype}"] = make_blas_floor(dtype)
    skipped = []
    try:
        import torch
    except ImportError:
        skipped.append("torch (not importable)")
    else:
        torch.set_num_threads(1)
        for dtype in ("float64", "float32"):
            steps[f"torch {dtype}"] = make_torch_step(torch, dtype)
    # XLA's CPU backend runs an Eigen thread pool over all cores unless told otherwise; one thread,
    # like the others (the flags must be set before jax is imported).
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                       "intra_op_parallelism_threads=1")
    try:
        import jax
    except ImportError:
        skipped.append("jax (not importable)")
    else:
        for dtype in ("float64", "float32"):    # float64 first: it switches on jax_enable_x64
            steps[f"jax.jit {dtype}"] = make_jax_step(jax, dtype)
    return steps, skipped


def time_alternating(steps, rounds, block=20, warmup=200, seed=0):
    """Per contender, (median seconds per step in steady training, median of the first step of a
    block): round after round, each contender runs `block` consecutive steps, the contenders in an
    order shuffled anew each round (seeded), so that a change in the machine's load hits all alike
    and none always follows the same neighbour.

    Training runs its steps back to back, so the steady median (over all timed steps) is the speed
    of training. The first step of a block runs just after another contender has filled the caches
    with its own code and data; its median shows what a cold start costs each contender.
    """
    for step in steps.values():
        for _ in range(warmup):
            step()
    times = {name: [] for name in steps}
    firsts = {name: [] for name in steps}
    names, order = list(steps), random.Random(seed)
    clock = time.perf_counter
    for _ in range(rounds):
        order.shuffle(names)
        for name in names:
            step, samples = steps[name], times[name]
            for index in range(block):
                start = clock()
                step()
                samples.append(clock() - start)
            firsts[name].append(samples[-block])
    return {name: (statistics.median(times[name]), statistics.median(firsts[name]))
            for name in steps}


def count_numpy_calls(step):
    """How many times one step enters NumPy (or SciPy's ufuncs) from the project's own code.

    Method: during one step, (a) every callable of the numpy namespace and every ufunc bound as a
    global of an nn/gan/rng module (e.g. scipy's expit) is replaced by a counting wrapper;
    (b) a profile hook counts C method calls on arrays and ufuncs (x.sum(), x.reshape(), ...);
    (c) a trace hook counts executed arithmetic operators (BINARY_OP, UNARY_NEGATIVE bytecodes).
    Only calls made from a file of nn/, gan/ or rng/ count, so NumPy's internal calls are not
    counted twice. (c) cannot see its operands' types: it also counts scalar arithmetic such as
    `1 - beta1`, so it is an upper bound on the operators that reached NumPy.
    """
    counts = Counter()

    def from_project(frame):
        return frame.f_code.co_filename.startswith(PROJECT_FOLDERS)

    def counting(function):
        def counted(*arguments, **keywords):
            if from_project(sys._getframe(1)):
                counts["numpy/scipy functions and ufuncs"] += 1
            return function(*arguments, **keywords)
        return counted

    patched = [(np, name, value) for name, value in vars(np).items()
               if callable(value) and not isinstance(value, type)]
    patched += [(module, name, value) for module in list(sys.modules.values())
                if getattr(module, "__file__", None) and module.__file__.startswith(PROJECT_FOLDERS)
                for name, value in vars(module).items() if isinstance(value, np.ufunc)]
    operator_codes = {dis.opmap[name] for name in ("BINARY_OP", "UNARY_NEGATIVE")}

    def profile(frame, event, argument):
        if event == "c_call" and isinstance(getattr(argument, "__self__", None),
                                            (np.ndarray, np.ufunc)) \
                and from_project(frame):
            counts["array and ufunc methods"] += 1

    def trace(frame, event, argument):
        if not from_project(frame):
            return None
        frame.f_trace_opcodes = True
        if event == "opcode" and frame.f_code.co_code[frame.f_lasti] in operator_codes:
            counts["operators (upper bound)"] += 1
        return trace

    for owner, name, value in patched:
        setattr(owner, name, counting(value))
    sys.setprofile(profile)
    sys.settrace(trace)
    try:
        step()
    finally:
        sys.settrace(None)
        sys.setprofile(None)
        for owner, name, value in patched:
            setattr(owner, name, value)
    return counts


def print_rng_table(repeats):
    """bench_rng's table: ours against numpy.random, ns per number (its own `measure`)."""
    print(f"\nRNG throughput (benchmarks.bench_rng), medians of {repeats} alternating repeats")
    print(f"{'method':<16}{'size':>9}{'ours ns/num':>13}{'numpy ns/num':>14}{'ours/numpy':>12}")
    for method in bench_rng.TARGETS:
        for size in bench_rng.SIZES:
            ours, theirs = bench_rng.measure(method, size, repeats)
            print(f"{method:<16}{size:>9}{ours * 1e9:>13.2f}{theirs * 1e9:>14.2f}"
                  f"{theirs / ours:>11.2f}x")


def time_default_training():
    """Wall time of the default `train(GANConfig(seed=0))` (`python -m gan train`, on its
    default engine) and its verdict."""
    config = GANConfig(seed=0)
    started = time.perf_counter()
    result = train(config)
    seconds = time.perf_counter() - started
    metrics = result.metrics
    passed = succeeded(metrics, DefaultRun.of(config.target))
    verdict = "converged" if passed else "did NOT converge"
    print(f"\nDefault train(GANConfig(seed=0)), {config.engine} engine: {seconds:.1f} s wall "
          f"({metrics['seconds']:.1f} s in the "
          f"{metrics['steps']} steps), JSD {metrics['jsd']:.1e} nats, {verdict} "
          f"(experiments.convergence_table's criteria)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--block", type=int, default=20, help="consecutive steps per turn")
    parser.add_argument("--rng-repeats", type=int, default=7)
    parser.add_argument("--no-convergence", action="store_true")
    arguments = parser.parse_args()
    print(f"numpy {np.__version__}, {os.cpu_count()} cores, load average before: "
          f"{' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    with blas_threads(1):
        steps, skipped = contenders()
        medians = time_alternating(steps, arguments.rounds, arguments.block)
    print(f"\nOne step of Algorithm 1 (one thread): {arguments.rounds} rounds, each contender "
          f"{arguments.block} consecutive steps a turn, in a shuffled order")
    print(f"{'':<20}{'steady: median of all steps':>29}{'cold: first step of a turn':>29}")
    print(f"{'contender':<20}{'us/step':>15}{'ours/this':>14}{'us/step':>15}{'ours/this':>14}")
    for name, (steady, cold) in medians.items():
        dtype = name.split()[-1]
        ours_steady, ours_cold = medians[f"ours {dtype}"]
        print(f"{name:<20}{steady * 1e6:>15.1f}{ours_steady / steady:>13.2f}x"
              f"{cold * 1e6:>15.1f}{ours_cold / cold:>13.2f}x")
    flops = step_flops()
    print(f"BLAS floor: the step's {len(step_products())} matrix products alone "
          f"({flops / 1e6:.1f} MFLOP; "
          + ", ".join(f"{flops / medians[f'BLAS floor {dtype}'][0] / 1e9:.1f} GFLOP/s in {dtype}"
                      for dtype in ("float64", "float32")) + ", steady)")
    for name in skipped:
        print(f"{'skipped: ' + name}")
    print(f"load average after: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")

    with blas_threads(1):
        counts = count_numpy_calls(steps["ours float64"])
    print(f"\nNumPy calls in one step of ours (see count_numpy_calls): {sum(counts.values())}")
    for kind, count in sorted(counts.items()):
        print(f"  {kind:<36}{count:>5}")
    print_rng_table(arguments.rng_repeats)
    if not arguments.no_convergence:
        time_default_training()


if __name__ == "__main__":
    main()
