"""Lesson 23: making it fast, one optimisation at a time.

The textbook engine (nn/) is what lessons 03-22 explain; the fast engine (nn/fast/) computes the
same numbers with fewer, larger NumPy calls. Like llm.c's numbered kernels, we go from one to the
other in steps, on the benchmark's reference step (benchmarks/bench_step.py: one iteration of
Algorithm 1, G 1-32-32-1, D 1-64-64-1, LeakyReLU(0.2), m = 256, Adam(1e-3, (0.5, 0.999))):

    v1  the textbook engine: per-parameter arrays, a fresh array for every result
    v2  nn.fast with only its flat buffer: every parameter in one vector, one Adam for all
    v3  + the joined bias: with one input feature, y = [x 1][W; b] is one matrix product
    v4  + reused outputs: each layer writes into arrays it owns instead of allocating
    v5  + in-place activations: LeakyReLU writes y over x and dL/dx over dL/dy (nn.fast as is)

Each version is measured (microseconds per step, speed-up over v1, C-function calls per step as
sys.setprofile sees them -- np.dot, reductions, concatenations; ufunc calls are not counted) and
checked equal to v1 after training from one seed. Versions v2-v4 are nn.fast with optimisations
switched off by patching, so that each switch shows its own share.
Run: python lessons/23_making_it_fast.py   (--fast: few steps, as the tests run it)
"""

import contextlib
import sys
import time

import matplotlib.pyplot as plt
import numpy as np

import nn.fast.layer
import nn.fast.layers
import nn.fast.network
import rng as project_rng
from _lesson import say, start
from gan.config import GANConfig
from gan.game import build_players, make_optimizer
from gan.train import algorithm1_step
from nn.threads import blas_threads

FIGURES = ("speed.png",)
lesson = start(__file__, __doc__)
STEPS, ROUNDS, CHECK_STEPS = lesson.pick((200, 5, 50), (10, 2, 5))


# %%
@contextlib.contextmanager
def switched_off(joined_bias=False, reused_outputs=False, in_place=False):
    """nn.fast with some optimisations switched off for the duration of the block."""
    Layer, Linear = nn.fast.layer.Layer, nn.fast.layers.Linear
    Sequential = nn.fast.network.Sequential
    saved = (Layer._in_place_output, Layer._in_place_grad, Linear._weights_with_bias,
             Sequential._reuse_outputs)
    if in_place:
        Layer._in_place_output = lambda self, x: self._elementwise_output("y", x)
        Layer._in_place_grad = lambda self, g, *o: self._elementwise_output("grad_x", g, *o)
    if joined_bias:
        Linear._weights_with_bias = lambda self, dtype, gradients=False: None
    if reused_outputs:
        Sequential._reuse_outputs = lambda self, reuse: None
    try:
        yield
    finally:
        (Layer._in_place_output, Layer._in_place_grad, Linear._weights_with_bias,
         Sequential._reuse_outputs) = saved


VERSIONS = [
    ("v1 textbook engine", "reference", {}),
    ("v2 flat buffer", "fast", dict(joined_bias=True, reused_outputs=True, in_place=True)),
    ("v3 + joined bias", "fast", dict(reused_outputs=True, in_place=True)),
    ("v4 + reused outputs", "fast", dict(in_place=True)),
    ("v5 + in place (nn.fast)", "fast", {}),
]


def make_step(engine):
    config = GANConfig(g_hidden=(32, 32), d_hidden=(64, 64), g_activation="leaky_relu",
                       d_activation="leaky_relu", batch_size=256, k=1, lr_g=1e-3, lr_d=1e-3,
                       betas=(0.5, 0.999), snapshot_every=0, seed=0, engine=engine)
    stream = project_rng.Generator(config.seed)
    G, D = build_players(config, stream)
    opt_d, opt_g = make_optimizer("adam", D, 1e-3), make_optimizer("adam", G, 1e-3)
    return (lambda: algorithm1_step(G, D, opt_d, opt_g, config, stream)), G, D


def c_calls(step):
    count = [0]

    def profile(frame, event, argument):
        if event == "c_call":
            count[0] += 1
    sys.setprofile(profile)
    try:
        step()
    finally:
        sys.setprofile(None)
    return count[0]


# %%
rows, final = [], {}
with blas_threads(1):
    steps = {}
    for name, engine, off in VERSIONS:
        with switched_off(**off):
            steps[name] = make_step(engine)[0]
    best = dict.fromkeys(steps, float("inf"))
    for _ in range(ROUNDS):                      # interleaved: the machine's noise hits all alike
        for name, engine, off in VERSIONS:
            with switched_off(**off):
                steps[name]()
                begin = time.perf_counter()
                for _ in range(STEPS):
                    steps[name]()
                best[name] = min(best[name], (time.perf_counter() - begin) / STEPS)
    for name, engine, off in VERSIONS:
        with switched_off(**off):
            step, G, D = make_step(engine)
            calls = c_calls(step)
            for _ in range(CHECK_STEPS - 1):
                step()
        final[name] = np.concatenate([G.flat_params, D.flat_params])
        rows.append((name, best[name] * 1e6, calls))

reference = final[VERSIONS[0][0]]
print(f"{'version':<26} {'us/step':>9} {'speed-up':>9} {'C calls':>8} {'max rel. diff':>14}")
for name, microseconds, calls in rows:
    difference = np.abs(final[name] - reference).max() / np.abs(reference).max()
    print(f"{name:<26} {microseconds:>9.1f} {rows[0][1] / microseconds:>8.2f}x {calls:>8} "
          f"{difference:>14.2e}")

# %%
TOLERANCE = 1e-9     # as tests/test_gan_engine.py: a few roundings per step, amplified by training
equal = all(np.abs(final[name] - reference).max() <= TOLERANCE * np.abs(reference).max()
            for name in final)
fastest = min(rows, key=lambda row: row[1])
verdict = "agree" if equal else "do NOT agree"
say(f"""After {CHECK_STEPS} iterations every version's G and D {verdict}
with the textbook engine's to a relative {TOLERANCE:g}. The fastest version in this run is
{fastest[0]!r}, {rows[0][1] / fastest[1]:.2f} times faster than v1.""")
if lesson.fast:
    say(f"(--fast: {STEPS} steps per round, {ROUNDS} rounds: too few for the timings to be "
        f"trusted; run without --fast.)")

figure, axes = plt.subplots(figsize=(7, 3.5))
axes.barh([row[0] for row in rows][::-1], [row[1] for row in rows][::-1], color="tab:blue")
axes.set_xlabel("microseconds per reference step (best round)")
axes.set_title("From the textbook engine to the fast one: where the time goes")
lesson.save(figure, FIGURES[0])

# %% [markdown]
# ## Exercises

# %%
say("Exercises")
say("""1. Switch off only the reused outputs (v5 with reused_outputs=True). Is the loss of speed
the same as between v3 and v4? Why might the order of the steps matter?""")
say("""2. Run the table in float32 (dtype="float32" in make_step). Which step gains most, and
why would memory traffic rather than arithmetic explain it?""")
lesson.finish()
