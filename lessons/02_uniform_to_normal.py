"""Lesson 02 -- from uniform to normal: Box-Muller, the polar method, and a generator G(u).

Follows the second step of the course: lesson 01 gave uniforms u in [0, 1); a GAN's noise z is
often normal, and its data are whatever they are. Box and Muller (1958) turn two uniforms into
two independent standard normals,

    z1 = sqrt(-2 ln u1) cos(2 pi u2),      z2 = sqrt(-2 ln u1) sin(2 pi u2),

and Marsaglia's polar method (Marsaglia and Bray 1964) does the same without sine or cosine by
rejecting points outside the unit disc. Then the distinction the GAN builds on (Goodfellow et
al. 2014, Section 3). The LCG and Box-Muller are explicit models (显式建模): the distribution
and its parameters are known and written down -- N(0, 1) has the density exp(-z^2/2)/sqrt(2 pi),
and every sample comes with it. An implicit model (隐式建模) gives only samples: a map G pushes
noise forward, x = G(z), and the model never writes the density of x down. A GAN's generator
is implicit; at the end we treat Box-Muller's radius map as if we did not know its law, and recover the law
from the map.

Run: python lessons/02_uniform_to_normal.py   (--fast: small sizes, as the tests run it; --show:
open the figures in windows)

Course section (by the course's Chinese terms): 显式建模 / 隐式建模 (explicit
/ implicit models) and the Box-Muller 变换 (transform).
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

import rng
from _lesson import _, _fig, check, say, start
from rng import quality

FIGURES = ("box_muller_map.png", "normal_histograms.png", "pushforward.png")

lesson = start(__file__, __doc__)
n = lesson.pick(1_000_000, 100_000)              # samples per histogram and test
generator = rng.Generator(1958)

# %% [markdown]
# ## Box-Muller, step by step
# Our uniforms lie in [0, 1), so u1 can be 0 and ln u1 = -inf. rng.box_muller therefore uses
# 1 - u1, which lies in (0, 1] and is uniform too (the same law), and computes
# r = sqrt(-2 ln(1 - u1)). The table shows 1 - u1 next to u1: r is computed from it.

# %%
say("""The formula is written with ln u1; the code uses ln(1 - u1), because u1 = 0 can happen
and 1 - u1 never is 0. Both u1 and 1 - u1 are uniform, so z1, z2 have the same law either way;
only the individual numbers differ (the table's r comes from the column 1 - u1).""")
u1, u2 = generator.random(5), generator.random(5)
radius = np.sqrt(-2.0 * np.log(1.0 - u1))        # r = sqrt(-2 ln(1 - u1))
angle = 2.0 * np.pi * u2                         # theta = 2 pi u2
z1, z2 = radius * np.cos(angle), radius * np.sin(angle)
print(f"  {'u1':>7s} {'1 - u1':>7s} {'u2':>7s} {'r':>7s} {'theta':>7s} {'z1':>8s} {'z2':>8s}")
for row in zip(u1, 1.0 - u1, u2, radius, angle, z1, z2):
    print("  " + " ".join(f"{value:7.4f}" for value in row[:5])
          + " " + " ".join(f"{value:8.4f}" for value in row[5:]))
library_z1, library_z2 = rng.box_muller(u1, u2)
print()
say("""rng.box_muller gives the same numbers (largest difference {difference:.1e}).""",
    difference=max(np.abs(library_z1 - z1).max(), np.abs(library_z2 - z2).max()))
say("""Why it works: the change of variables. The map (u1, u2) -> (z1, z2) is invertible, with
u1 = exp(-(z1^2 + z2^2) / 2) and u2 = atan2(z2, z1) / (2 pi) (mod 1). Its Jacobian, with
r^2 = z1^2 + z2^2:""")
print("    du1/dz1 = -z1 u1               du1/dz2 = -z2 u1")
print("    du2/dz1 = -z2 / (2 pi r^2)     du2/dz2 = z1 / (2 pi r^2)")
print("    det = -u1 z1^2 / (2 pi r^2) - u1 z2^2 / (2 pi r^2) = -u1 / (2 pi)")
print()
say("""The uniforms have density 1 on the square, so the density of (z1, z2) is 1 * |det| =
exp(-(z1^2 + z2^2) / 2) / (2 pi) = [exp(-z1^2 / 2) / sqrt(2 pi)] [exp(-z2^2 / 2) / sqrt(2 pi)].
It factors into a function of z1 times a function of z2, so z1 and z2 are independent, and each
factor is the N(0, 1) density. (With 1 - u1 in place of u1 the
first row changes sign, and |det| is the same.)""")
h = 1e-6                                          # central differences of the map itself
jacobians = np.empty(5)
for index, (a, b) in enumerate(zip(u1, u2)):
    columns = [np.subtract(rng.box_muller(a + h * da, b + h * db),
                           rng.box_muller(a - h * da, b - h * db)) / (2 * h)
               for da, db in ((1.0, 0.0), (0.0, 1.0))]
    jacobians[index] = abs(np.linalg.det(np.column_stack(columns)))
predicted = 2 * np.pi * np.exp(radius**2 / 2)      # |d(z1, z2)/d(u1, u2)| = 1 / |det|
many_z1, many_z2 = rng.box_muller(generator.random(n), generator.random(n))
correlations = (np.corrcoef(many_z1, many_z2)[0, 1], np.corrcoef(many_z1**2, many_z2**2)[0, 1])
small = check("02 largest |correlation| of z1, z2 and of their squares, within 3 / sqrt(n)",
              float(np.abs(correlations).max()), "<", 3 / math.sqrt(n),
              ("both within 3/sqrt(n) of 0, as for independent draws",
               "not both within 3/sqrt(n) of 0"))
say("""Checked on the five rows above: |d(z1, z2)/d(u1, u2)| by central differences against
2 pi exp(r^2 / 2) = 1 / |det|: largest relative difference {jacobian_error:.1e}. Independence on
{n} pairs: the correlation of z1 and z2 is {plain:+.4f} and that of z1^2 and z2^2 (which
uncorrelated but dependent variables need not share) {squares:+.4f}: {small}
(3/sqrt(n) = {bound:.4f}).""", jacobian_error=np.abs(jacobians / predicted - 1).max(), n=n,
    plain=correlations[0], squares=correlations[1], small=small, bound=3 / math.sqrt(n))

# %% [markdown]
# ## The map from the unit square to the plane, and the polar method's disc

# %%
levels = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
t = np.linspace(0.0, 0.999, 400)
circle_z1, circle_z2 = rng.box_muller(levels[:, None], t[None, :])     # u1 fixed: circles
ray_z1, ray_z2 = rng.box_muller(t[None, :], levels[:, None])           # u2 fixed: rays
points = generator.random((2, 800))
point_z1, point_z2 = rng.box_muller(points[0], points[1])

u_polar = generator.random((2, n))
polar_z1, polar_z2 = rng.polar(u_polar[0], u_polar[1])
acceptance = polar_z1.size / n
standard_error = math.sqrt(acceptance * (1 - acceptance) / n)
say("""Polar method: {accepted} of {n} pairs fell inside the unit disc, an acceptance rate of
{acceptance:.5f} +- {error:.5f} (one standard error) against pi/4 = {quarter_pi:.5f}, the disc's
share of the square. Each accepted pair gives two normals.""", accepted=polar_z1.size, n=n,
    acceptance=acceptance, error=standard_error, quarter_pi=math.pi / 4)

fig, (ax_square, ax_plane, ax_polar) = plt.subplots(1, 3, figsize=(15, 4.8))
colors = plt.cm.viridis(np.linspace(0.0, 0.9, levels.size))
for level, color, line_z1, line_z2 in zip(levels, colors, circle_z1, circle_z2):
    ax_square.axvline(level, color=color, linewidth=1.5, label=f"$u_1$ = {level}")
    ax_plane.plot(line_z1, line_z2, color=color, linewidth=1.5)
ax_square.plot(np.tile(t, (levels.size, 1)).T, np.tile(levels, (t.size, 1)), color="0.6",
               linestyle="--", linewidth=1)
ax_plane.plot(ray_z1.T, ray_z2.T, color="0.6", linestyle="--", linewidth=1)
ax_square.scatter(*points, c=points[0], s=4, cmap="viridis", vmax=1.1)
ax_plane.scatter(point_z1, point_z2, c=points[0], s=4, cmap="viridis", vmax=1.1)
ax_square.set(xlabel="$u_1$", ylabel="$u_2$", xlim=(0, 1), ylim=(0, 1), aspect="equal",
              title=_fig("Unit square: fixed $u_1$ (colour), fixed $u_2$ (grey)"))
ax_square.legend(loc="upper right", fontsize=7, framealpha=0.9)
ax_plane.set(xlabel="$z_1$", ylabel="$z_2$", xlim=(-3.5, 3.5), ylim=(-3.5, 3.5), aspect="equal",
             title=_fig("Box-Muller: $u_1$ sets the radius, $u_2$ the angle"))
shown = u_polar[:, :800] * 2 - 1                                         # v = 2u - 1
inside = np.sum(shown**2, axis=0) < 1
ax_polar.scatter(*shown[:, inside], s=4, color="tab:blue",
                 label=_fig("accepted (inside the disc)"))
ax_polar.scatter(*shown[:, ~inside], s=4, color="tab:red", label=_fig("rejected"))
ax_polar.add_patch(plt.Circle((0, 0), 1, fill=False, color="black"))
ax_polar.set(xlabel="$v_1 = 2u_1 - 1$", ylabel="$v_2 = 2u_2 - 1$", aspect="equal",
             xlim=(-1, 1), ylim=(-1, 1.45),
             title=_fig("Polar method keeps {share:.3f} of pairs (pi/4 = {quarter_pi:.3f})")
             .format(share=acceptance, quarter_pi=math.pi / 4))
ax_polar.legend(loc="upper center", fontsize=8, ncol=2)
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## Histograms against the normal density, and the Kolmogorov-Smirnov test

# %%
box_muller_z = generator.standard_normal(n)       # the library's Box-Muller
x = np.linspace(-5.5, 5.5, 500)
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
for ax, scale in zip(axes, ("linear", "log")):
    for sample, color, method in ((box_muller_z, "tab:green", _fig("Box-Muller")),
                                  (polar_z1, "tab:orange", _fig("polar method"))):
        ax.hist(sample, bins=120, range=(-6, 6), density=True, histtype="step", color=color,
                linewidth=1.3, label=_fig("{method} ({count} samples)").format(
                    method=method, count=sample.size))
    ax.plot(x, stats.norm.pdf(x), color="black", linestyle=":", linewidth=2,
            label=_fig("N(0, 1) pdf"))
    ax.set(yscale=scale, xlabel="z", ylabel=_fig("density"), xlim=(-6, 6))
axes[0].legend(fontsize=8, loc="center right")
axes[0].set_title(_fig("Both methods follow the normal density"))
axes[1].legend(fontsize=8, loc="lower center")
axes[1].set(ylim=(0.5 / n, 1),
            title=_fig("On a log scale: the tails, down to a few samples per bin"))
lesson.save(fig, FIGURES[1])

for method, sample in ((_("Box-Muller"), box_muller_z), (_("polar method"), polar_z1)):
    D, p = quality.ks_normality(sample)
    print("  " + _("{method:13s} KS D = {D:.5f}, p = {p:.3f}   (1.36/sqrt(n) = {bound:.5f})")
          .format(method=method, D=D, p=p, bound=1.36 / math.sqrt(sample.size)))
print()
say("""The KS statistic D is the largest gap between the sample's CDF and Phi. For n draws from
N(0, 1), D exceeds 1.36/sqrt(n) only 5% of the time; a p-value that is not tiny means the test
sees no difference at this n.""")

# %% [markdown]
# ## Explicit and implicit models: a generator is a map
# An explicit model writes the density down: Box-Muller's N(0, 1) (the dotted curve above) is
# one, and so is the LCG's uniform law -- we know the distribution and its parameters. An
# implicit model only gives a way to sample, x = G(u), and no formula for the density of x. A
# GAN's G is implicit: a map from noise to data, learned. Below, Box-Muller's radius map
# r = G(u) on its own, read as an implicit model: we only use its samples, then work out by the
# change of variables the density the map induces, p_g(r) = p_u(u) |du/dr|.

# %%
u = generator.random(n)
r = np.sqrt(-2.0 * np.log(1.0 - u))               # G(u), pushing U[0, 1) forward
# Change of variables: u = 1 - exp(-r^2/2), so p_g(r) = p_u(u) |du/dr| = r exp(-r^2/2).
r_grid = np.linspace(0.0, 4.5, 400)
p_g = r_grid * np.exp(-r_grid**2 / 2)
D, p = stats.kstest(r, "rayleigh")
say("""G(u) = sqrt(-2 ln(1 - u)) on {n} uniforms: mean {mean:.4f} +- {error:.4f} (Rayleigh law:
sqrt(pi/2) = {rayleigh_mean:.4f}); KS against the Rayleigh law D = {D:.5f}, p = {p:.3f}.
We never sampled from a density: the map made one, and here we derived it by hand because
G is a simple, invertible formula. For a 1D neural network's G the same change of variables
still gives p_g, summed over every z that maps to x: p_g(x) = sum p_z(z) / |G'(z)| (lesson 28
derives it; gan.pushforward computes p_g on a grid from fine cells of z, and that
is how the 1D lessons measure JSD). What a GAN never needs, and for images cannot have, is a
density: G maps 100 numbers to an image of 784 pixels, so p_g lives on a surface of at most 100
dimensions and has no density in the space of images at all. The game needs only samples.
Where G stretches (u near 0 and near 1), samples thin out and p_g is small; where it
squeezes, they crowd together.""", n=n, mean=r.mean(), error=r.std() / math.sqrt(n),
    rayleigh_mean=math.sqrt(math.pi / 2), D=D, p=p)

fig, (ax_map, ax_density) = plt.subplots(1, 2, figsize=(12, 4.2))
u_arrows = np.linspace(0.025, 0.975, 20)
r_arrows = np.sqrt(-2.0 * np.log(1.0 - u_arrows))
ax_map.hlines([0, 1], 0, 4.5, color="0.3")
for u_value, r_value in zip(u_arrows, r_arrows):
    ax_map.annotate("", xy=(r_value, 1), xytext=(4.5 * u_value, 0),
                    arrowprops=dict(arrowstyle="->", color="tab:green", linewidth=1))
u_ticks = np.linspace(0.0, 1.0, 5)
ax_map.set(xlim=(0, 4.5), ylim=(-0.15, 1.15), yticks=(0, 1), yticklabels=("u", "r = G(u)"),
           xticks=4.5 * u_ticks, xticklabels=[f"{value:.2f}" for value in u_ticks],
           xlabel=_fig("noise u (bottom line)"))
ax_map.secondary_xaxis("top").set_xlabel(_fig("r = G(u) (top line)"))
ax_map.set_title(_fig("Equal steps in u, short steps in r where $p_g$ is high"))
ax_density.hist(r, bins=90, range=(0, 4.5), density=True, color="tab:green", alpha=0.35,
                label=_fig("histogram of G(u), {n} samples").format(n=n))
ax_density.plot(r_grid, p_g, color="black", linestyle=":", linewidth=2,
                label=r"$p_g(r) = p_u(u)\,|du/dr| = r\,e^{-r^2/2}$")
ax_density.set(xlabel="r", ylabel=_fig("density"), xlim=(0, 4.5),
               title=_fig("The pushforward of U[0, 1) by G: samples match $p_g$"))
ax_density.legend(fontsize=8)
lesson.save(fig, FIGURES[2])

# %%
print(_("Exercises"))
say("""1. Write G(u) = -1 + scipy.special.ndtri(u) (the inverse of Phi, shifted): which
distribution does it push U[0, 1) to? Check with a histogram and quality.ks_normality(G(u) + 1).
This monotone map is what a 1D GAN's G, fed uniform noise, would have to learn for N(-1, 1).""")
say("""2. Time generator.standard_normal(10**6) against rng.polar on 2 * 10**6 uniforms (count the
normals each gives). Which is faster per normal here, and why might it differ in C?""")
lesson.finish()
