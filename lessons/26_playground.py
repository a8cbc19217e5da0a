"""Lesson 26 -- the playground: play Algorithm 1 by hand with `python -m gan play`.

Course section (by the course's Chinese terms): 生成对抗网络的训练算法 (Algorithm 1), played by
hand.

Follows lessons 06 (Algorithm 1) and 13 (two dimensions). `python -m gan play` opens a page
that trains this project's own G and D one update at a time: "D step" runs one update of D
alone, "G step" one of G alone, "step" one iteration (k D steps, then one G step), "play"
iterations in a stream. The page draws p_data, the exact p_g, D(x) and D*(x), the noise line
z -> G(z), the gradient G receives on fake samples, the losses against -log 4 and the exact JSD.

This script drives the same `gan.play.session.Session` and `gan.play.view.state` the page's
server runs, so what it prints is what the page would show after the same clicks.

Run: python lessons/26_playground.py   (--fast: fewer steps, as the tests run it)
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

from _lesson import _fig, check, say, show, start
from gan.play.session import Session
from gan.play.view import state
from nn.threads import blas_threads

FIGURES = ("playground_state.png",)

lesson = start(__file__, __doc__)


def gap(view):
    """The mean of |D(x) - D*(x)| under the mixture (p_data + p_g) / 2, by the trapezoid rule:
    how far D is from Proposition 1's optimum where the samples it is trained on lie."""
    x, D, D_star = (np.array(view[name], dtype=float) for name in ("x", "D", "D_star"))
    weight = (np.array(view["p_data"]) + np.array(view["p_g"])) / 2
    # D* is not drawn (None) where both densities are below 1e-5 of their peak: no weight there
    f = np.where(np.isnan(D_star), 0.0, weight * np.abs(D - np.nan_to_num(D_star)))
    return float(np.sum((f[1:] + f[:-1]) / 2 * np.diff(x)) / np.sum(
        (weight[1:] + weight[:-1]) / 2 * np.diff(x)))


# %% [markdown]
# ## 1. D alone: press "D step" with G held fixed

# %%
d_steps = lesson.pick(300, 40)
session = Session(seed=0)
with blas_threads(1):
    initial = state(session)
    session.step("d", d_steps)
    after_d = state(session)
first = initial["view"]
same_g = initial["fingerprints"]["G"] == after_d["fingerprints"]["G"]
same_word = check("26 G's parameters unchanged by D steps alone", int(same_g), ">=", 1,
                  ("bit for bit the same", "CHANGED (a bug)"))
say("""Before any update D is a random network: the mean |D - D*| over p_data and p_g is
{before:.3f}. After {d_steps} D steps alone it is {after:.3f}; G's parameters are
{same_word} (fingerprint {fingerprint}).""",
    before=gap(first), d_steps=d_steps, after=gap(after_d["view"]), same_word=same_word,
    fingerprint=after_d["fingerprints"]["G"])
if gap(after_d["view"]) < gap(first):
    say("D moved toward D* = p_data / (p_data + p_g), as Proposition 1 says a trained D must.")
else:
    say("In this run D did not get closer to D*: too few steps to show Proposition 1.")

# %% [markdown]
# ## 2. The game: press "play"

# %%
iterations = lesson.pick(1500, 60)
with blas_threads(1):
    start_jsd = after_d["view"]["jsd"]
    session.step("iteration", iterations)
    played = state(session)
value = played["history"]["losses"]["value"][-1]
jsd = played["view"]["jsd"]
say("""After {iterations} iterations the exact JSD(p_data || p_g) went from {start_jsd:.4f} to
{jsd:.4f} nats (0 means p_g = p_data; log 2 = {log2:.3f} disjoint supports); the last
minibatch V is {value:.3f} against -log 4 = {minus_log4:.3f}, and the mean |D - D*| is
{gap:.3f}.""",
    iterations=iterations, start_jsd=start_jsd, jsd=jsd, log2=math.log(2), value=value,
    minus_log4=-math.log(4), gap=gap(played["view"]))
if jsd < start_jsd / 10:
    say("p_g has moved onto p_data: the JSD fell more than tenfold.")
elif lesson.fast:
    say("--fast runs too few iterations to show p_g meeting p_data; run without --fast.")
else:
    say("The JSD did not fall tenfold in this run; look at the page's chart to see why.")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
for ax, (title, view) in zip(axes, [
        (_fig("after {d_steps} D steps").format(d_steps=d_steps), after_d["view"]),
        (_fig("after {iterations} more iterations").format(iterations=iterations),
         played["view"])]):
    x = view["x"]
    ax.plot(x, view["p_data"], "k:", label="$p_{data}$")
    ax.plot(x, view["p_g"], "g-", label=_fig("$p_g$ (exact)"))
    ax.plot(x, view["D"], "b--", label="D(x)")
    ax.plot(x, np.array(view["D_star"], dtype=float), color="tab:orange", ls="-.",
            label="D*(x)")
    heading = _fig("{title}: JSD {jsd:.4f} nats").format(title=title, jsd=view["jsd"])
    if max(view["p_g"]) > 1.05:
        heading += " " + _fig("(p_g clipped at 1.05)")
    ax.set(xlabel="x", ylabel=_fig("density; D"), ylim=(0, 1.05), title=heading)
    ax.legend(fontsize=7)
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## Three things to try on the page (python -m gan play)
#
# Each starts from the page's "defaults" button (default settings, seed 0). The script follows
# each one with the same Session the page's server runs and prints what the page will show.

# %%
ARROW_PX = 40            # the page draws -dl_G/dx at 40 px per unit (the key under the z line)


def arrows_px(view):
    """The drawn lengths of the page's gradient arrows, before any clipping at the edge."""
    return ARROW_PX * np.abs(np.array(view["fake_grad"], dtype=float))


def mean_D_under_p_g(view):
    x, p_g, D = (np.array(view[name], dtype=float) for name in ("x", "p_g", "D"))
    f = p_g * D
    return float(np.sum((f[1:] + f[:-1]) / 2 * np.diff(x)) / np.sum(
        (p_g[1:] + p_g[:-1]) / 2 * np.diff(x)))


with blas_threads(1):
    s1 = Session(seed=0)
    v0 = state(s1)["view"]
    s1.step("d", 10)
    v1 = state(s1)["view"]
    s1.step("g", 1)
    v2 = state(s1)["view"]
still = v0["p_g"] == v1["p_g"] and v0["D_star"] == v1["D_star"]
moved = v1["p_g"] != v2["p_g"] and v1["D_star"] != v2["D_star"]
still_word = check("26 p_g and D* unchanged by D steps", int(still), ">=", 1,
                   ("exactly as they were", "NOT as they were (a bug)"))
moved_word = check("26 p_g and D* changed by a G step", int(moved), ">=", 1,
                   ("and with it D*", "(but D* did NOT change: a bug)"))
say("""1. Press "D step" 10 times, then "G step" once. The D steps move D (blue) toward D*
(orange): the mean |D - D*| goes from {gap_before:.3f} to {gap_after:.3f}, while p_g and D* stay
{still_word}. The G step moves p_g {moved_word}, toward where D is high: the mean of D under
p_g goes from {mean_before:.3f} to {mean_after:.3f} (D as it was before the G step).""",
    gap_before=gap(v0), gap_after=gap(v1), still_word=still_word, moved_word=moved_word,
    mean_before=mean_D_under_p_g(v1), mean_after=mean_D_under_p_g({**v2, "D": v1["D"]}))

with blas_threads(1):
    s2 = Session(seed=0, g_loss="minimax")
    s2.step("d", 50)
    minimax = state(s2)["view"]
    s2.update(g_loss="non_saturating")
    non_saturating = state(s2)["view"]
longest, shortest = arrows_px(minimax).max(), arrows_px(non_saturating).min()
say("""2. Set "G loss" to minimax, then press "D step" 50 times (or hold the d key until D steps
reads 50): D learns to reject G's samples and the gradient G receives vanishes (the saturating
loss of lesson 07). The arrows -dl_G/dx on the fakes shrink to at most {longest:.1f} px
(|dl_G/dx| <= {longest_slope:.3f}). Set "G loss" back to non-saturating: the same D, the
same fakes, and every arrow is at least {shortest:.0f} px long (|dl_G/dx| >=
{shortest_slope:.2f}).""",
    longest=longest, longest_slope=longest / ARROW_PX, shortest=shortest,
    shortest_slope=shortest / ARROW_PX)
if not (longest < 3 and shortest > 60):
    say("In this run the arrows did NOT behave as described (minimax < 3 px, non-saturating > "
        "60 px).")


def roughness(view):
    """The mean |difference| of D between neighbouring cells of the page's heat map."""
    heat = np.array(view["heat"], dtype=float).reshape(view["heat_side"], view["heat_side"])
    return float((np.abs(np.diff(heat, axis=0)).mean() + np.abs(np.diff(heat, axis=1)).mean()) / 2)


ring_iterations = lesson.pick(500, 100)
with blas_threads(1):
    rough, modes = {}, {}
    for sigma in (0.0, 0.3):
        s3 = Session(seed=0, target="ring", noise_sigma=sigma)
        s3.step("iteration", ring_iterations)
        ring_view = state(s3)["view"]
        rough[sigma], modes[sigma] = roughness(ring_view), ring_view["modes_covered"]
say("""3. Choose "ring of 8", set the speed to 50 it/frame, play and pause past iteration
{ring_iterations}: D's heat map (red "real", blue "fake"), the warped noise grid and "modes
covered" ({modes} of 8 at iteration {ring_iterations} in this script's run; lesson 13's
runs needed thousands of steps).
Then set "instance noise sigma" to 0.3 (lesson 09), press reset (seed 0, the ring and sigma kept)
and play to iteration {ring_iterations} again: the heat map blurs. Neighbouring cells of D's map
differ by {rough_plain:.4f} on average without noise and {rough_noisy:.4f} with it.""",
    ring_iterations=ring_iterations, modes=modes[0.0], rough_plain=rough[0.0],
    rough_noisy=rough[0.3])
if rough[0.3] >= rough[0.0]:
    say("In this run the noise did NOT smooth D's map.")

# %%
show("Exercises")
say("""1. With seed 0, press "step" 20 times, note the JSD; reset with seed 0 and press "D step" 20
times then "G step" 20 times. Same number of updates: is the JSD the same? Why not?""")
say("""2. On the page set k = 5. Does the V estimate sit nearer -log 4 than with k = 1 after the same
number of G steps? Check it with this script: Session(seed=0, k=5).""")
lesson.finish()
