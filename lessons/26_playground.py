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

from _lesson import say, start
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
say(f"""Before any update D is a random network: the mean |D - D*| over p_data and p_g is
{gap(first):.3f}. After {d_steps} D steps alone it is {gap(after_d['view']):.3f}; G's parameters are
{'bit for bit the same' if same_g else 'CHANGED (a bug)'} (fingerprint
{after_d['fingerprints']['G']}).""")
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
say(f"""After {iterations} iterations the exact JSD(p_data || p_g) went from {start_jsd:.4f} to
{jsd:.4f} nats (0 means p_g = p_data; log 2 = {math.log(2):.3f} disjoint supports); the last
minibatch V is {value:.3f} against -log 4 = {-math.log(4):.3f}, and the mean |D - D*| is
{gap(played['view']):.3f}.""")
if jsd < start_jsd / 10:
    say("p_g has moved onto p_data: the JSD fell more than tenfold.")
elif lesson.fast:
    say("--fast runs too few iterations to show p_g meeting p_data; run without --fast.")
else:
    say("The JSD did not fall tenfold in this run; look at the page's chart to see why.")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
for ax, (title, view) in zip(axes, [(f"after {d_steps} D steps", after_d["view"]),
                                    (f"after {iterations} more iterations", played["view"])]):
    x = view["x"]
    ax.plot(x, view["p_data"], "k:", label="$p_{data}$")
    ax.plot(x, view["p_g"], "g-", label="$p_g$ (exact)")
    ax.plot(x, view["D"], "b--", label="D(x)")
    ax.plot(x, np.array(view["D_star"], dtype=float), color="tab:orange", ls="-.",
            label="D*(x)")
    clipped = " (p_g clipped at 1.05)" if max(view["p_g"]) > 1.05 else ""
    ax.set(xlabel="x", ylabel="density; D", ylim=(0, 1.05),
           title=f"{title}: JSD {view['jsd']:.4f} nats{clipped}")
    ax.legend(fontsize=7)
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## Three things to try on the page (python -m gan play)
#
# 1. Press "D step" ten times, then "G step" once, and watch D(x) (blue) move toward D* (orange)
#    while p_g stays put, then p_g move where D is high. Look for: D* changes only when p_g does.
# 2. Set "G loss" to minimax and lr of D to 0.02, press "play": D wins quickly and the arrows of
#    -dl_G/dx on the fakes shrink (the saturating loss of lesson 07). Switch back to
#    non-saturating mid-run and watch the arrows come back.
# 3. Choose "ring of 8" and play: D's heat map, the warped noise grid and "modes covered".
#    Then set "instance noise sigma" to 0.3 (lesson 09) and compare how the heat map blurs.

# %%
say("""Exercises.
1. With seed 0, press "step" 20 times, note the JSD; reset with seed 0 and press "D step" 20
times then "G step" 20 times. Same number of updates: is the JSD the same? Why not?
2. On the page set k = 5. Does the V estimate sit nearer -log 4 than with k = 1 after the same
number of G steps? Check it with this script: Session(seed=0, k=5).""")
lesson.finish()
