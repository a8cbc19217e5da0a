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
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from _lesson import say, start
from gan.config import GANConfig
from gan.distributions import Normal
from gan.train import TrainingDiverged, train
from gan.variants.instance_noise import InstanceNoiseGAN

FIGURES = ("gradient_norms.png",)

lesson = start(__file__, __doc__)
target = Normal(4.0, 0.05)
steps, warm_up = lesson.pick(600, 15), lesson.pick(300, 20)
seeds, sigmas = lesson.pick((0, 1, 2, 3), (0,)), (0.0, 1.0)
config = GANConfig(target=target, g_loss="minimax", batch_size=128, steps=steps, snapshot_every=0)
say(f"""Settings: the minimax G loss of Algorithm 1, Adam for both players, m = 128, {steps}
steps; before step 1, {warm_up} updates of D alone. Schedule: sigma_t = sigma (1 - t / T), T = half
the run, then 0. The noise has a random stream of its own, so sigma = 0 is the plain GAN bit for
bit: same weights, same minibatches (a test checks it).""")


def run(seed, sigma):
    """Norms ||dL_G/dtheta_g|| at every G update, and the final metrics (None if diverged)."""
    games = []

    def make(config, rng):
        game = InstanceNoiseGAN(config, rng, sigma=sigma)
        for _ in range(warm_up):                 # D first, against the initial G (with noise)
            game.discriminator_update(1, rng)
        games.append(game)
        return game

    try:
        metrics = train(config.replace(seed=seed), game=make).metrics
    except TrainingDiverged:
        metrics = None
    return np.array(games[0].generator_gradient_norms), metrics


# %%
results = {(seed, sigma): run(seed, sigma) for seed in seeds for sigma in sigmas}
print("  seed  sigma  |grad| at step 1  median |grad|, steps 1-20   final mean   JSD (nats)")
for (seed, sigma), (norms, metrics) in results.items():
    end = ("diverged" if metrics is None else
           f"{metrics['mean']:10.3f}   {metrics['jsd']:.3f}")
    print(f"  {seed:4d}  {sigma:5.1f}  {norms[0]:16.2e}  {np.median(norms[:20]):24.2e}   {end}")
print()
ratio = np.median([results[(s, 1.0)][0][0] / results[(s, 0.0)][0][0] for s in seeds])
final = {key: (np.log(2) if metrics is None else metrics["jsd"]) for key, (_, metrics) in
         results.items()}
closer = sum(final[(s, 1.0)] < final[(s, 0.0)] for s in seeds)
say(f"""What to notice: against a D trained to separate N(4, 0.05) from G's start, the plain G's
first gradient is small, and the blurred game's is larger, by a median factor of {ratio:.0f} over
these seeds: D cannot be confident where the blurred distributions overlap. The plain G's
gradient does not stay small, though: within a few steps D moves and the medians over steps
1-20 are alike. At the end, instance noise is closer to the target (lower JSD; log 2 = 0.693
means disjoint supports) in {closer} of {len(seeds)} seeds -- a help with the start of a run,
not a guarantee, and the non-saturating loss (exercise 1) already keeps the plain G's first
gradient alive.""")

fig, ax = plt.subplots(figsize=(8, 4))
for (seed, sigma), (norms, _) in results.items():
    ax.semilogy(np.arange(1, len(norms) + 1), norms, color="tab:red" if sigma == 0 else "tab:green",
                alpha=0.7, linewidth=1, label=f"sigma = {sigma:g}" if seed == seeds[0] else None)
ax.set(xlabel="generator update", ylabel=r"$\|\nabla_{\theta_g} L_G\|$",
       title="G's gradient after D was trained first: plain (red) vs instance noise (green)")
ax.legend()
lesson.save(fig, FIGURES[0])

# %%
print("Exercises")
say("""1. Rerun with g_loss="non_saturating". Does the plain G's first gradient still vanish?
(Arjovsky & Bottou's Theorem 2.6: it does not vanish, but its variance grows as D improves.)""")
say("""2. Try sigma = 0.2 and sigma = 3. Which blurs enough for D to stay unsure at G's start,
4 away?""")
lesson.finish()
