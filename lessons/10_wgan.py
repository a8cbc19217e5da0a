"""Lesson 10 -- the Wasserstein GAN: a clipped critic, its estimate of W1, and training with it.

Follows Arjovsky, Chintala & Bottou (2017, "Wasserstein GAN", eq. 2-3 and Algorithm 1). By the
Kantorovich-Rubinstein duality W1(p, q) = sup over 1-Lipschitz f of E_p f - E_q f. The critic f is
D's MLP without the sigmoid; clipping its weights to [-c, c] after every update keeps it
K-Lipschitz for some K, so what it maximises is K W1. The generator descends -E f(G(z)).
First the critic alone between fixed 1D distributions, against scipy's W1; then training.

Run: python lessons/10_wgan.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)

Course section (by the course's Chinese terms): Wasserstein GAN: 推土机距离
(Earth-Mover distance) and 权重裁剪 (weight clipping).
"""

# %%
import functools

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import wasserstein_distance

from _lesson import _, _fig, check, compare, say, start
from gan.config import GANConfig
from gan.distributions import Normal
from gan.train import train
from gan.variants.wgan import PAPER_SETTINGS, WGAN, fit_critic, lipschitz_constant_1d
from nn import MLP
from nn.optim import RMSProp

FIGURES = ("critic_alone.png", "training.png")

lesson = start(__file__, __doc__)

# %% [markdown]
# ## The Earth-Mover distance, first as a minimum over couplings
# W1(p, q) = min over couplings gamma in Gamma(p, q) of E_{(x, y)~gamma} |x - y|, where a
# coupling is a joint distribution of (x, y) whose marginals are p and q: a transport plan that
# moves the mass of p onto q, gamma(x, y) saying how much goes from x to y, at cost |x - y| per
# unit. In 1D the cheapest plan never crosses paths: it sends the u-quantile of p to the
# u-quantile of q, so W1 = integral_0^1 |F_p^-1(u) - F_q^-1(u)| du, and on two samples of
# equal size n it pairs the sorted samples: W1 ~ (1/n) sum_i |x_(i) - y_(i)|. (Any crossing pair
# x1 < x2 sent to y2 > y1 costs at least as much as the uncrossed one, by the triangle
# inequality, so the sorted plan is optimal.) Only then the dual: Kantorovich-Rubinstein says
# the same minimum equals sup over 1-Lipschitz f of E_p f - E_q f, which a critic can climb.

# %%
check_rng = np.random.default_rng(1)
x_check, y_check = Normal(0.0, 1.0).sample(20_000, check_rng), Normal(1.5, 1.0).sample(
    20_000, check_rng)
quantile_w1 = np.mean(np.abs(np.sort(x_check[:, 0]) - np.sort(y_check[:, 0])))
scipy_w1 = wasserstein_distance(x_check[:, 0], y_check[:, 0])
same = check("10 quantile formula equals scipy's W1", abs(quantile_w1 - scipy_w1), "<", 1e-9,
             ("the same number", "a different number"))
say("""Check: N(0, 1) against N(1.5, 1), 20000 samples each. The sorted pairing (the 1D
quantile coupling) gives W1 = {quantile:.5f}; scipy.stats.wasserstein_distance gives
{scipy:.5f}, {same}; for a pure shift the exact value is the shift, 1.5.""",
    quantile=quantile_w1, scipy=scipy_w1, same=same)

# %% [markdown]
# ## From the minimum over couplings to the sup over critics (Kantorovich-Rubinstein)

# %%
say("""Weak duality, in two lines. Take any coupling gamma of p and q and any 1-Lipschitz f
(|f(x) - f(y)| <= |x - y|). Because gamma's marginals are p and q,
E_p f - E_q f = E_{{(x, y)~gamma}} [f(x) - f(y)] <= E_gamma |x - y|. The left side does not depend
on gamma and the right side not on f, so sup_f (E_p f - E_q f) <= min_gamma E_gamma |x - y| = W1:
no critic can overestimate W1. Equality in 1D: integrating by parts,
E_p f - E_q f = integral f'(t) (F_q(t) - F_p(t)) dt, which f' = sign(F_q - F_p) (slope +-1, so
1-Lipschitz) makes integral |F_p - F_q| dt -- the area between the two CDFs, which is also the
area between the two quantile functions, the sorted pairing's W1 above. For N(0, 1) against
N(1.5, 1), F_q < F_p everywhere, so the best critic is f(x) = -x and it scores the shift.""")
best_score = float(np.mean(-x_check[:, 0]) - np.mean(-y_check[:, 0]))
other_critics = {"|x - 0.7|": lambda t: np.abs(t - 0.7), "sin x": np.sin,
                 "-min(x, 1)": lambda t: -np.minimum(t, 1.0)}
other_scores = {name: float(np.mean(f(x_check[:, 0])) - np.mean(f(y_check[:, 0])))
                for name, f in other_critics.items()}
attains = check("10 the critic -x scores W1 on the samples", abs(best_score - quantile_w1), "<",
                0.02, ("attains it", "does not attain it"))
below = check("10 other 1-Lipschitz critics stay below W1", max(other_scores.values()), "<=",
              quantile_w1, ("all below W1", "not all below W1"))
say("""Checked on the same samples: f(x) = -x scores {best:.4f} against the samples' W1
{W1:.4f}: it {attains} (within 0.02, the sampling noise of two means of 20000 draws).
Other 1-Lipschitz critics score {others}: {below}.""",
    best=best_score, W1=quantile_w1, attains=attains, below=below,
    others=", ".join(f"{name} {score:.4f}" for name, score in other_scores.items()))

# %% [markdown]
# ## The critic alone: does it measure W1?

# %%
shifts = lesson.pick((0.5, 1.0, 2.0, 3.0), (1.0, 2.0))
critic_steps = lesson.pick(300, 40)
rows = []
for mu in shifts:
    rng = np.random.default_rng(0)
    f = MLP([1, 32, 32, 1], "leaky_relu", rng=rng)
    p, q = Normal(0.0, 1.0), Normal(mu, 1.0)
    fit_critic(f, p, q, critic_steps, 128, rng, RMSProp(f, lr=1e-3), c=0.01)
    x, y = p.sample(50_000, rng), q.sample(50_000, rng)
    estimate = float(f.forward(x).mean() - f.forward(y).mean())
    K = lipschitz_constant_1d(f, -30.0, 30.0)
    rows.append((mu, wasserstein_distance(x[:, 0], y[:, 0]), estimate, K))
print("  " + _("N(0,1) vs N(mu,1)   scipy W1   critic estimate   K (Lipschitz)   estimate / K"
              "   share of W1"))
for mu, w1, estimate, K in rows:
    print(f"  mu = {mu:4.1f}          {w1:8.3f}   {estimate:15.2e}   {K:13.2e}   "
          f"{estimate / K:12.3f}   {estimate / K / w1:11.2f}")
print()
Ks = np.array([row[3] for row in rows])
shares = np.array([row[2] / row[3] / row[1] for row in rows])
bound_word = check("10 estimate / K never exceeds W1", shares.max(), "<=", 1.0,
                   ("a lower bound on W1, as duality says", "ABOVE W1 -- K is underestimated"))
say("""The raw estimate is tiny (with c = 0.01, K lies between {K_low:.1e} and {K_high:.1e}
here) and grows with W1; divided by the critic's own Lipschitz constant K it is {bound_word},
and here it reaches {share_low:.0%}-{share_high:.0%} of it: the clipped net after {steps} steps
is not the straight line f(x) = -x that is optimal for a shift.""",
    K_low=Ks.min(), K_high=Ks.max(), bound_word=bound_word, share_low=shares.min(),
    share_high=shares.max(), steps=critic_steps)
fig, ax = plt.subplots(figsize=(6, 4))
w1s = [row[1] for row in rows]
ax.plot(w1s, [row[2] / row[3] for row in rows], "o-", color="tab:blue", label=_fig("estimate / K"))
ax.plot(w1s, w1s, "k:", label=_fig("W1 (scipy)"))
ax.set(xlabel=_fig("W1 from scipy.stats.wasserstein_distance"),
       ylabel=_fig("critic's estimate / K"),
       title=_fig("A clipped critic measures W1 up to its Lipschitz constant"))
ax.legend()
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## Training: the paper's defaults, settings for 1D, and the plain GAN

# %%
steps = lesson.pick(600, 20)
base = GANConfig(steps=steps, batch_size=128, snapshot_every=0)
runs = {                                                # name: (config, game)
    "plain": (base, None),
    "paper": (base.replace(**PAPER_SETTINGS), WGAN),
    "1D": (base.replace(**{**PAPER_SETTINGS, "lr_d": 1e-3, "lr_g": 1e-3}),
           functools.partial(WGAN, c=0.01)),
}
label = {"plain": _("plain GAN (Adam, lr 2e-3)"),
         "paper": _("WGAN, paper: RMSProp 5e-5, c 0.01, n_critic 5"),
         "1D": _("WGAN, 1D: RMSProp 1e-3, c 0.01, n_critic 5")}
results = {}
for name, (config, game) in runs.items():
    results[name] = train(config) if game is None else train(config, game=game)
    m = results[name].metrics
    print("  " + _("{name:46s}  mean {mean:+.3f}  std {std:.3f}  JSD {jsd:.1e}").format(
        name=label[name], mean=m["mean"], std=m["std"], jsd=m["jsd"]))
print()
jsd_of = {name: result.metrics["jsd"] for name, result in results.items()}
paper_word = check("10 paper settings leave JSD above 0.1", jsd_of["paper"], ">", 0.1,
                   ("barely moves G", "moves G a good way"))
tuned_word = compare("10 1D WGAN JSD vs plain GAN's", jsd_of["1D"], jsd_of["plain"],
                     ("ends closer to p_data than", "ends about as close to p_data as",
                      "ends farther from p_data than"), tolerance=0.5)
estimate = np.asarray(results["1D"].history.value)
tenth = max(len(estimate) // 10, 1)
early, late = estimate[:tenth].mean(), estimate[-tenth:].mean()
drop = early - late
ninety = int(np.argmax(estimate <= early - 0.9 * drop)) + 1 if drop > 0 else len(estimate)
fall_word = check("10 critic estimate falls (last tenth below half the first)", late, "<",
                  0.5 * early, ("falls", "does not fall"))
if lesson.fast:
    say("""--fast: {steps} steps are too short for any of these games to reach p_data; the
sentences below describe this run's numbers only.""", steps=steps)
say("""Target N(-1, 1). The paper's learning rate 5e-5 was chosen for images over ~1e5
generator steps; in {steps} steps it {paper_word} (JSD {jsd_paper:.2g} nats). For 1D we
raise both rates to 1e-3 (RMSProp, same c and n_critic); that run {tuned_word} the plain GAN
(JSD {jsd_tuned:.1e} against {jsd_plain:.1e} nats). The critic's estimate (left
panel, raw, scaled by an unknown K that changes as the weights move) {fall_word} as p_g
approaches p_data: from {early:.2e} over the first tenth of the run to {late:.2e} over the
last; 90% of that fall is done by step {ninety} of {steps}. After that the curve sits near 0 at
the scale of its start: the estimate is a distance one can follow only while it is large
against its minibatch noise, and with a clipped critic's tiny K that is early in the run.""",
    steps=steps, paper_word=paper_word, jsd_paper=jsd_of["paper"], tuned_word=tuned_word,
    jsd_tuned=jsd_of["1D"], jsd_plain=jsd_of["plain"], fall_word=fall_word, early=early,
    late=late, ninety=ninety)

fig, (ax_w, ax_f) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
window = max(steps // 40, 1)
for name in ("paper", "1D"):
    smooth = np.convolve(results[name].history.value, np.ones(window) / window, mode="valid")
    ax_w.plot(np.arange(window, steps + 1), smooth, linewidth=1, label=label[name])
grid = np.linspace(-5, 3, 401)
critic = results["1D"].D.forward(grid.reshape(-1, 1))[:, 0]
ax_w.set(xlabel=_fig("step"), ylabel=_fig("mean f(x) - mean f(G(z))  (K W1)"),
         title=_fig("The critic's W1 estimate (running mean of {window} steps)").format(
             window=window))
ax_w.legend(fontsize=7)
ax_f.plot(grid, critic, color="tab:blue", linestyle="--", label=_fig("critic f(x)"))
ax_f.plot(grid, Normal(-1.0, 1.0).pdf(grid) * np.ptp(critic), "k:", label=_fig("p_data (scaled)"))
ax_f.set(xlabel="x", ylabel="f(x)", title=_fig("The trained critic (1D settings)"))
ax_f.legend(fontsize=8)
lesson.save(fig, FIGURES[1])

# %%
print(_("Exercises"))
say("""1. Change c to 0.1 and to 0.001. How does K (and the raw estimate) scale? Does training
change?""")
say("""2. Set n_critic (k) to 1. Is the estimate still a usable learning curve?""")
lesson.finish()
