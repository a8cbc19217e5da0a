"""Lesson 21 -- WGAN-GP: a gradient penalty instead of weight clipping, and its double backward.

Follows Gulrajani et al. (2017, "Improved Training of Wasserstein GANs", eq. 3 and Algorithm 1)
after lesson 10's clipped critic. The critic f is kept near 1-Lipschitz by penalising
lambda (||grad f(x^)|| - 1)^2 at random points x^ between real and generated samples; so it
measures W1 itself, not K W1. The penalty's gradient with respect to the weights is the gradient
of a gradient, derived by hand in gan/variants/wgan_gp.py and checked here. Then clipping and the
penalty on the same 1D target: the critic's estimate against scipy's W1 during training, the
critics' shapes, their weights and their gradient norms at x^ -- and why the paper's two-sided
penalty fails in one dimension while its one-sided variant works.

Run: python lessons/21_wgan_gp.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows; --out DIR: where the figures go)

Course section (by the course's Chinese terms): WGAN-GP: 梯度惩罚 (the
gradient penalty).
"""

# %%
import functools
import unicodedata

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import wasserstein_distance

from _lesson import N_, _, _fig, check, compare, phrase, say, show, start
from gan.config import GANConfig
from gan.distributions import Normal
from gan.train import train
from gan.variants.wgan import PAPER_SETTINGS as CLIP_SETTINGS
from gan.variants.wgan import WGAN, lipschitz_constant_1d
from gan.variants.wgan import fit_critic as fit_clipped_critic
from gan.variants.wgan_gp import (PAPER_LAMBDA, PAPER_SETTINGS, WGANGP, fit_critic,
                                  gradient_penalty, input_gradient, interpolate)
from nn import MLP, Linear
from nn.gradcheck import gradcheck
from nn.optim import Adam, RMSProp

FIGURES = ("critic_alone.png", "training.png", "critics.png", "norms_and_weights.png")

lesson = start(__file__, __doc__)
lam = PAPER_LAMBDA


def padded(text, width):
    """``text`` and spaces to fill ``width`` columns (a Chinese character takes two): a table's
    name column in either language."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - columns, 0)


# %% [markdown]
# ## The double backward, checked
# g = grad_x f is itself a backward pass; dP/dtheta runs the chain rule back through it.
# For LeakyReLU sigma'' = 0, so only the weights of that backward pass carry the penalty's
# gradient; for tanh sigma'' != 0 adds a second pass through the pre-activations.

# %%
print("  " + _("activation   max relative error of dP/dtheta against finite differences"))
for activation in ("leaky_relu", "tanh"):
    rng = np.random.default_rng(0)
    f = MLP([2, 5, 5, 1], activation, rng=rng)
    x_hat = rng.normal(size=(8, 2))
    analytic = gradient_penalty(f, x_hat, lam)[1]
    parts = np.split(analytic, np.cumsum([p.size for p in f.parameters()])[:-1])
    result = gradcheck(lambda: gradient_penalty(f, x_hat, lam)[0], f.parameters(),
                       [part.reshape(p.shape) for part, p in zip(parts, f.parameters())])
    bias_gradient = max(np.abs(part).max() for part, name in zip(parts, f.parameter_names())
                        if name.endswith(".b"))
    print("  " + _("{activation:11s}  {error:.1e}   (largest |dP/db|: {bias:.1e})").format(
        activation=activation, error=result.max_relative_error, bias=bias_gradient))
print()
say("""The biases of the LeakyReLU critic get no penalty gradient at all: between the kinks g is a
product of weight matrices masked by which units are on, and a bias only moves the kinks.""")

# %% [markdown]
# ## The penalised critic alone: it measures W1 itself

# %%
shifts = lesson.pick((0.5, 1.0, 2.0, 3.0), (1.0, 3.0))
critic_steps = lesson.pick((500, 300), (40, 10))
rows = []
for mu in shifts:
    rng = np.random.default_rng(0)
    p, q = Normal(0.0, 1.0), Normal(mu, 1.0)
    f = MLP([1, 32, 32, 1], "leaky_relu", rng=rng)
    f.layers[-1].W[...] = 0.0        # start flat: the data, not the initial slope, picks the sign
    optimizer = Adam(f, lr=3e-3, betas=PAPER_SETTINGS["betas"])
    fit_critic(f, p, q, critic_steps[0], 256, rng, optimizer, lam)
    optimizer.lr = 3e-4
    fit_critic(f, p, q, critic_steps[1], 256, rng, optimizer, lam)
    x, y = p.sample(50_000, rng), q.sample(50_000, rng)
    w1 = wasserstein_distance(x[:, 0], y[:, 0])
    rows.append((mu, w1, float(f.forward(x).mean() - f.forward(y).mean())))
penalised = (f, p, q)                # the last one, kept for the gradient norms below
clipped = MLP([1, 32, 32, 1], "leaky_relu", rng=np.random.default_rng(0))
fit_clipped_critic(clipped, p, q, sum(critic_steps), 256, np.random.default_rng(0),
                   RMSProp(clipped, lr=1e-3), c=0.01)
print("  " + _("N(0,1) vs N(mu,1)   scipy W1   critic estimate   W1 (1 + W1 / 2 lambda)"))
for mu, w1, estimate in rows:
    print(f"  mu = {mu:4.1f}          {w1:8.3f}   {estimate:15.3f}   "
          f"{w1 * (1 + w1 / (2 * lam)):22.3f}")
print()
say("""No division by an unknown K this time: the estimate is W1 itself, plus a bias the penalty
explains. A line f(x) = -s x scores s W1 - lambda (s - 1)^2, best at s = 1 + W1 / (2 lambda), so
the critic overshoots W1 by the factor 1 + W1 / (2 lambda): 5% at W1 = 1 with the paper's
lambda = 10.""")
fig, ax = plt.subplots(figsize=(6, 4))
w1s = np.array([row[1] for row in rows])
ax.plot(w1s, [row[2] for row in rows], "o", color="tab:blue",
        label=_fig("penalised critic's estimate"))
ax.plot(w1s, w1s * (1 + w1s / (2 * lam)), "-", color="tab:blue", alpha=0.4,
        label="W1 (1 + W1 / 2 lambda)")
ax.plot(w1s, w1s, "k:", label="W1 (scipy)")
ax.set(xlabel=_fig("W1 from scipy.stats.wasserstein_distance"),
       ylabel=_fig("mean f(x) - mean f(y)"),
       title=_fig("The penalised critic measures W1, up to a known bias"))
ax.legend()
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## Training on N(-1, 1): clipping, the paper's penalty, the one-sided penalty

# %%
steps = lesson.pick(600, 20)
every = lesson.pick(20, 5)
samples = lesson.pick(20_000, 2_000)
target = Normal(-1.0, 1.0)
base = GANConfig(target=target, steps=steps, batch_size=128, snapshot_every=0)
gp_config = base.replace(**{**PAPER_SETTINGS, "lr_d": 1e-3, "lr_g": 1e-3})
runs = {                         # the names, marked for translation, head tables and figures
    N_("clipping (RMSProp 1e-3, c 0.01)"): (
        base.replace(**{**CLIP_SETTINGS, "lr_d": 1e-3, "lr_g": 1e-3}),
        functools.partial(WGAN, c=0.01)),
    N_("penalty, two-sided (the paper's)"): (gp_config, WGANGP),
    N_("penalty, one-sided"): (gp_config, functools.partial(WGANGP, one_sided=True)),
}


def run(config, make_game):
    """Train, and every `every` steps measure scipy's W1(p_data, p_g) and the critic's estimate
    on the same fresh samples (and the clipped critic's K), from a stream of their own."""
    games, trace = [], {"step": [], "w1": [], "estimate": [], "K": []}
    measure_rng = np.random.default_rng(1)

    def build(config, rng):
        games.append(make_game(config, rng))
        return games[-1]

    def watch(step, losses):
        if step % every:
            return
        game = games[0]
        x = target.sample(samples, measure_rng)
        y = game.G.forward(game.sample_noise(samples, measure_rng))
        trace["step"].append(step)
        trace["w1"].append(wasserstein_distance(x[:, 0], y[:, 0]))
        trace["estimate"].append(float(game.D.forward(x).mean() - game.D.forward(y).mean()))
        trace["K"].append(lipschitz_constant_1d(game.D, -30.0, 30.0))

    result = train(config, callback=watch, game=build)
    return result, {name: np.array(values) for name, values in trace.items()}


results = {name: run(config, game) for name, (config, game) in runs.items()}
print("  " + _("run                                  final mean   std    JSD       W1 then   "
               "estimate / W1"))
for name, (result, trace) in results.items():
    m = result.metrics
    scale = trace["K"][-1] if name.startswith("clipping") else 1.0
    print(f"  {padded(_(name), 36)} {m['mean']:+8.3f}  {m['std']:6.3f}  {m['jsd']:.1e}   "
          f"{trace['w1'][-1]:7.3f}   "
          f"{trace['estimate'][-1] / scale / trace['w1'][-1]:+8.2f}"
          + ("  (/ K)" if scale != 1 else ""))
print()
clipping_name, two_sided_name, one_sided_name = results
two_sided_trace = results[two_sided_name][1]
jsd_of = {name: result.metrics["jsd"] for name, (result, trace) in results.items()}
if lesson.fast:
    say("""(--fast: {steps} steps are too short for the effects below to show; the default run
of 600 steps shows them. Each sentence still reports what this run did.)""", steps=steps)
away_word = check("21 two-sided: W1 at the end vs the first measurement",
                  two_sided_trace["w1"][-1], ">", two_sided_trace["w1"][0],
                  ("moves G away from the target", "does not move G away from the target"))
sign_word = check("21 two-sided: the critic's final W1 estimate", two_sided_trace["estimate"][-1],
                  "<", 0.0, ("turns negative", "stays positive"))
lands_word = check("21 one-sided: final JSD below 0.01 nats", jsd_of[one_sided_name], "<", 0.01,
                   ("lands on the target", "does not reach the target"))
closer_word = compare("21 final JSD: one-sided penalty vs clipping", jsd_of[one_sided_name],
                      jsd_of[clipping_name], ("closer to the target than",
                                              "about as close to the target as",
                                              "farther from the target than"), tolerance=0.1)
say("""In this run the paper's two-sided penalty {away_word} (scipy's W1 from {first:.2f} at step
{every} to {last:.2f} at the end), and its critic's W1 estimate {sign_word} ({estimate:+.2f}).
Why a penalised critic can hold a slope of the wrong sign: in one dimension the only unit
gradients are +1 and -1; to flip its slope the critic must pass through |f'| = 0, where the
penalty charges lambda. A line with the wrong sign is even a local optimum, at slope
1 - W1 / (2 lambda), whose estimate -W1 (1 - W1 / (2 lambda)) bottoms out at
-lambda / 2 = -5. In two or more dimensions g can turn round on the unit sphere instead. The
one-sided penalty max(0, ||g|| - 1)^2 (the paper's Section 4 mentions it) has no such barrier;
in this run it {lands_word} (JSD {one_sided:.1e} nats; below 0.01 counts as on it) and ends
{closer_word} clipping (JSD {clipping:.1e}).""",
    away_word=away_word, first=two_sided_trace["w1"][0], every=every,
    last=two_sided_trace["w1"][-1], sign_word=sign_word,
    estimate=two_sided_trace["estimate"][-1], lands_word=lands_word,
    one_sided=jsd_of[one_sided_name], closer_word=closer_word, clipping=jsd_of[clipping_name])

fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for ax, (name, (result, trace)) in zip(axes, results.items()):
    ax.plot(trace["step"], trace["w1"], "k:", label="W1(p_data, p_g), scipy")
    if name.startswith("clipping"):
        ax.plot(trace["step"], trace["estimate"] / trace["K"], color="tab:blue",
                label=_fig("critic's estimate / K"))
    else:
        ax.plot(trace["step"], trace["estimate"], color="tab:blue",
                label=_fig("critic's estimate"))
    ax.axhline(0, color="grey", linewidth=0.5)
    ax.set(xlabel=_fig("step"), ylabel="W1", title=_fig(name))
    ax.legend(fontsize=8)
fig.suptitle(_fig("The critic's W1 estimate against scipy's during training"))
lesson.save(fig, FIGURES[1])

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for ax, (name, (result, trace)) in zip(axes, results.items()):
    z = result.config.p_z.sample(50_000, np.random.default_rng(2))
    x_g = result.G.forward(z)[:, 0]
    low, high = min(-5.0, np.percentile(x_g, 0.5)), max(3.0, np.percentile(x_g, 99.5))
    grid = np.linspace(low, high, 401).reshape(-1, 1)
    critic = result.D.forward(grid)[:, 0] / (trace["K"][-1] if name.startswith("clipping") else 1)
    ax.hist(x_g, bins=80, range=(low, high), density=True, color="tab:green",
            histtype="step", label="p_g")
    ax.plot(grid[:, 0], target.pdf(grid[:, 0]), "k:", label="p_data")
    twin = ax.twinx()
    twin.plot(grid[:, 0], critic, "--", color="tab:blue", label="f(x)")
    twin.set_ylabel("f(x)" + (" / K" if name.startswith("clipping") else ""))
    ax.set(xlabel="x", ylabel=_fig("density"), title=_fig(name))
    ax.legend(loc="upper left", fontsize=8)
fig.suptitle(_fig("The trained critics (blue, dashed) with p_data and p_g: slopes of magnitude "
                  "~1"))
lesson.save(fig, FIGURES[2])

# %%
f, p, q = penalised
rng = np.random.default_rng(3)
x_hat = interpolate(p.sample(5_000, rng), q.sample(5_000, rng), rng)
fig, (ax_norm, ax_clipped, ax_free) = plt.subplots(1, 3, figsize=(16, 4))
print("  " + _("Critics alone between N(0,1) and N({mu:g},1), at 5000 points x^:").format(
    mu=q.mu))
for name, critic, color in ((N_("clipped, c = 0.01"), clipped, "tab:orange"),
                            (N_("penalised, lambda = 10"), f, "tab:blue")):
    norms = np.linalg.norm(input_gradient(critic, x_hat), axis=1)
    print("  " + _("{name} ||grad f(x^)||: median {median:.2e}, 5-95%: {low:.2e} - {high:.2e}")
          .format(name=padded(_(name), 24), median=np.median(norms),
                  low=np.percentile(norms, 5), high=np.percentile(norms, 95)))
    ax_norm.hist(np.log10(norms), bins=60, histtype="step", color=color, label=_fig(name))
    weights = np.concatenate([layer.W.ravel() for layer in critic.layers
                              if isinstance(layer, Linear)])
    (ax_clipped if critic is clipped else ax_free).hist(weights, bins=80, color=color)
print("  " + _("(the penalised optimum for a shift: 1 + W1 / (2 lambda) = {slope:.2f})").format(
    slope=1 + q.mu / (2 * lam)))
median_norm = {}
for name, (result, trace) in results.items():
    if not name.startswith("clipping"):
        x = target.sample(5_000, rng)
        y = result.G.forward(result.config.p_z.sample(5_000, rng))
        norms = np.linalg.norm(input_gradient(result.D, interpolate(x, y, rng)), axis=1)
        median_norm[name] = float(np.median(norms))
        print("  " + _("after training, {name} median ||grad f(x^)|| {median:.2f} (W1 then "
                       "{w1:.2f})").format(name=padded(_(name), 33), median=np.median(norms),
                                           w1=trace["w1"][-1]))
print()
ax_norm.set(xlabel="log10 ||grad f(x^)||", ylabel=_fig("count"),
            title=_fig("Gradient norms at x^: ~K under clipping, ~1 with the penalty"))
ax_norm.legend(fontsize=8)
ax_clipped.set(xlabel=_fig("weight"), ylabel=_fig("count"),
               title=_fig("Clipped critic's weights: piled at +-c"))
ax_free.set(xlabel=_fig("weight"), ylabel=_fig("count"),
            title=_fig("Penalised critic's weights: free"))
lesson.save(fig, FIGURES[3])
if two_sided_trace["estimate"][-1] < 0:       # the trap: compare with its predicted slope
    trapped_slope = 1 - two_sided_trace["w1"][-1] / (2 * lam)
    slope_word = compare("21 two-sided: median |f'| vs the wrong-signed optimum 1 - W1 / 2 lambda",
                         median_norm[two_sided_name], trapped_slope,
                         ("below", "at", "above"), tolerance=0.1)
    two_sided_text = phrase("the trapped two-sided critic's median slope {slope:.2f} is "
                            "{slope_word} (within 10%) its wrong-signed optimum 1 - W1 / "
                            "(2 lambda) = {optimum:.2f} for this run's W1",
                            slope=median_norm[two_sided_name], slope_word=slope_word,
                            optimum=trapped_slope)
else:
    two_sided_text = phrase("the two-sided critic's slope has the right sign in this run "
                            "(median |f'| {slope:.2f}), so it is not trapped",
                            slope=median_norm[two_sided_name])
below_word = check("21 one-sided: median |f'| after training below 0.9",
                   median_norm[one_sided_name], "<", 0.9,
                   ("falls below 1, which its penalty allows", "stays near 1"))
say("""Clipping confines every weight to [-c, c] and many end at the walls, so the clipped
critic's gradient is ~K, a number set by c and the width, not by the data. The penalty leaves the
weights free and controls what matters, the gradient norm where the critic is evaluated. After
training, {two_sided_text}; the one-sided critic's median slope {slope:.2f} {below_word} (the
one-sided penalty charges only slopes above 1, so a critic with little left to tell apart may
flatten).""", two_sided_text=two_sided_text, slope=median_norm[one_sided_name],
    below_word=below_word)

# %%
show("Exercises")
say("""1. Start the two-sided run's critic flat (set D's last W to 0 after building the game, with a
factory like `run`'s `build`). Does the critic then keep up with G? Where does it get stuck?""")
say("""2. Train the two-sided penalty on the ring of 8 Gaussians (lesson 13; `train(config,
game=WGANGP)` measures it in the plane). In 2D the unit gradients form a circle: does the trap
of 1D remain?""")
lesson.finish()
