"""Lesson 09 -- instance noise: blur what D sees so that p_data and p_g overlap.

Follows Arjovsky & Bottou (2017, "Towards Principled Methods for Training GANs", Theorem 2.4 and
§3) and Sønderby et al. (2017, §3.1): when p_data and p_g have disjoint supports, a near-optimal
D is 0 or 1 on both, and the minimax generator's gradient, D(G(z)) times D's slope, vanishes.
Adding N(0, sigma^2) to every input of D -- real and fake, in both players' updates -- makes the
two blurred distributions overlap; sigma is annealed to 0, where the game is the paper's again.
Target: N(4, 0.05), far from where G starts (near 0). We first train D alone against the initial
G (Arjovsky & Bottou's premise: D close to optimal), then measure G's gradient and train.

Run: python lessons/09_instance_noise.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)

Course section (by the course's Chinese terms): 实例噪声 (instance noise):
支撑集不相交 (disjoint supports).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from _lesson import _, _fig, check, compare, say, start
from gan.config import GANConfig
from gan.distributions import Normal
from gan.divergence import TrainingDiverged
from gan.train import train
from gan.variants.instance_noise import InstanceNoiseGAN

FIGURES = ("gradient_norms.png",)

lesson = start(__file__, __doc__)
target = Normal(4.0, 0.05)
steps, warm_up = lesson.pick(600, 15), lesson.pick(300, 20)
seeds, sigmas = lesson.pick((0, 1, 2, 3), (0,)), (0.0, 1.0)
config = GANConfig(target=target, g_loss="minimax", batch_size=128, steps=steps, snapshot_every=0)
say("""Settings: the minimax G loss of Algorithm 1, Adam for both players, m = 128, {steps}
steps; before step 1, {warm_up} updates of D alone. Schedule: sigma_t = sigma (1 - t / T), T =
half the run, then 0. The noise has a random stream of its own, so sigma = 0 is the plain GAN
bit for bit: same weights, same minibatches (a test checks it).""", steps=steps, warm_up=warm_up)


def run(seed, sigma):
    """Norms ||dL_G/dtheta_g|| at every G update, and the final metrics (None if diverged)."""
    games = []

    def make(config, rng):
        game = InstanceNoiseGAN(config, rng, sigma=sigma)
        for step in range(warm_up):              # D first, against the initial G (with noise)
            game.discriminator_update(1, rng)
        games.append(game)
        return game

    try:
        metrics = train(config.replace(seed=seed), game=make).metrics
    except TrainingDiverged:
        metrics = None
    return np.array(games[0].generator_gradient_norms), metrics


# %% [markdown]
# ## Why disjoint supports starve G, and why noise helps (the argument before the check)
# Real data often lie on a low-dimensional manifold of the space they are written in (images of
# digits fill a thin set of R^1024), and so does p_g, the image of a low-dimensional z under G.
# Two such sets in general position do not meet (two curves in R^3 almost never cross), and
# here the extreme case is made on purpose: N(4, 0.05) sits far from G's start near 0, so the
# two densities have (numerically) disjoint supports. Then a D that is 1 on one support and 0 on
# the other exists, is smooth between them, and is optimal: JSD = log 2 whatever the distance,
# and as D approaches it, D(G(z)) -> 0 and D's slope at G(z) -> 0. The minimax G's gradient,
# dL_G/dx = -D'(x)/(1 - D(x)) summed over its samples, vanishes (Arjovsky & Bottou 2017,
# Theorem 2.4). Add independent noise eps ~ N(0, sigma^2) to every input D sees: D now
# compares p_data * N(0, sigma^2) with p_g * N(0, sigma^2), two densities that are positive
# everywhere, so no D is 0 or 1 anywhere, D* = p_data,s / (p_data,s + p_g,s) is strictly
# between, and its slope at G's samples is not 0. The JSD between the blurred densities is below
# log 2 and shrinks as they approach, so G has a gradient to follow. As sigma -> 0 the blurred
# game becomes the original one, which is why sigma is annealed.

# %%
results = {(seed, sigma): run(seed, sigma) for seed in seeds for sigma in sigmas}
print("  " + _("seed  sigma  |grad| at step 1  median |grad|, steps 1-20   final mean   "
                "JSD (nats)"))
for (seed, sigma), (norms, metrics) in results.items():
    end = (_("diverged") if metrics is None else
           f"{metrics['mean']:10.3f}   {metrics['jsd']:.3f}")
    print(f"  {seed:4d}  {sigma:5.1f}  {norms[0]:16.2e}  {np.median(norms[:20]):24.2e}   {end}")
print()
ratio = np.median([results[(s, 1.0)][0][0] / results[(s, 0.0)][0][0] for s in seeds])
final = {key: (np.log(2) if metrics is None else metrics["jsd"]) for key, (norms, metrics) in
         results.items()}
closer = sum(final[(s, 1.0)] < final[(s, 0.0)] for s in seeds)
first_word = compare("09 first gradient: noise vs plain (median ratio vs 1)", ratio, 1.0,
                     ("smaller than", "about as large as", "larger than"), tolerance=0.2)
alike = np.median([np.median(results[(s, 1.0)][0][:20]) / np.median(results[(s, 0.0)][0][:20])
                   for s in seeds])
later_word = check("09 medians over steps 1-20 alike (ratio within 1/3..3)", abs(np.log(alike)),
                   "<", np.log(3), ("alike", "not alike"))
majority = check("09 noise closer at the end in more than half the seeds", closer, ">",
                 len(seeds) / 2, ("more than half", "at most half"))
if lesson.fast:
    say("""--fast: {warm_up} warm-up steps of D and {steps} training steps on one seed are too
short to show the effect (D has not become confident, so the plain G's first gradient is not
small yet); the sentences below describe whatever this run's numbers are.""",
        warm_up=warm_up, steps=steps)
say("""What to notice: against a D trained first to separate N(4, 0.05) from G's start, the
blurred game's first gradient is {first_word} the plain game's, by a median factor of
{ratio:.3g} over these seeds (where D has become confident, the plain gradient is small and the
blurred one is not: D cannot be confident where the blurred distributions overlap). Over steps
1-20 the medians of the two games are {later_word} (median ratio {alike:.3g}): within a few
steps D moves. At the end, instance noise is closer to the target (lower JSD; log 2 = 0.693
means disjoint supports) in {closer} of {seeds} seeds, {majority} -- a help with the start of a
run, not a guarantee, and the non-saturating loss (exercise 1) already keeps the plain G's
first gradient alive.""",
    first_word=first_word, ratio=ratio, later_word=later_word, alike=alike, closer=closer,
    seeds=len(seeds), majority=majority)

fig, ax = plt.subplots(figsize=(8, 4))
for (seed, sigma), (norms, metrics) in results.items():
    ax.semilogy(np.arange(1, len(norms) + 1), norms, color="tab:red" if sigma == 0 else "tab:green",
                alpha=0.7, linewidth=1, label=f"sigma = {sigma:g}" if seed == seeds[0] else None)
ax.set(xlabel=_fig("generator update"), ylabel=r"$\|\nabla_{\theta_g} L_G\|$",
       title=_fig("G's gradient after D was trained first: plain (red) vs instance noise (green)"))
ax.legend()
lesson.save(fig, FIGURES[0])

# %%
print(_("Exercises"))
say("""1. Rerun with g_loss="non_saturating". Does the plain G's first gradient still vanish?
(Arjovsky & Bottou's Theorem 2.6: it does not vanish, but its variance grows as D improves.)""")
say("""2. Try sigma = 0.2 and sigma = 3. Which blurs enough for D to stay unsure at G's start,
4 away?""")
lesson.finish()
