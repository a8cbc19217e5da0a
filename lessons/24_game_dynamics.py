"""Lesson 24 -- Why GAN training is hard: the game's dynamics, derived, drawn and measured.

Course section (by the course's Chinese terms): 训练的困难 (why training is hard), 纳什均衡
(Nash equilibrium) and 梯度下降 (gradient descent) as a dynamical system; beyond the
course.

Follows the course's warning that GANs oscillate (lessons 8 and 19) with the explanation of
Mescheder et al. (2017, "The Numerics of GANs"; 2018, "Which Training Methods for GANs do
actually Converge?"). The players move along the field v = (-grad_theta L_G, grad_psi V); near an
equilibrium the Jacobian J = dv/dw decides everything: purely imaginary eigenvalues make the
players circle, and each update rule converges iff its linear map has spectral radius < 1.
First the Dirac-GAN (p_data = delta_0, G = delta_theta, D(x) = psi x), then a Gaussian GAN whose
equilibrium and Jacobian are exact. The code is gan/dynamics/.

Run: python lessons/24_game_dynamics.py   (--fast: fewer steps, as the tests run it; --show:
open the figures in windows; --out DIR: where the figures go)
"""

# %%
import unicodedata

import matplotlib.pyplot as plt
import numpy as np

from _lesson import N_, _, _fig, check, compare, say, show, start
from gan.dynamics import updates
from gan.dynamics.dirac import DiracGAN, f_prime
from gan.dynamics.field import eigenvalues, jacobian
from gan.dynamics.gaussian import N_THETA, GaussianGAN
from gan.config import GANConfig
from gan.distributions import Normal
from gan.dynamics.networks import NetworkGame
from gan.dynamics.quadrature import quantile_nodes
from gan.train import train

FIGURES = ("dirac_field.png", "eigenvalues.png", "gaussian_rates.png", "mlp_spectrum.png")

lesson = start(__file__, __doc__)
steps = lesson.pick(400, 60)
h = 0.2
# The update rules of gan.dynamics.updates.RULES by name, marked for translation: `_(rule)` is
# what a learner reads, the name itself is what the code is given.
RULE_NAMES = (N_("simultaneous"), N_("alternating"), N_("extragradient"), N_("optimistic"))


def padded(text, width):
    """``text`` followed by spaces to ``width`` columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
    return text + " " * max(width - columns, 0)


def listed(names):
    """The rules' names in the lesson's language, one after another, or 'no rule'."""
    return ", ".join(_(name) for name in names) or _("no rule")

# %% [markdown]
# ## The Dirac-GAN, derived
# V(theta, psi) = f(psi theta) + f(0) with f(t) = -log(1 + e^-t), so v = (-psi f'(u), theta f'(u)),
# u = theta psi. Then d/dt (theta^2 + psi^2) = 2 theta v_theta + 2 psi v_psi = 0: the flow circles.
# At (0, 0), J = [[0, -f'(0)], [f'(0), 0]] with eigenvalues +-i f'(0) = +-i/2. One simultaneous
# step multiplies theta^2 + psi^2 by 1 + h^2 f'(theta psi)^2 > 1: it spirals out. R1 (gamma/2 psi^2)
# adds -gamma psi to v_psi: eigenvalues -gamma/2 +- sqrt(gamma^2/4 - 1/4), in the left half-plane.

# %%
game = DiracGAN("gan")
J = game.jacobian(np.zeros(2))
print("  " + _("eigenvalues of J at (0, 0): {values}  (derived: +-0.5i)").format(
    values=np.round(eigenvalues(J), 6)))
w = np.array([1.0, 0.5])
after = updates.simultaneous(game.field, w, 1, h)
print("  " + _("one simultaneous step, h = {h}: |w|^2 {before:.6f} -> {after:.6f}, ratio "
              "{ratio:.8f}; derived 1 + h^2 f'(u)^2 = {derived:.8f}").format(
    h=h, before=w @ w, after=after @ after, ratio=(after @ after) / (w @ w),
    derived=1 + h**2 * f_prime(w[0] * w[1]) ** 2))
start_point = [1.0, 0.0]
rules = {
    "simultaneous": ("simultaneous", game.field),
    "alternating": ("alternating", game.field),
    "extragradient": ("extragradient", game.field),
    N_("simultaneous + R1 (gamma 1)"): ("simultaneous", DiracGAN("gan", r1=1.0).field),
    N_("simultaneous + consensus (gamma 1)"): (
        "simultaneous", updates.consensus_field(game.field, 1.0, game.jacobian)),
}
paths = {name: updates.run(rule, field, start_point, 1, h, steps)
         for name, (rule, field) in rules.items()}
print()
print("  " + _("distance from (0, 0) after {steps} steps of h = {h}, from (1, 0):").format(
    steps=steps, h=h))
for name, path in paths.items():
    print(f"    {padded(_(name), 36)} {np.linalg.norm(path[-1]):.4f}")
final = {name: np.linalg.norm(path[-1]) for name, path in paths.items()}
grew = [name for name, r in final.items() if r > 1.01]
shrank = [name for name, r in final.items() if r < 0.99]
kept = [name for name, r in final.items() if 0.99 <= r <= 1.01]
say("""In this run {grew} moved away from the equilibrium, {kept} stayed within 1% of its
starting radius, and {shrank} moved towards it.""",
    grew=listed(grew), kept=listed(kept), shrank=listed(shrank))
if lesson.fast:
    say("(--fast: only a few steps, too few to show how far each rule ends up.)")

fig, ax = plt.subplots(figsize=(6.5, 6))
grid = np.linspace(-1.6, 1.6, 25)
T, P = np.meshgrid(grid, grid)
V = np.array([game.field([t, p]) for t, p in zip(T.ravel(), P.ravel())])
ax.streamplot(T, P, V[:, 0].reshape(T.shape), V[:, 1].reshape(T.shape), color="0.75",
              density=1.0)
for name, path in paths.items():
    ax.plot(path[:, 0], path[:, 1], lw=1.2, label=_fig(name))
ax.plot(0, 0, "k*", ms=12)
ax.set(xlabel=_fig("theta (generator)"), ylabel=_fig("psi (discriminator)"), xlim=(-1.6, 1.6),
       ylim=(-1.6, 1.6), title=_fig("Dirac-GAN: the field circles (0, 0); rules from (1, 0)"))
ax.legend(fontsize=7, loc="lower left")
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## Eigenvalues in the complex plane
# Consensus turns J into J - gamma J^T J at the equilibrium; for the Dirac-GAN J^T J = f'(0)^2 I,
# so the eigenvalues move left by gamma/4. Instance noise sigma adds 2 sigma^2 f''(0) = -sigma^2/2
# to dv_psi/dpsi.

# %%
gaussian = GaussianGAN()
spectra = {
    N_("Dirac-GAN"): eigenvalues(J),
    N_("Dirac + R1 0.5"): eigenvalues(DiracGAN("gan", r1=0.5).jacobian(np.zeros(2))),
    N_("Dirac + consensus 1"): eigenvalues(J - J.T @ J),
    N_("Dirac + noise 1"): eigenvalues(jacobian(DiracGAN("gan", noise=1.0).field, np.zeros(2))),
    N_("Gaussian GAN"): eigenvalues(gaussian.analytic_jacobian()),
}
fig, ax = plt.subplots(figsize=(6.5, 4.5))
for (name, values), marker in zip(spectra.items(), "os^vD"):
    ax.plot(values.real, values.imag, marker, ls="none", label=_fig(name))
    print(f"  {padded(_(name), 20)} max Re = {values.real.max():+.4f}, "
          f"max |Im| = {np.abs(values.imag).max():.4f}")
ax.axvline(0, color="k", lw=0.8)
ax.set(xlabel="Re lambda", ylabel="Im lambda",
       title=_fig("Eigenvalues of J at the equilibrium: Re < 0 attracts, Re = 0 circles"))
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[1])

# %% [markdown]
# ## A Gaussian GAN: which rules converge at which step sizes
# G(z) = mu + sigma z against N(-1, 1), D(x) = sigmoid(a x^2 + b x + c): the equilibrium is
# (-1, 1, 0, 0, 0) and J = [[0, B], [-B^T, -M/2]] (gan/dynamics/gaussian.py derives it); every
# eigenvalue has Re < 0, so each rule converges for small steps, at the rate rho(h) of its map.

# %%
Jg = gaussian.analytic_jacobian()
numeric = jacobian(gaussian.field, gaussian.equilibrium)
print()
print("  " + _("|J from our gradients - J derived| = {gap:.1e}").format(
    gap=np.abs(numeric - Jg).max()))
hs = np.geomspace(0.01, 1.0, lesson.pick(200, 40))
fig, ax = plt.subplots(figsize=(6.5, 4.5))
critical = {}
for rule in updates.RULES:
    ax.plot(hs, [updates.local_rate(rule, Jg, N_THETA, s) for s in hs], label=_fig(rule))
    critical[rule] = updates.critical_step(rule, Jg, N_THETA)
ax.axhline(1, color="k", lw=0.8)
ax.set(xscale="log", ylim=(0.9, 1.5), xlabel=_fig("step size h"),
       ylabel=_fig("spectral radius of the map"),
       title=_fig("Gaussian GAN: a rule converges locally where its curve is below 1"))
ax.legend()
lesson.save(fig, FIGURES[2])
start_w = gaussian.equilibrium + 1e-6 * np.ones(5)
print("  " + _("rule            critical h   run at 0.8 h: distance ratio   at 1.25 h"))
for rule, h_c in critical.items():
    ratios = []
    for factor in (0.8, 1.25):
        path = updates.run(rule, gaussian.field, start_w, N_THETA, factor * h_c, steps)
        ratios.append(np.linalg.norm(path[-1] - gaussian.equilibrium) / np.linalg.norm(
            start_w - gaussian.equilibrium))
    print(f"  {padded(_(rule), 14)}  {h_c:10.4f}   {ratios[0]:26.2e}   {ratios[1]:9.2e}")
best = max(critical, key=critical.get)
say("""Here the largest stable step belongs to {best} ({h_best:.3f}); the most negative of the
Gaussian GAN's eigenvalues is {lowest:.2f}, a stiff real one, and for a real lambda the
extragradient map 1 + h lambda + h^2 lambda^2 leaves (-1, 1) already at h = 1/|lambda| where
the simultaneous one lasts to 2/|lambda|.""",
    best=_(best), h_best=critical[best], lowest=eigenvalues(Jg).real.min())
if final["extragradient"] < 0.99 < final["simultaneous"]:
    say("""On the Dirac-GAN, whose eigenvalues are imaginary, it was the other way round in this
run: extragradient moved in while simultaneous steps moved out.""")

# %% [markdown]
# ## The real 1D game: a small trained MLP GAN on N(-1, 1)
# G [1, 8, 1] (softplus) and D [1, 16, 1] (tanh, smooth so J exists everywhere) trained by
# Algorithm 1; then J by central differences of the same backward passes, on 256 quantile nodes
# of p_data and of p_z (a deterministic full batch). R1 changes the field; consensus changes J
# into J - gamma J^T J (exact at an equilibrium, approximate here, since v is only near 0); an
# extragradient step of size h multiplies each eigen-direction by 1 + h lambda + (h lambda)^2
# where a simultaneous one multiplies it by 1 + h lambda.

# %%
config = GANConfig(target=Normal(-1.0, 1.0), g_hidden=(8,), d_hidden=(16,), d_activation="tanh",
                   steps=lesson.pick(1500, 150), snapshot_every=0, seed=0)
result = train(config)
nodes_x, nodes_z = quantile_nodes(config.target, 256), quantile_nodes(Normal(0.0, 1.0), 256)
print()
print("  " + _("trained MLP GAN: JSD = {jsd:.4f} nats after {steps} steps").format(
    jsd=result.metrics["jsd"], steps=config.steps))
mlp_spectra = {}
for name, r1 in ((N_("plain"), 0.0), (N_("R1 1"), 1.0)):
    mlp_game = NetworkGame(result.G, result.D, nodes_x, nodes_z, config.g_loss, r1=r1)
    J_mlp = jacobian(mlp_game.field, mlp_game.w)
    mlp_spectra[name] = eigenvalues(J_mlp)
    if name == "plain":
        J_plain, v_norm = J_mlp, np.linalg.norm(mlp_game.field(mlp_game.w))
mlp_spectra[N_("consensus 1")] = eigenvalues(J_plain - J_plain.T @ J_plain)
print("  " + _("|v| at the trained point: {v_norm:.2e}  ({count} parameters)").format(
    v_norm=v_norm, count=J_plain.shape[0]))
h_mlp = 0.1
for name, values in mlp_spectra.items():
    print(f"  {padded(_(name), 12)} max Re {values.real.max():+.4f}   max |Im| {np.abs(values.imag).max():.4f}"
          f"   with Re > 1e-3 max|lambda|: {(values.real > 1e-3 * np.abs(values).max()).sum()}")
plain = mlp_spectra["plain"]
rho_sim = np.abs(1 + h_mlp * plain).max()
rho_extra = np.abs(1 + h_mlp * plain + (h_mlp * plain) ** 2).max()
print("  " + _("per-step factor at h = {h}: simultaneous {simultaneous:.5f}, extragradient "
              "{extragradient:.5f}").format(h=h_mlp, simultaneous=rho_sim,
                                            extragradient=rho_extra))
fig, ax = plt.subplots(figsize=(6.5, 4.5))
for (name, values), marker in zip(mlp_spectra.items(), "osD"):
    ax.plot(values.real, values.imag, marker, ls="none", ms=4, label=_fig(name))
ax.axvline(0, color="k", lw=0.8)
ax.set(xlabel="Re lambda", ylabel="Im lambda",
       title=_fig("The trained MLP game's Jacobian: imaginary parts make it oscillate"))
ax.legend()
lesson.save(fig, FIGURES[3])

# %% [markdown]
# ## Why the trained MLP's spectrum has eigenvalues with Re > 0
# J_tt = -d^2 L_G / dtheta^2 and J_pp = -d^2 L_D / dpsi^2 are minus the Hessians of each
# player's own loss. A local Nash equilibrium needs v = 0 and both blocks negative semidefinite;
# and an eigenvalue of J with Re > 0 predicts divergence only at a point where v = 0. The trained
# point is an iterate of stochastic Adam steps, so v is not 0 there. Three questions, answered by
# the numbers: does the quadrature size matter, whose directions are the positive ones, and what
# does the spectrum look like at a true stationary point nearby (found by minimising
# 1/2 ||v||^2 with L-BFGS, its gradient J^T v from gan/dynamics/consensus.py, no J formed)?

# %%
from gan.dynamics.spectrum import describe, stationary_point  # noqa: E402


def summary(name, facts, v_norm):
    shares = facts["generator_share"]
    print(f"  {padded(name, 24)} |v| {v_norm:8.1e}  Re>0: {facts['positive']:2d} "
          f"(G's {np.sum(shares > 0.5)}, D's {np.sum(shares <= 0.5)})  max Re "
          f"{facts['max_real']:+.4f}  max |Im| "
          f"{facts['max_imag']:.3f}  max eig J_tt {facts['max_theta_block']:+.4f}  J_pp "
          f"{facts['max_psi_block']:+.4f}")


trained = describe(J_plain, mlp_game.n_theta)
summary(_("trained, 256 nodes"), trained, v_norm)
dense = NetworkGame(result.G, result.D, quantile_nodes(config.target, 1024),
                    quantile_nodes(Normal(0.0, 1.0), 1024), config.g_loss)
dense_facts = describe(jacobian(dense.field, dense.w), dense.n_theta)
summary(_("trained, 1024 nodes"), dense_facts, np.linalg.norm(dense.field(dense.w)))
still = NetworkGame(result.G.copy(), result.D.copy(), nodes_x, nodes_z, config.g_loss)
w_start = still.w
w_stationary, v_stationary, iterations = stationary_point(still, lesson.pick(1000, 20))
stationary = describe(jacobian(still.field, w_stationary), still.n_theta)
summary(_("stationary ({iterations} it.)").format(iterations=iterations), stationary,
        v_stationary)
print("  " + _("the stationary point is {distance:.2f} away in w").format(
    distance=np.linalg.norm(w_stationary - w_start)))
changes = compare("max Re at 1024 quadrature nodes against 256", dense_facts["max_real"],
                  trained["max_real"], words=("changes", "does not change", "changes"),
                  tolerance=0.1)
trained_nash = check("the largest eigenvalue of J_tt and J_pp at the trained point",
                     max(trained['max_psi_block'], trained['max_theta_block']), ">", 0.0,
                     ("not a local Nash equilibrium (a player is not at a local minimum of its "
                      "own loss)", "a local Nash equilibrium (both players sit at local minima "
                      "of their own losses)"))
say("""The quadrature size {changes} the picture (max Re {sparse:+.4f} at 256 nodes,
{dense:+.4f} at 1024). At the trained point {positive} eigenvalues have Re > 0; J_pp's largest
eigenvalue is {psi_block:+.4f} and J_tt's {theta_block:+.4f}, so the trained point is
{trained_nash}.""",
    changes=changes, sparse=trained["max_real"], dense=dense_facts["max_real"],
    positive=trained["positive"], psi_block=trained["max_psi_block"],
    theta_block=trained["max_theta_block"], trained_nash=trained_nash)
near = check("|v| at the stationary point against 1e-3 |v| at the trained point", v_stationary,
             "<", 1e-3 * v_norm, ("near 0", "not near 0"))
if near.english == "near 0":
    rotation = check("eigenvalues with Re > 1e-3 max|lambda| at the stationary point",
                     stationary["positive"], "<=", 0,
                     ("the positive real parts came from v not being 0, and what is left is "
                      "rotation", "some positive real parts remain"))
    say("""At the stationary point nearby (|v| {v:.1e}, {near}: below 1e-3 of the trained
point's |v|), {positive} eigenvalues have Re > 1e-3 max|lambda| and the largest imaginary part
is {imag:.3f}: {rotation}.""",
        v=v_stationary, near=near, positive=stationary["positive"],
        imag=stationary["max_imag"], rotation=rotation)
    nash = check("the largest eigenvalue of J_tt and J_pp at the stationary point",
                 max(stationary["max_theta_block"], stationary["max_psi_block"]), "<=",
                 1e-3 * stationary["scale"],
                 ("within 1e-3 max|lambda| of 0, as at a local Nash equilibrium",
                  "above 1e-3 max|lambda|: a player is still not at a local minimum of its own "
                  "loss"))
    say("""There J_tt's and J_pp's largest eigenvalues are {theta_block:+.1e} and
{psi_block:+.1e}: {nash}.""",
        theta_block=stationary["max_theta_block"], psi_block=stationary["max_psi_block"],
        nash=nash)
else:
    say("""The search for a stationary point stopped at |v| = {v:.1e}, {near} ({iterations}
iterations{fast_flag}): too short to say what the spectrum is at one.""",
        v=v_stationary, near=near, iterations=iterations,
        fast_flag=", --fast" if lesson.fast else "")

# %% [markdown]
# ## The update rules in training, measured
# `python -m experiments.compare_updates --seeds 10 --targets "N(-1, 1)" "ring of 8"` trains each
# rule's 10 seeds as one ensemble with the course's settings and criteria; lessons/README.md
# (row 24) has the table of one run. On N(-1, 1) extragradient, optimistic and R1 met the
# criterion as often as Algorithm 1 or more and simultaneous steps less often; on the ring
# only simultaneous steps matched Algorithm 1 at the course's settings. Tuned on the ring (5
# seeds a cell, `--set`): R1 at gamma 0.01 met the criterion in 4 of 5, and in 7 of 10 seeds
# (Algorithm 1: 8 of 10; gamma 1: 0 of 10, gamma 0.1: 0 of 5); extragradient and optimistic at lr
# 5e-4, 1e-3 or 4e-3 in at most 1 of 5 (lr 2e-3: 0 of 10; extragradient at 5e-4 covered >= 7
# modes in all 5 seeds but missed the quality bar). Consensus needs gamma matched to the size of J:
# with Adam at the course's lr 2e-3 it met the N(-1, 1) criterion in 8 of 10 seeds at gamma 0.01
# (Algorithm 1's rate), 3 of 10 at 0.03, 2 of 10 at 0.003, and 0 of 10 at 0.1, 1 and 10 (RMSProp,
# the optimiser of Mescheder et al., at lr 1e-3: 8 of 10 at gamma 0.01 too; at lr 1e-3 or 1e-4
# with gamma 0.1 to 10: 0 of 10 each;
# `--set consensus=G optimizer=rmsprop lr_g=L lr_d=L`). At gamma 0.1 the regulariser's
# gradient gamma J^T v is already 5x D's own gradient at the first step and 20x G's by step 100
# (seed 0: |J^T v| / |v| = 43 at the first step): the players then mostly descend 1/2 ||v||^2,
# which is small wherever the gradients vanish, and the run ends with G collapsed (std 0.06;
# one run at gamma 1 ended with std 0.011 and D saturated, max |D - 1/2| = 0.5). The
# regulariser rewards vanishing gradients, not only an equilibrium; gamma must keep
# gamma |J^T v| near or below |v|.

# %% [markdown]
# ## Exercises

# %%
show("Exercises")
say("""1. Derive the extragradient map I + hJ + (hJ)^2 on the bilinear game V = theta psi and show
that it shrinks |w|^2 by 1 - h^2 + h^4 per step; check with gan.dynamics.dirac.bilinear_field.""")
say("""2. Two time scales: compute local_rate("simultaneous", J, 2, (h_G, h_D)) for the Gaussian
GAN over a grid of (h_G, h_D). Does a faster discriminator help here?""")
lesson.finish()
