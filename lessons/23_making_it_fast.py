"""Lesson 23: making it fast, one optimisation at a time.

Course section (by the course's Chinese terms): 反向传播 (backpropagation) and 优化器 (the
optimiser), the textbook engine made fast; beyond the course.

The textbook engine (nn/) is what lessons 03-22 explain; the fast engine (nn/fast/) computes the
same numbers with fewer, larger NumPy calls. Like llm.c's numbered kernels, we go from one to the
other in steps, on the benchmark's reference step (benchmarks/bench_step.py: one iteration of
Algorithm 1, G 1-32-32-1, D 1-64-64-1, LeakyReLU(0.2), m = 256, Adam(1e-3, (0.5, 0.999))):

    v1  the textbook engine: per-parameter arrays, a fresh array for every result
    v2  nn.fast with only its flat buffer: every parameter in one vector, one Adam for all
    v3  + the joined bias: with one input feature, y = [x 1][W; b] is one matrix product
    v4  + reused outputs: each layer writes into arrays it owns instead of allocating
    v5  + in-place activations: LeakyReLU writes y over x and dL/dx over dL/dy (nn.fast as is)

Each version is measured (the median microseconds per step over interleaved rounds, speed-up over
v1, the gain of its own step with the noise of the rounds beside it, C-function calls of a
steady step as sys.setprofile sees them -- np.dot, reductions, concatenations; ufunc calls are
not counted; the first step also makes the arrays later steps reuse) and checked equal to v1
after training from one seed. A step is called a gain only when it is beyond the run's noise.
The lesson ends at a recorded run's figures for the final engine (v1 and v5 in float64 and
float32, against one run of `python -m benchmarks.bench_engines`). Versions v2-v4 are nn.fast with optimisations
switched off by patching, so that each switch shows its own share.
Run: python lessons/23_making_it_fast.py   (--fast: few steps, as the tests run it)
"""

import contextlib
import sys
import time
import unicodedata

import matplotlib.pyplot as plt
import numpy as np

import nn.fast.layers
import nn.fast.network
import rng as project_rng
from _lesson import N_, _, _fig, check, compare, say, show, start
from gan.config import GANConfig
from gan.game import build_players, make_optimizer
from gan.train import algorithm1_step
from nn.threads import blas_threads

FIGURES = ("speed.png",)
lesson = start(__file__, __doc__)
STEPS, ROUNDS, CHECK_STEPS = lesson.pick((40, 15, 50), (5, 3, 5))


# %%
@contextlib.contextmanager
def switched_off(joined_bias=False, reused_outputs=False, in_place=False):
    """nn.fast with some optimisations switched off for the duration of the block."""
    Layer, Linear = nn.fast.layers.Layer, nn.fast.layers.Linear
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


VERSIONS = [                  # the names label the claims; `_(name)` is what a learner reads
    (N_("v1 textbook engine"), "textbook", {}),
    (N_("v2 flat buffer"), "fast", dict(joined_bias=True, reused_outputs=True, in_place=True)),
    (N_("v3 + joined bias"), "fast", dict(reused_outputs=True, in_place=True)),
    (N_("v4 + reused outputs"), "fast", dict(in_place=True)),
    (N_("v5 + in place (nn.fast)"), "fast", {}),
]


def make_step(engine, dtype="float64"):
    config = GANConfig(g_hidden=(32, 32), d_hidden=(64, 64), g_activation="leaky_relu",
                       d_activation="leaky_relu", batch_size=256, k=1, lr_g=1e-3, lr_d=1e-3,
                       betas=(0.5, 0.999), snapshot_every=0, seed=0, engine=engine, dtype=dtype)
    # Each engine with its stream (bitwise the same numbers): the fast engine draws from the fast.
    stream = (project_rng.fast if engine == "fast" else project_rng).Generator(config.seed)
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


# %% [markdown]
# ## Timing honestly on a shared machine
# Every version runs in every round, ROUNDS rounds of STEPS steps, the order rotated each round so
# that no version always runs first (after another filled the caches). A version's time is the
# median over rounds; a step's gain is the median over rounds of the paired ratio
# t(v_i-1) / t(v_i) from the same round (above 1: faster), and the noise is half the
# interquartile range of those ratios (at least NOISE_FLOOR). A step is called faster or slower
# only when its gain is further from 1 than that noise.

# %%
NOISE_FLOOR = 0.02        # 2 %: blocks of the same code drift by that much between rounds here
FLOAT32 = [(N_("v1 textbook, float32"), "textbook", {}, "float32"),
           (N_("v5 nn.fast, float32"), "fast", {}, "float32")]
TIMED = [(name, engine, off, "float64") for name, engine, off in VERSIONS] + FLOAT32

with blas_threads(1):
    steps, times = {}, {name: [] for name, *_rest in TIMED}
    for name, engine, off, dtype in TIMED:
        with switched_off(**off):
            steps[name] = make_step(engine, dtype)[0]
    for round_index in range(ROUNDS):
        shift = round_index % len(TIMED)
        for name, engine, off, dtype in TIMED[shift:] + TIMED[:shift]:
            with switched_off(**off):
                steps[name]()                                # warm: shapes, caches
                begin = time.perf_counter()
                for unused in range(STEPS):
                    steps[name]()
                times[name].append((time.perf_counter() - begin) / STEPS)
    calls, final = {}, {}
    for name, engine, off, dtype in TIMED:
        with switched_off(**off):
            step, G, D = make_step(engine, dtype)
            step()                                 # the first step also makes kept arrays
            calls[name] = c_calls(step)            # a steady step's calls
            for unused in range(CHECK_STEPS - 2):
                step()
        final[name] = np.concatenate([G.flat_params, D.flat_params])

times = {name: np.array(values) for name, values in times.items()}
median = {name: float(np.median(values)) for name, values in times.items()}
names = [name for name, *_rest in VERSIONS]
reference = final[names[0]]
TOLERANCE = 1e-9     # as tests/test_gan_engine.py: a few roundings per step, amplified by training
differences = {name: np.abs(final[name] - reference).max() / np.abs(reference).max()
               for name in names}



def padded(text, width):
    """``text`` followed by spaces to ``width`` columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
    return text + " " * max(width - columns, 0)


show("{rounds} rounds of {steps} steps, one BLAS thread, the machine shared (timings noisy)",
     rounds=ROUNDS, steps=STEPS)
show("version                     us/step   vs v1  this step  noise  C calls  max rel. diff")
verdicts = {}            # name: (the word for its step, the version it is measured against)
for index, (name, *_rest) in enumerate(TIMED):
    speedup = median[names[0] if "float64" in _rest else FLOAT32[0][0]] / median[name]
    gain = noise = ""
    if 0 < index < len(names) or name == FLOAT32[1][0]:
        previous = names[index - 1] if index < len(names) else FLOAT32[0][0]
        ratios = times[previous] / times[name]                 # > 1: this step is faster
        quartiles = np.quantile(ratios, [0.25, 0.75])
        spread = max(NOISE_FLOOR, float(quartiles[1] - quartiles[0]) / 2)
        gain, noise = f"{np.median(ratios):.2f}x", f"{spread:.0%}"
        # compare's tolerance is relative to the larger number; the noise is in ratio units,
        # so |gain - 1| <= spread is a relative tolerance of spread / max(gain, 1)
        gain_value = float(np.median(ratios))
        word = compare(f"23 {name} against {previous}", gain_value, 1.0,
                       words=("slower than", "within noise of", "faster than"),
                       tolerance=spread / max(gain_value, 1.0))
        verdicts[name] = (word, previous)
    difference = f"{differences[name]:.2e}" if name in differences else "-"
    print(f"{padded(_(name), 26)} {median[name] * 1e6:>8.1f} {speedup:>6.2f}x {gain:>10} "
          f"{noise:>6} {calls[name]:>8} {difference:>14}")
print()
v1, v2, v3, v4, v5 = names
f1, f5 = (name for name, *_rest in FLOAT32)
say("""{v2} is {word2} {v1}. {v3} is {word3} {v2}. {v4} is {word4} {v3}. {v5} is {word5} {v4}.
{f5} is {word_f} {f1}.""",
    v1=_(v1), v2=_(v2), v3=_(v3), v4=_(v4), v5=_(v5), f1=_(f1), f5=_(f5),
    word2=verdicts[v2][0], word3=verdicts[v3][0], word4=verdicts[v4][0], word5=verdicts[v5][0],
    word_f=verdicts[f5][0])
more = compare("23 C calls of v4 against v3", calls[v4], calls[v3],
               words=("fewer than", "as many as", "more than"))
if more.english == "more than":
    say("""{v4} makes {calls_v4} C calls a step, {more} {v3}'s {calls_v3}: keeping its own
output arrays means looking them up and writing into them, Python-level work the allocations it
saves must pay for. Those kept arrays are what v5 then writes over in place, so v4 is the step
on the way to it.""", v4=_(v4), v3=_(v3), calls_v4=calls[v4], calls_v3=calls[v3], more=more)
else:
    say("""{v4} makes {calls_v4} C calls a step, {more} {v3}'s {calls_v3}.""",
        v4=_(v4), v3=_(v3), calls_v4=calls[v4], calls_v3=calls[v3], more=more)

# %% [markdown]
# ## Why reusing outputs can cost time: memory, not work
# Where v4 comes out slower than v3 (it did on the project's 2-core machine: 0.81-0.82x at
# m = 256 and m = 64, about equal at m = 1024 and 4096), it is not doing more work. Counted by
# valgrind's cachegrind, which simulates the caches instruction by instruction and so is immune
# to the machine's load, 50 steady steps of each (m = 256, float64; 2026-12-02) gave per step:
#
# | per step                                 | v3         | v4         | v4 / v3 |
# |------------------------------------------|-----------:|-----------:|--------:|
# | instructions                             | 13,148,621 | 13,279,771 | 1.01    |
# | data reads / writes missing a 32 KB L1   | 370,276 / 163,686 | 370,938 / 163,732 | 1.00 |
# | data reads missing a 2 MB cache (the L2) | 8,347      | 15,090     | 1.81    |
# | data writes missing a 2 MB cache         | 50,793     | 86,491     | 1.70    |
#
# The same instructions, the same L1 traffic, but 1.7-1.8x the misses in the 2 MB cache: about
# 42,000 more cache lines a step fetched from further away, which at tens of nanoseconds each is
# the millisecond v4 loses. The reason is where results are written. Without reuse, NumPy asks
# the allocator for each result, and the allocator hands back the block just freed by the last
# temporary, still in cache. With reuse, every layer writes into arrays of its own, kept from the
# previous step: G's and D's many kept arrays add up to more than the cache holds, so each write
# goes to a line evicted since the last step. v5 then writes activations over their inputs, which
# removes most of those arrays altogether, and wins it back. An optimisation's gain depends on
# memory as much as on arithmetic, and the order of the steps matters (exercise 1).

# %%
largest = max(differences.values())
verdict = check("23 every float64 version's G and D against the textbook engine's", largest,
                "<=", TOLERANCE, ("agree", "do NOT agree"))
say("""After {steps} iterations every float64 version's G and D {verdict} with the textbook
engine's to a relative {tolerance:g} (the largest difference {largest:.1e}).""",
    steps=CHECK_STEPS, verdict=verdict, tolerance=TOLERANCE, largest=largest)

# %% [markdown]
# ## A recorded run's numbers
# One run of `python -m benchmarks.bench_engines` (the same step, textbook against nn.fast, on a
# loaded two-core machine) measured float64 1472 against 786 us, float32 882 against 465 us. Absolute times drift
# by tens of percent between runs on a shared machine; the ratio is what carries over.

# %%
RECORDED = {"float64": (1472.0, 786.0), "float32": (882.0, 465.0)}
RATIO_DRIFT = 0.2         # ratios of one loaded run against another's: within 20 % here
for dtype, (textbook, fast) in RECORDED.items():
    slow_name, fast_name = ((names[0], names[-1]) if dtype == "float64"
                            else (FLOAT32[0][0], FLOAT32[1][0]))
    ratio = median[slow_name] / median[fast_name]
    word = compare(f"23 {dtype} textbook / fast against the recorded run's", ratio, textbook / fast,
                   words=("below", "about the same as", "above"), tolerance=RATIO_DRIFT)
    say("""{dtype}: textbook / fast = {ratio:.2f} in this run ({slow:.0f} against {fast:.0f} us),
{word} the recorded run's {recorded:.2f} ({recorded_slow:.0f} against {recorded_fast:.0f} us).""",
        dtype=dtype, ratio=ratio, slow=median[slow_name] * 1e6, fast=median[fast_name] * 1e6,
        word=word, recorded=textbook / fast, recorded_slow=textbook, recorded_fast=fast)
say("""Reproduce the tables of benchmarks/README.md: python -m benchmarks.bench_engines (this
comparison, both dtypes), python -m benchmarks.bench_step (the fast engine against PyTorch eager
and the BLAS floor) and python -m benchmarks.bench_all (every speed figure, as ratios).""")
if lesson.fast:
    say("""(--fast: {steps} steps per round, {rounds} rounds: too few for the timings to be
trusted; run without --fast.)""", steps=STEPS, rounds=ROUNDS)

figure, axes = plt.subplots(figsize=(7, 3.8))
labels = [name for name, *_rest in TIMED][::-1]
low = [np.quantile(times[name], 0.25) * 1e6 for name in labels]
high = [np.quantile(times[name], 0.75) * 1e6 for name in labels]
middle = [median[name] * 1e6 for name in labels]
axes.barh([_fig(name) for name in labels], middle, color="tab:blue",
          xerr=[np.subtract(middle, low), np.subtract(high, middle)], capsize=3)
axes.set_xlabel(_fig("microseconds per reference step (median over rounds, bars: quartiles)"))
axes.set_title(_fig("From the textbook engine to the fast one: where the time goes"))
lesson.save(figure, FIGURES[0])

# %% [markdown]
# ## Exercises

# %%
show("Exercises")
say("""1. Switch off only the reused outputs (v5 with reused_outputs=True). Is the loss of speed
the same as between v3 and v4? Why might the order of the steps matter?""")
say("""2. Time v2-v4 in float32 too (add them to FLOAT32). Which step gains most, and why would
memory traffic rather than arithmetic explain it?""")
say("""3. Count it yourself: write a script that builds make_step for v3 and for v4 (inside
switched_off) and runs N steps, then run it under cachegrind for N = 10 and N = 60 (the
difference of the two summaries is 50 steps), e.g.""")
print("    valgrind --tool=cachegrind --cache-sim=yes --LL=2097152,16,64 python steps.py v4 60\n")
say("""(valgrind must be given the Python binary itself, sys.executable, not a wrapper script such as
a pyenv shim.) Does the table above hold for your machine's cache sizes?""")
lesson.finish()
