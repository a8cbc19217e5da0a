"""Lesson 04 -- the discriminator is a logistic regression, and a density-ratio estimator.

Follows Section 4.1 of Goodfellow et al. (2014), Proposition 1: for a FIXED generator, the
discriminator that maximises V(D, G) is D*(x) = p_data(x) / (p_data(x) + p_g(x)). Training D
is binary classification (label 1 for real samples, 0 for fakes) with the cross-entropy loss:
a logistic regression whose features are learned by a network. We train D alone against a
fixed p_g (Algorithm 1's inner loop, `gan.train.fit_discriminator`), compare it with D*, and
then read the ratio p_g / p_data out of it.

Run: python lessons/04_discriminator.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)

Course section (by the course's Chinese terms): 判别器 (the
discriminator) and 最优判别器 D* (the optimal discriminator).
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.integrate import IntegrationWarning

import rng
from _lesson import _, _fig, say, start
from gan.distributions import Normal
from gan.measure import discriminator_on
from gan.theory import c_of_g, optimal_discriminator, optimal_discriminator_logit, value
from gan.train import fit_discriminator
from nn import MLP

FIGURES = ("discriminator_vs_optimal.png", "density_ratio.png", "discriminator_loss.png")

lesson = start(__file__, __doc__)
steps = lesson.pick(3000, 600)
m = 256                                    # minibatch size, as in Algorithm 1
p_data, p_g = Normal(-1.0, 1.0), Normal(1.0, 0.7)

# %% [markdown]
# ## D* derived: maximise a log y + b log(1 - y) point by point
# For a fixed G, V(D, G) = integral over x of [p_data(x) log D(x) + p_g(x) log(1 - D(x))] dx
# (the noise integral becomes one over x = G(z), whose density is p_g). D(x) can be chosen
# separately at every x, so maximise the integrand pointwise. With a = p_data(x), b = p_g(x),
# y = D(x) in (0, 1): f(y) = a log y + b log(1 - y), f'(y) = a / y - b / (1 - y) = 0 gives
# a (1 - y) = b y, y = a / (a + b); f''(y) = -a / y^2 - b / (1 - y)^2 < 0, so it is the
# maximum. Hence D*(x) = p_data(x) / (p_data(x) + p_g(x)) wherever a + b > 0 (elsewhere D is
# free: neither term sees it). The checks below compare a trained D with this formula.
#
# Why D alone cannot generate: D* is a ratio, D* / (1 - D*) = p_data / p_g. Knowing D (and
# p_g) tells us p_data up to that ratio -- the density-ratio section below reads p_g back out of
# it -- but D is a function x -> [0, 1], a judge, not a sampler: it offers no map from noise to
# new x, and drawing from p_data by D would need p_g known in closed form, a normaliser, and a
# sampler (MCMC) for the result. The GAN's G is the sampler; D only tells it where to move.

# %% [markdown]
# ## Two classifiers against the same fixed p_g
# D is a network mapping x to a logit l(x), D(x) = sigmoid(l(x)). The paper's D is an MLP; a
# plain logistic regression is the same thing with l(x) = w x + b.

# %%
generator = rng.Generator(4)
D = MLP([1, 32, 32, 1], rng=generator)
D_linear = MLP([1, 1], rng=generator)      # logistic regression on x itself
losses = fit_discriminator(D, p_data, p_g, steps=steps, batch_size=m, rng=generator)
losses_linear = fit_discriminator(D_linear, p_data, p_g, steps=steps, batch_size=m, rng=generator)

# %%
D_star = optimal_discriminator(p_data, p_g)
x = np.linspace(-5.0, 4.0, 901)
carries_mass = (p_data.pdf(x) + p_g.pdf(x)) / 2 > 0.05     # where samples fall often
deviation = np.abs(discriminator_on(D, x) - D_star(x))[carries_mass]
deviation_linear = np.abs(discriminator_on(D_linear, x) - D_star(x))[carries_mass]
low, high = x[carries_mass][[0, -1]]
say("""After {steps} steps of m = {m} real and {m} fake samples, on [{low:.2f}, {high:.2f}]
(where (p_data + p_g)/2 > 0.05): max |D - D*| = {network:.3f} for the 32-32 network,
{linear:.3f} for the logistic regression l(x) = w x + b.""", steps=steps, m=m, low=low,
    high=high, network=deviation.max(), linear=deviation_linear.max())

# The logit of D* is log p_data - log p_g: for two normals a quadratic in x.
coefficients = np.polyfit(x, optimal_discriminator_logit(p_data, p_g)(x), 2)
curvature = 1 / (2 * p_g.sigma**2) - 1 / (2 * p_data.sigma**2)
say("""Why the straight logistic regression falls short: the logit of D* is
log p_data(x) - log p_g(x), for two normals a parabola whose x^2 coefficient is
1/(2 sigma_g^2) - 1/(2 sigma_data^2) = {curvature:.3f} (a quadratic fitted to it on the grid
gives {fitted:.3f}). A linear logit w x + b can only draw a straight line through it;
the network bends its logit to follow the parabola where it has samples (lower panel).""",
    curvature=curvature, fitted=coefficients[0])

# %%
# quad asks for 1e-10 relative accuracy; the network's kinks can make it report roundoff at
# that level, far below the 4 decimals printed here.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", IntegrationWarning)
    V_trained, V_linear = value(D, p_data, p_g), value(D_linear, p_data, p_g)
C = c_of_g(p_data, p_g)
say("""Proposition 1 says no D can reach a larger V than D*. By quadrature,
V(D, G) = {V_trained:.4f}
for the trained network, V(D*, G) = C(G) = {C:.4f}, V of the logistic regression =
{V_linear:.4f}. The last 100 minibatch losses average
{loss:.4f}, close to -C(G) = {minus_C:.4f}: D's loss is minus the value.""",
    V_trained=V_trained, C=C, V_linear=V_linear, loss=losses[-100:].mean(), minus_C=-C)

fig, (ax, ax_logit) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
ax.plot(x, p_data.pdf(x), color="black", linestyle=":", linewidth=2.2, label=r"$p_{data}$")
ax.plot(x, p_g.pdf(x), color="tab:green", linewidth=2.0, label=_fig(r"$p_g$ (fixed)"))
ax.plot(x, D_star(x), color="0.55", linewidth=5, alpha=0.5,
        label=r"$D^* = p_{data}/(p_{data}+p_g)$")
ax.plot(x, discriminator_on(D, x), color="tab:blue", linestyle="--", linewidth=1.8,
        label=_fig("D, 32-32 network"))
ax.plot(x, discriminator_on(D_linear, x), color="tab:orange", linestyle="-.", linewidth=1.5,
        label=_fig("D, logistic regression $wx+b$"))
ax.set(ylabel=_fig("density / probability"),
       title=_fig("D trained against a fixed $p_g$ lies on $D^*$ where there are samples (white)"))
ax.legend(loc="center left", fontsize=8)
ax_logit.plot(x, optimal_discriminator_logit(p_data, p_g)(x), color="0.55", linewidth=5,
              alpha=0.5, label=_fig(r"$\log p_{data} - \log p_g$ (logit of $D^*$)"))
ax_logit.plot(x, D.forward(x[:, None])[:, 0], color="tab:blue", linestyle="--",
              label=_fig("32-32 network"))
ax_logit.plot(x, D_linear.forward(x[:, None])[:, 0], color="tab:orange", linestyle="-.",
              label=_fig("logistic regression"))
ax_logit.set(xlabel="x", ylabel=_fig("logit l(x)"), xlim=(x[0], x[-1]), ylim=(-12, 25),
             title=_fig("In logit space: a parabola that a straight line cannot follow"))
ax_logit.legend(loc="upper right", fontsize=8)
for axes in (ax, ax_logit):
    axes.axvspan(x[0], low, color="0.92")
    axes.axvspan(high, x[-1], color="0.92")
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## D as a density-ratio estimator
# Solve D = p_data / (p_data + p_g) for p_g: p_g = p_data (1 - D) / D = p_data exp(-l).
# A classifier that never saw a density formula gives us one, from samples alone.

# %%
logit = D.forward(x[:, None])[:, 0]
p_g_recovered = np.exp(p_data.logpdf(x) - logit)          # p_data (1 - D) / D, in log space
error = np.abs(p_g_recovered - p_g.pdf(x))[carries_mass]
mass = np.trapezoid(p_g_recovered[carries_mass], x[carries_mass])
true_mass = p_g.cdf(high) - p_g.cdf(low)
say("""Recovered p_g = p_data exp(-l): on the white region its largest error is
{error:.3f} (p_g peaks at {peak:.3f}), and it holds mass {mass:.3f} there against
the truth's {true_mass:.3f}. Outside, D has seen too few samples to pin the ratio down.""",
    error=error.max(), peak=p_g.pdf(1.0), mass=mass, true_mass=true_mass)

fig, ax = plt.subplots(figsize=(8, 4.5))
ax.plot(x, p_data.pdf(x), color="black", linestyle=":", linewidth=2.2, label=r"$p_{data}$")
ax.plot(x, p_g.pdf(x), color="tab:green", linewidth=2.0, label=_fig(r"$p_g$ (truth)"))
ax.plot(x, p_g_recovered, color="tab:red", linestyle="--", linewidth=1.8,
        label=_fig(r"$p_{data}\,(1-D)/D$ from the trained D"))
ax.axvspan(x[0], low, color="0.92")
ax.axvspan(high, x[-1], color="0.92")
ax.set(xlabel="x", ylabel=_fig("density"), xlim=(x[0], x[-1]), ylim=(0, 1.5 * p_g.pdf(1.0)),
       title=_fig("Reading $p_g$ out of the classifier: $p_g = p_{data}(1-D)/D$"))
ax.legend(loc="upper left", fontsize=8)
lesson.save(fig, FIGURES[1])

# %%
window = 100                                # running mean over 100 minibatches
running = lambda values: np.convolve(values, np.ones(window) / window, mode="valid")  # noqa: E731
fig, ax = plt.subplots(figsize=(7, 3.8))
ax.plot(np.arange(1, steps + 1), losses, color="tab:blue", linewidth=0.5, alpha=0.25)
ax.plot(np.arange(window, steps + 1), running(losses), color="tab:blue",
        label=_fig("32-32 network (mean of {window} steps)").format(window=window))
ax.plot(np.arange(window, steps + 1), running(losses_linear), color="tab:orange",
        linestyle="-.",
        label=_fig("logistic regression (mean of {window} steps)").format(window=window))
ax.axhline(-C, color="black", linestyle=":",
           label=_fig(r"$-C(G) = \log 4 - 2\,JSD$, the floor"))
ax.set(xlabel=_fig("step"), ylabel=_fig(r"$L_D$ (minibatch)"), ylim=(-C - 0.12, -C + 0.2),
       title=_fig("D's loss settles on the floor $-C(G)$ within minibatch noise"))
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[2])

# %%
print(_("Exercises"))
say("""1. Set p_g = Normal(-1, 1), the same as p_data. What must D* be, and what loss should D
reach? Run it and compare with log 4 = 1.386.""")
say("""2. Give p_g the same standard deviation as p_data (Normal(1, 1)). Why can the logistic
regression now match D* as well as the network? (Hint: the x^2 term of the logit.)""")
lesson.finish()
