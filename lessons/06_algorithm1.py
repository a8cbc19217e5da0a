"""Lesson 06 -- Algorithm 1 on p_data = N(-1, 1), as the paper states it, then as we run it.

Follows Algorithm 1 and Figure 1 of Goodfellow et al. (2014). Each iteration: k times, sample m
real examples and m noise samples and take a gradient step of D up the minibatch value V; then
sample m fresh noise samples and take one step of G down log(1 - D(G(z))). The paper's updates
are minibatch SGD with momentum, k = 1, a constant rate (`GANConfig.paper()`, `python -m gan
train --paper`). We write one iteration out in raw NumPy and check it against the library's, run
the paper's algorithm end to end and watch D(x) against D*, then add the project's three choices
one at a time -- the non-saturating loss, Adam, a cosine schedule with Polyak averaging -- each
measured over several seeds.

Run: python lessons/06_algorithm1.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)

Course section (by the course's Chinese terms): 生成对抗网络的训练算法 (Algorithm
1) and 纳什均衡 (Nash equilibrium).
"""

# %%
import copy
import unicodedata

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit as sigmoid

import rng
from _lesson import N_, _, _fig, check, compare, say, start
from gan.config import GANConfig
from gan.lab.ensemble import train_ensemble
from gan.lab.success import DefaultRun, succeeded
from gan.measure import line_grid
from gan.plots import (discriminator_figure, evolution_animation, evolution_html, figure1,
                       jsd_figure, losses_figure)
from gan.game import GAN
from gan.train import iteration, learning_rate_factor, train

FIGURES = ("figure1.png", "evolution.gif", "evolution.html", "losses.png", "jsd.png",
           "discriminator.png", "d_to_half.png", "choices.png")

lesson = start(__file__, __doc__)
config = GANConfig.paper(steps=lesson.pick(GANConfig().steps, 300),   # Algorithm 1, as stated
                         snapshot_every=lesson.pick(100, 75))
steps = config.steps
p_data, p_z, m = config.target, config.p_z, config.batch_size
mu = config.momentum
say("""The paper's algorithm: target {p_data!r}, noise {p_z!r}, G {g_hidden} hidden units
({g_activation}), D {d_hidden} ({d_activation}), k = {k}, m = {m}, SGD with momentum {mu} at a
constant rate {lr} for both players, G descending log(1 - D(G(z))) ({g_loss}), no weight
averaging, {steps} steps. The paper states k = 1, SGD with momentum and the minimax loss; it
does not state m, the momentum or the rate: m = 100 and momentum 0.5 are its released code's
MNIST settings, and 0.01 is a common SGD rate (its code's 0.1 makes these networks diverge
within a few dozen steps).""",
    p_data=p_data, p_z=p_z, g_hidden=config.g_hidden, g_activation=config.g_activation,
    d_hidden=config.d_hidden, d_activation=config.d_activation, k=config.k, m=m, mu=mu,
    lr=config.lr_d, g_loss=config.g_loss, steps=steps)

# %% [markdown]
# ## The game, and what "solving" it means
# Algorithm 1 plays a two-player zero-sum game: whatever D gains, G loses. D picks its
# parameters to maximise V(D, G) = E_x log D(x) + E_z log(1 - D(G(z))); G picks its own to
# minimise the same number, so the game is min_G max_D V(D, G). A Nash equilibrium is a pair
# (G*, D*) where neither player gains by changing alone: V(D, G*) <= V(D*, G*) <= V(D*, G) for
# every D and G. Lesson 04 found D's best answer to any G, D*_G = p_data / (p_data + p_g);
# lesson 05 showed that G's value against it, C(G) = -log 4 + 2 JSD(p_data || p_g), is least at
# p_g = p_data. So the pair (p_g = p_data, D = 1/2) is the equilibrium, with V = -log 4: D can
# do no better than guess, and G, facing a D that guesses everywhere, cannot move it.
# Algorithm 1 looks for it by alternating small gradient steps, k for D, one for G.
#
# ## One iteration by hand, in raw NumPy, against the library's
# The players are exactly those `train(config)` builds: one seed, split into a training stream
# (weights, then minibatches) and an evaluation stream. Below, the same iteration is written out
# in NumPy -- sample, forward, the gradients of the two losses, backward by the chain rule, SGD
# with momentum -- on copies of the weights and of the random stream, and compared with the
# library's.

# %%
train_rng, evaluation_rng = rng.Generator(config.seed).spawn(2)   # what train() does with the seed
game = GAN(config, train_rng)                           # draws G's weights, then D's
raw_rng = copy.deepcopy(train_rng)                      # the same stream, for the raw version
G_params = [p.copy() for p in game.G.parameters()]      # [W1, b1, W2, b2, W3, b3]
D_params = [p.copy() for p in game.D.parameters()]
lr_factor = learning_rate_factor(1, steps, config.lr_schedule, config.decay_start)
game.set_learning_rates(lr_factor)
grid = line_grid(p_data, config.grid_size)             # the grid train() measures D on
low, high = p_data.interval(0.95)
central = (grid >= low) & (grid <= high)                # p_data's central 95%
fresh_deviation = np.abs(sigmoid(game.D.forward(grid[:, None]))[central] - 0.5).max()


def forward(params, x, act):
    """h_{i+1} = act(h_i W_i + b_i), the last layer linear; keeps h_i and a_i for backward."""
    hs, pre = [x], []
    for i in range(0, len(params), 2):
        pre.append(hs[-1] @ params[i] + params[i + 1])
        hs.append(act(pre[-1]) if i + 2 < len(params) else pre[-1])
    return hs, pre


def backward(params, hs, pre, grad, act_slope):
    """Chain rule back through the layers: returns [dW1, db1, ...] and dL/dx."""
    grads = []
    for i in reversed(range(0, len(params), 2)):
        if i + 2 < len(params):
            grad = grad * act_slope(pre[i // 2])          # dL/da = dL/dh * act'(a)
        grads[:0] = [hs[i // 2].T @ grad, grad.sum(axis=0)]  # dL/dW = h^T dL/da, dL/db
        grad = grad @ params[i].T                            # dL/dh_prev = dL/da W^T
    return grads, grad


def sgd_momentum(params, grads, velocity, lr, mu=mu):
    """v = mu v + g; theta -= lr v (the paper's momentum, with the velocity in units of g)."""
    for p, g, v in zip(params, grads, velocity):
        v[...] = mu * v + g
        p -= lr * v


def leaky(a):
    return np.where(a > 0, a, 0.2 * a)


def leaky_slope(a):
    return np.where(a > 0, 1.0, 0.2)


def softplus(a):
    return np.logaddexp(0.0, a)


velocity_d = [np.zeros_like(p) for p in D_params]       # v starts at 0
velocity_g = [np.zeros_like(p) for p in G_params]
# D step: L_D = -[mean log D(x) + mean log(1 - D(G(z)))] = mean s(-l_real) + mean s(l_fake)
x = p_data.sample(m, raw_rng)                            # m examples from p_data
z = p_z.sample(m, raw_rng)                               # m noise samples from p_z
x_fake = forward(G_params, z, softplus)[0][-1]           # G(z)
hs, pre = forward(D_params, np.concatenate([x, x_fake]), leaky)   # one batch of 2m
logit = hs[-1]
grad_logit = np.concatenate([-sigmoid(-logit[:m]), sigmoid(logit[m:])]) / m  # dL_D/dl
grads_d = backward(D_params, hs, pre, grad_logit, leaky_slope)[0]
sgd_momentum(D_params, grads_d, velocity_d, config.lr_d * lr_factor)
# G step (minimax): L_G = mean log(1 - D(G(z))) = -mean s(l), through the updated D
z = p_z.sample(m, raw_rng)                               # fresh noise
g_hs, g_pre = forward(G_params, z, softplus)
d_hs, d_pre = forward(D_params, g_hs[-1], leaky)
grad_x = backward(D_params, d_hs, d_pre, -sigmoid(d_hs[-1]) / m, leaky_slope)[1]  # dL_G/dx
grads_g = backward(G_params, g_hs, g_pre, grad_x, sigmoid)[0]   # softplus' = sigmoid
sgd_momentum(G_params, grads_g, velocity_g, config.lr_g * lr_factor)

d_loss, v, g_loss = iteration(game, 1, train_rng)       # the library's iteration 1
difference = max(np.abs(a - b).max() for a, b in
                 zip(G_params + D_params, game.G.parameters() + game.D.parameters()))
raw_d_loss = float(np.mean(softplus(-logit[:m])) + np.mean(softplus(logit[m:])))
same_word = check("06 raw iteration equals the library's", difference, "<", 1e-12,
                  ("is the library's iteration, to rounding", "DIFFERS from the library's"))
say("""Shapes: x {x_shape}, z {z_shape}, G(z) {fake_shape}; D sees one batch of {batch} and
has {d_size} parameters, G {g_size}. Raw NumPy: L_D = {raw_loss:.6f} (library
{library_loss:.6f}); after one D step and one G step the largest difference between a weight
of the raw version and the library's is {difference:.1e}: the raw iteration {same_word}.""",
    x_shape=x.shape, z_shape=z.shape, fake_shape=x_fake.shape, batch=2 * m,
    d_size=game.D.flat_params.size, g_size=game.G.flat_params.size, raw_loss=raw_d_loss,
    library_loss=d_loss, difference=difference, same_word=same_word)
start_word = check("06 D at step 0 (the fresh D)", fresh_deviation, "<", 0.1,
                   ("near 1/2 (within 0.1), out of ignorance: a fresh D guesses",
                    "not yet near 1/2 (off by 0.1 or more), by the luck of its random weights"))
say("""Before any update, max |D(x) - 1/2| over the central 95% of p_data is
{deviation:.3f}: the fresh D is {start_word}.""", deviation=fresh_deviation,
    start_word=start_word)

# %% [markdown]
# ## The full run of the paper's algorithm

# %%
result = train(config)
history, metrics = result.history, result.metrics
say("""Trained in {seconds:.1f} s. Final generator: mean {mean:.4f} (target {target_mean}),
std {std:.4f} (target {target_std}), JSD(p_data || p_g) = {jsd:.2e} nats, max |D(x) - 1/2| on
the central 95% of p_data = {d_max_dev:.4f}.""",
    seconds=metrics["seconds"], mean=metrics["mean"], target_mean=p_data.mu, std=metrics["std"],
    target_std=p_data.sigma, jsd=metrics["jsd"], d_max_dev=metrics["d_max_dev"])

lesson.save(figure1(history), FIGURES[0])
frames = evolution_animation(history, lesson.out / FIGURES[1])
player_frames = evolution_html(history, lesson.out / FIGURES[2])
print("  " + _("[animation] {gif} ({frames} frames) and {html} ({player_frames} frames, one "
                "per snapshot)").format(gif=lesson.out / FIGURES[1], frames=frames,
                                        html=FIGURES[2], player_frames=player_frames))
say("""Open evolution.html in a browser (it needs no network): every snapshot is a frame, D and
D* on their own 0-to-1 axis beside the densities; space plays and pauses, the arrow keys step,
Home and End jump; click or drag on the loss and JSD curves to seek to that step.""")
if lesson.fast:
    say("""--fast: {steps} steps are too short for the run to reach the target (JSD = {jsd:.1e}
nats); Figure 1 shows the start of the game, not its end. Run without --fast to see D
flatten.""", steps=steps, jsd=metrics["jsd"])
moved = compare("06 paper run: final JSD vs step 0", history.jsd[-1], history.jsd[0],
                ("moves towards p_data", "stays as far from p_data as it started",
                 "moves away from p_data"), tolerance=0.1)
say("""Figure 1, read left to right: D (blue dashed) first separates the densities; G's arrows
pull the noise line towards where D says 'real'; p_g (green) {moved} (black dotted; JSD
{jsd_start:.3f} nats at step 0, {jsd_end:.2e} at the end), and D follows D* = p_data / (p_data
+ p_g), which is 1/2 wherever p_g = p_data.""",
    moved=moved, jsd_start=history.jsd[0], jsd_end=history.jsd[-1])
lesson.save(losses_figure(history, g_loss=config.g_loss), FIGURES[3])
lesson.save(jsd_figure(history), FIGURES[4])
lesson.save(discriminator_figure(result), FIGURES[5])

# %% [markdown]
# ## D -> 1/2

# %%
central = (history.grid >= low) & (history.grid <= high)
deviation = np.abs(np.asarray(history.D_grid)[:, central] - 0.5).max(axis=1)
snapshot_steps = np.asarray(history.snapshot_steps)
for i in (0, len(deviation) // 4, len(deviation) // 2, len(deviation) - 1):
    print("  " + _("step {step:5d}: max |D - 1/2| = {deviation:.4f},  JSD = {jsd:.2e} nats")
          .format(step=snapshot_steps[i], deviation=deviation[i], jsd=history.jsd[i]))
print()
D_history = np.asarray(history.D_grid)[:, central]
p_g_history, p_data_central = np.asarray(history.p_g_grid)[:, central], history.p_data_grid[central]
D_star = p_data_central / (p_data_central + p_g_history)   # the best D against each snapshot's G
star_gap = np.abs(D_star[-1] - 0.5).max()                  # what p_g != p_data leaves
d_error = np.abs(D_history[-1] - D_star[-1]).max()         # what D's own error leaves
assert deviation[0] == fresh_deviation     # the same fresh D on the same grid: one number
fall_word = check("06 D deviation falls", deviation[-1], "<", 0.5 * deviation.max(),
                  ("is pushed back towards 1/2 (below half its peak) as p_g closes in",
                   "has not come back towards 1/2 (to half its peak) by the end of this run"))
cause = compare("06 leftover: D's error vs D* - 1/2", d_error, star_gap,
                ("mostly the gap between D* and 1/2, that is where p_g still differs from p_data",
                 "as much D's own error as the gap between D* and 1/2",
                 "mostly D's own error (D is not D*), not a difference between p_g and p_data"),
                tolerance=0.25)
say("""At step 0 D is the fresh D above, {start_word}: max |D - 1/2| = {start:.3f}. Its largest
deviation, {peak:.3f}, comes at step {peak_step}; after that it {fall_word} ({end:.4f} at the
end). Which part of the leftover is which? At the end max |D* - 1/2| = {star_gap:.4f} (D* of
the final p_g: the part p_g != p_data explains) and max |D - D*| = {d_error:.4f} (D's distance
from the best response). The leftover is {cause}. The equilibrium (p_g = p_data, D = 1/2) is
where Algorithm 1 is headed; a finite run and a finite D only approach it.""",
    start_word=start_word, start=deviation[0], peak=deviation.max(),
    peak_step=snapshot_steps[np.argmax(deviation)], fall_word=fall_word, end=deviation[-1],
    star_gap=star_gap, d_error=d_error, cause=cause)

fig, ax = plt.subplots(figsize=(7, 3.8))
ax.semilogy(snapshot_steps, deviation, "o-", color="tab:blue", markersize=3,
            label=_fig(r"max $|D(x) - 1/2|$ on the central 95% of $p_{data}$"))
ax.semilogy(snapshot_steps, history.jsd, "s-", color="tab:green", markersize=3,
            label=_fig(r"JSD$(p_{data}\,\|\,p_g)$ (nats)"))
ax.set(xlabel=_fig("step"), ylabel=_fig("log scale"),
       title=_fig("As $p_g$ approaches $p_{data}$, D flattens towards 1/2"))
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[6])

# %% [markdown]
# ## From the paper's algorithm to the project's: three choices, one at a time
# The defaults of `GANConfig` differ from the paper's algorithm in three choices. We add them in
# this order: first the non-saturating G loss -log D(G(z)), which the paper itself recommends
# when D rejects G's samples early (the minimax loss then saturates: log(1 - D) is flat where
# D is near 0); then Adam in place of SGD with momentum (rate 2e-3, betas (0.5, 0.999)); last a
# learning rate decayed to 0 along a half cosine with G's weights averaged over the last quarter
# of the steps (Polyak averaging). The last row is the project's defaults, with m = 100 kept.
# Each row trains the same seeds and asks each run what `python -m gan train` asks of its
# default (gan.lab.success.DefaultRun).

# %%
seeds = range(lesson.pick(5, 3))
criterion = DefaultRun.of(p_data)
project = GANConfig()
added = {N_("non-saturating"): dict(g_loss=project.g_loss),
         "Adam": dict(optimizer=project.optimizer, momentum=project.momentum,
                      lr_g=project.lr_g, lr_d=project.lr_d, betas=project.betas),
         N_("cosine + averaging"): dict(lr_schedule=project.lr_schedule,
                                    average_last=project.average_last)}
stages, changes = {N_("the paper"): {}}, {}
for name, change in added.items():
    changes = {**changes, **change}
    stages[f"+ {name}"] = changes
FAR = 0.1      # nats: a run this far from p_data has not found the target at all


def shown(stage, translate=_):
    """A stage's name in the lesson's language: "the paper", or "+ " and the choice it adds."""
    return "+ " + translate(stage[2:]) if stage.startswith("+ ") else translate(stage)


def column(text, width, left=False):
    """``text`` padded to ``width`` columns (a Chinese character takes two), right-aligned."""
    room = " " * max(0, width - sum(1 + (unicodedata.east_asian_width(c) in "WF") for c in text))
    return text + room if left else room + text


print("  " + _("Seed sweeps on the fast engine (nn.fast, all seeds stacked: gan.lab.ensemble)."))
rows = {}
for name, change in stages.items():
    configs = [config.replace(seed=seed, snapshot_every=0, engine="fast", **change)
               for seed in seeds]
    runs = [r.metrics for r in train_ensemble(configs)]
    jsd = np.array([np.log(2) if "diverged_at" in r else r["jsd"] for r in runs])
    rows[name] = {"jsd": jsd, "median": float(np.median(jsd)), "far": int((jsd > FAR).sum()),
                  "succeeded": sum(succeeded(r, criterion) for r in runs),
                  "diverged": sum("diverged_at" in r for r in runs)}
print("  " + " " * 22 + column(_("median JSD"), 12) + column("JSD > " + str(FAR), 11)
      + column(_("succeeded"), 11) + column(_("diverged"), 10) + "   " + _("JSD per seed (nats)"))
for name, row in rows.items():
    print("  " + column(shown(name), 22, left=True)
          + f" {row['median']:11.2e} {row['far']:10d} {row['succeeded']:7d}/"
          f"{len(seeds)} {row['diverged']:9d}   " + " ".join(f"{j:.1e}" for j in row["jsd"]))
print("  " + _("(success: {rule})").format(rule=criterion.describe()))
print()
say("""Below, two medians within 25% of each other count as about the same.""")
if lesson.fast:
    say("""--fast: {steps} steps and {seeds} seeds are too short to tell the choices apart (the
criterion was set for full runs); the words below follow these numbers only. Run without
--fast for {full_steps} steps and 5 seeds.""",
        steps=steps, seeds=len(seeds), full_steps=GANConfig().steps)

names = list(rows)
for before, after in zip(names, names[1:]):
    old, new = rows[before], rows[after]
    far_word = compare(f"06 runs far off: {after}", new["far"], old["far"],
                       ("fewer", "as many", "more"))
    median_word = compare(f"06 median JSD: {after}", new["median"], old["median"],
                          ("lower than", "about the same as", "higher than"), tolerance=0.25)
    success_word = compare(f"06 runs succeeding: {after}", new["succeeded"], old["succeeded"],
                           ("fewer", "as many", "more"))
    choice = shown(after)[2:]                # the choice this stage adds
    say("""{choice}: {far_word} runs end far from p_data (JSD > {far}: {new_far} against
{old_far}); the median JSD, {new_median:.2e} nats, is {median_word} before
({old_median:.2e}); {success_word} runs meet the criterion ({new_succeeded} of {seeds}
against {old_succeeded}).""",
        choice=choice[:1].upper() + choice[1:], far_word=far_word, far=FAR,
        new_far=new["far"], old_far=old["far"], new_median=new["median"],
        median_word=median_word, old_median=old["median"], success_word=success_word,
        new_succeeded=new["succeeded"], seeds=len(seeds), old_succeeded=old["succeeded"])
last, first = rows[names[-1]], rows[names[0]]
all_word = check("06 project's choices: every seed succeeds", last["succeeded"], ">=", len(seeds),
                 ("every seed", "not every seed"))
say("""With all three choices, {all_word} meets the criterion ({last_succeeded} of {seeds};
the paper's algorithm: {first_succeeded}). What each choice is for: the
non-saturating loss gives G a steep gradient where D rejects its samples, where log(1 - D) is
flat; Adam scales each weight's step by the size of its own recent gradients; the decaying rate
and the averaging remove the noise the minibatches leave in the last iterates. The sentences
above say, from this run's numbers, which of them made a difference here.""",
    all_word=all_word, last_succeeded=last["succeeded"], seeds=len(seeds),
    first_succeeded=first["succeeded"])

fig, ax = plt.subplots(figsize=(7, 3.8))
for i, (name, row) in enumerate(rows.items()):
    ax.semilogy(np.full(len(row["jsd"]), i), row["jsd"], "o", color="tab:green", alpha=0.7)
    ax.semilogy([i - 0.25, i + 0.25], [row["median"]] * 2, "-", color="black")
ax.axhline(criterion.jsd, color="tab:gray", linestyle=":",
           label=_fig("success needs JSD below this (and more)"))
ax.set_xticks(range(len(rows)), [shown(name, _fig) for name in rows], fontsize=8)
ax.set(ylabel=_fig(r"final JSD$(p_{data}\,\|\,p_g)$ (nats)"),
       title=_fig("One choice at a time: each seed's final JSD (bar: median)"))
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[7])

# %%
print(_("Exercises"))
say("""1. Run the paper's algorithm at its released code's rate, GANConfig.paper(lr_g=0.1,
lr_d=0.1) (or python -m gan train --paper --lr-g 0.1 --lr-d 0.1). At which step does it
diverge, and which weights grow first?""")
say("""2. Set k = 5 in the paper's algorithm. Does D get closer to D* between G steps
(discriminator.png)? Does G reach the target faster per step, or per second?""")
lesson.finish()
