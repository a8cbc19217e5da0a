"""Lesson 01 -- random numbers from an integer recurrence: the linear congruential generator.

Follows the start of the course, before any network: every GAN begins by drawing noise z ~ p_z,
and a computer makes that noise from the linear congruential method (Knuth, TAOCP vol. 2, 3.2.1)

    x_{i+1} = (a x_i + c) mod m,        u_i = x_i / m in [0, 1)

(for m = 2^64 the uniform is made of x_i's top 53 bits, as rng.LCG.random documents).

We run the recurrence by hand, meet the classic presets, see when the period is the full m
(the Hull-Dobell theorem), jump ahead k steps at once, and then measure randomness: RANDU's
consecutive triples fall on 15 planes (Marsaglia 1968), which the spectral test sees and the
one-dimensional chi-square and Kolmogorov-Smirnov tests do not.

Run: python lessons/01_random_numbers.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)

Course section (by the course's Chinese terms): 线性同余法 (the linear congruential
method) and 随机数 (random numbers).
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

import rng
from _lesson import _, _fig, say, start
from rng import quality

FIGURES = ("randu_planes.png",)

lesson = start(__file__, __doc__)
n = lesson.pick(3_000_000, 300_000)             # uniforms per statistical test

# %% [markdown]
# ## The recurrence by hand, then with the library

# %%
a, c, m, x_0 = 5, 3, 16, 7                       # a tiny generator: 16 possible states
x = [x_0]
for i in range(5):                               # five steps of x_{i+1} = (a x_i + c) mod m
    x.append((a * x[-1] + c) % m)
library = rng.LCG(a, c, m, seed=x_0).raw(5)      # x_1..x_5 (the seed itself is not output)
say("""By hand with a = {a}, c = {c}, m = {m}, x_0 = {x_0}: x_0..x_5 = {x}. rng.LCG gives
x_1..x_5 = {library}; equal: {equal}. Dividing by m gives uniforms: {uniforms}.""",
    a=a, c=c, m=m, x_0=x_0, x=x, library=library.tolist(),
    equal=bool(np.array_equal(x[1:], library)), uniforms=[round(value / m, 4) for value in x[1:]])

# %% [markdown]
# ## The classic presets
# The C++ standard ([rand.predef]) fixes a check: seeded with 1, the 10000th number of
# minstd_rand0 must be 1043618065 and that of minstd_rand 399268537.

# %%
CPP_STANDARD_X_10000 = {"minstd_rand0": 1043618065, "minstd_rand": 399268537}
x_10000 = {name: int(rng.LCG.preset(name, seed=1).raw(10_000)[-1]) for name in rng.PRESETS}
print("  " + _("preset                          a                   c                    m  "
                "x_10000 from seed 1"))
for name, (a_, c_, m_) in rng.PRESETS.items():
    print(f"  {name:13s} {a_:19d} {c_:19d} {m_:20d} {x_10000[name]:20d}")
print()
say("""mmix, Knuth's 2^64 generator, is the project's default. Equal to the C++ standard's check
values: {equal}.""",
    equal=all(x_10000[name] == value for name, value in CPP_STANDARD_X_10000.items()))

# %% [markdown]
# ## Period and the Hull-Dobell theorem
# The period is m from every seed exactly when (i) c and m are coprime, (ii) every prime dividing
# m divides a - 1, and (iii) 4 divides a - 1 if 4 divides m (Knuth 3.2.1.2, Theorem A).

# %%
say("""Why each condition is needed. (i) If d = gcd(c, m) > 1, a seed that is a multiple of d
stays one: a x + c is a multiple of d whenever x is, so the sequence sees at most m / d states.
(ii) If a prime p divides m but not a - 1, then 1 - a is invertible mod p and the map
y -> a y + c has a fixed point y* = c / (1 - a) mod p; a seed with x_0 = y* mod p keeps
x_i = y* mod p for ever, at most m / p states. (iii) If 4 divides m and a = 3 mod 4 (a must be
odd by (ii) when m is even), then mod 4 the map is y -> -y + c, which applied twice is the
identity: x_i mod 4 takes at most 2 of its 4 values, at most m / 2 states.""")
say("""Why they suffice, for m = 2^k (c odd, a = 1 mod 4). From x_0 = 0,
x_n = c S_n with S_n = 1 + a + ... + a^(n-1), and as c is odd, x_n = 0 exactly when 2^k divides
S_n. Count the factors of 2 in S_n. For odd q, S_q is a sum of q odd numbers, so odd. Doubling,
S_2n = S_n (1 + a^n), and a^n = 1 mod 4 makes 1 + a^n = 2 mod 4: one factor of 2 more. Writing
n = 2^j q, S_n = S_(2^j) (1 + a^(2^j) + ... + a^(2^j (q-1))) has exactly j factors of 2. So the
first return to 0 is at n = 2^k = m: the cycle through 0 holds all m states, and since
x -> a x + c is a bijection (a odd), every seed lies on that one cycle.""")
S, power, twos_match = 0, 1, []
for n_terms in range(1, 65):                      # S_n for a = 5, compared 2-adically with n
    S, power = S + power, power * 5
    twos_match.append((S & -S) == (n_terms & -n_terms))
first_zero = next(n_terms for n_terms in range(1, 17)
                  if sum(5**i for i in range(n_terms)) % 16 == 0)
say("""Checked for a = 5: S_n and n have the same number of factors of 2 for n = 1..64:
{match}; the first n with S_n = 0 mod 16 is {first_zero}.""", match=all(twos_match),
    first_zero=first_zero)
print("    " + _("a   c   m  gcd(c, m)  a - 1  full_period  period from x_0 = 1"))
examples = [(5, 3, 16), (5, 0, 16), (3, 3, 16), (5, 2, 16), (4, 1, 9), (2, 1, 9), (1, 7, 30)]
for a_, c_, m_ in examples:
    print(f"  {a_:3d} {c_:3d} {m_:3d} {math.gcd(c_, m_):10d} {a_ - 1:6d}"
          f" {str(rng.full_period(a_, c_, m_)):>12s} {rng.period(a_, c_, m_, 1):20d}")
print()
say("""Every full_period = True row has period m; each False row breaks one condition and falls
into a shorter cycle. The last row, x_{{i+1}} = x_i + 7 mod 30, has the full period yet counts up
in steps of 7: a long period is necessary, not sufficient.""")

# %% [markdown]
# ## Jump-ahead: k steps in O(log k)
# x_{i+k} = A_k x_i + C_k mod m with A_k = a^k and C_k = c (a^k - 1)/(a - 1) (Brown 1994).

# %%
k = lesson.pick(1_000_000, 100_000)
stepped = int(rng.LCG.preset("mmix", seed=1).raw(k)[-1])
jumped = rng.LCG.preset("mmix", seed=1).advance(k).state
far = rng.LCG.preset("mmix", seed=1).advance(10**18).state
bits = (10**18).bit_length()          # square and multiply: a squaring, maybe a product, per bit
say("""mmix from seed 1: x_{k} by {k} steps = {stepped}, by advance({k}) = {jumped}; equal:
{equal}. advance(10^18) gives x_(10^18) = {far} at once: A_k = a^k and C_k come by repeated
squaring, each power in at most 2 x {bits} = {products} multiplications mod m for the {bits}
binary digits of 10^18, instead of 10^18 steps -- this is how LCG.raw fills whole blocks of
numbers without a Python loop per number.""", k=k, stepped=stepped, jumped=jumped,
    equal=stepped == jumped, far=far, bits=bits, products=2 * bits)

# %% [markdown]
# ## RANDU's planes
# RANDU (a = 65539 = 2^16 + 3, m = 2^31, c = 0) satisfies x_{i+2} = 6 x_{i+1} - 9 x_i mod 2^31,
# so every triple (x_i, x_{i+1}, x_{i+2}) lies on a plane 9 x - 6 y + z = k 2^31 for an integer k.

# %%
say("""Where RANDU's recurrence comes from. a = 2^16 + 3, so a^2 = 2^32 + 6 * 2^16 + 9
= 2^32 + 6 (a - 3) + 9 = 2^32 + 6 a - 9, and 2^32 = 0 mod 2^31: a^2 = 6 a - 9 (mod 2^31). With
c = 0, x_{{i+2}} = a^2 x_i = 6 (a x_i) - 9 x_i = 6 x_{{i+1}} - 9 x_i (mod 2^31). So
z - 6 y + 9 x is a multiple of 2^31 for every triple, and as 0 <= x, y, z < 2^31 that multiple
k 2^31 lies between -6 * 2^31 and 10 * 2^31: at most 15 planes.""")
randu_a = 65539
say("""Checked: a^2 mod 2^31 = {square}, 6 a - 9 = {linear}.""", square=randu_a**2 % 2**31,
    linear=6 * randu_a - 9)

# %%
triples_count = lesson.pick(6000, 3000)
randu = rng.Generator(2014, lcg="randu")
mmix = rng.Generator(2014)
randu_triples = quality.lcg_points(randu.lcg, triples_count)   # consecutive (x_i, x_i+1, x_i+2)
mmix_uniforms = quality.consecutive_tuples(mmix.random(triples_count + 2), 3)
normal = quality.shortest_dual_vector(65539, 2**31, 3)            # RANDU's a and m
planes = quality.count_planes(randu_triples, normal, 2**31)
on_planes = np.all((randu_triples[:, 2] - 6 * randu_triples[:, 1] + 9 * randu_triples[:, 0])
                   % 2**31 == 0)
say("""x_(i+2) - 6 x_(i+1) + 9 x_i = 0 mod 2^31 for all {count} triples drawn: {on_planes}.
The spectral test's shortest dual vector for RANDU in 3D is s = {normal}; the {count} triples
drawn lie on {planes} parallel planes s . x = k 2^31, spaced 1/|s| = {spacing:.3f} apart in the
unit cube.""", count=triples_count, on_planes=bool(on_planes), normal=normal, planes=planes,
    spacing=1 / math.sqrt(sum(v * v for v in normal)))

# Look along a direction d inside the planes (d . s = 0): they are then seen edge-on. With the
# view's elevation e and azimuth phi, d = (cos e cos phi, cos e sin phi, sin e), so d . s = 0 is
# |s_xy| cos(phi - psi) = -s_3 tan e, where psi is the azimuth of (s_1, s_2).
elevation = 20.0
psi = math.atan2(normal[1], normal[0])
cosine = -normal[2] * math.tan(math.radians(elevation)) / math.hypot(normal[0], normal[1])
azimuth = math.degrees(psi - math.acos(cosine))
fig = plt.figure(figsize=(15, 4.8))
panels = [(randu_triples / 2**31, 30, -60, _fig("RANDU, seen obliquely: looks random")),
          (randu_triples / 2**31, elevation, azimuth,
           _fig("RANDU, seen edge-on: {planes} planes").format(planes=planes)),
          (mmix_uniforms, elevation, azimuth, _fig("mmix, the same view: no planes"))]
for index, (points, view_elevation, view_azimuth, title) in enumerate(panels, start=1):
    ax = fig.add_subplot(1, 3, index, projection="3d", proj_type="ortho")
    ax.scatter(*points.T, s=0.6, color="tab:blue", alpha=0.6, depthshade=False)
    ax.set(xlim=(0, 1), ylim=(0, 1), zlim=(0, 1), xlabel="$u_i$", ylabel="$u_{i+1}$",
           zlabel="$u_{i+2}$", title=title)
    ax.set(xticks=(0, 0.5, 1), yticks=(0, 0.5, 1), zticks=(0, 0.5, 1))
    ax.tick_params(labelsize=7, pad=1)          # the three axes meet at a corner: keep it clear
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.labelpad = 2
        axis.set_ticklabels(["", "0.5", "1"])   # one 0 at the shared corner would print thrice
    ax.set_box_aspect((1, 1, 1))
    ax.view_init(elev=view_elevation, azim=view_azimuth)
fig.subplots_adjust(wspace=0.3)
fig.suptitle(_fig("Consecutive triples $(u_i, u_{i+1}, u_{i+2})$ of two generators"))
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## The spectral test: nu_t, the inverse of the widest gap between covering hyperplanes

# %%
print("  " + _("generator               nu_2           nu_3    Knuth's bar: nu_t >= 2^(30/t)"))
nu = {}
for name in ("randu", "minstd_rand0", "minstd_rand", "mmix"):
    a_, c_, m_ = rng.PRESETS[name]
    nu[name] = [math.sqrt(quality.spectral_test(a_, m_, t)) for t in (2, 3)]
    passes = [nu_t >= 2 ** (30 / t) for nu_t, t in zip(nu[name], (2, 3))]
    print(f"  {name:13s} {nu[name][0]:14.1f} {nu[name][1]:14.1f}"
          f"    t = 2: {passes[0]!s:5s}  t = 3: {passes[1]!s:5s}")
print()
say("""In 2D RANDU (nu_2 = {randu_2:.0f}) looks as good as minstd_rand ({minstd_2:.0f}); in 3D
its nu_3 collapses to {randu_3:.2f}: its planes are 1/nu_3 = {randu_gap:.3f} apart and no triple
ever falls between them. mmix's planes in 3D are 1/nu_3 = {mmix_gap:.1e} apart, far below
anything a plot or a test of a few million numbers can see.""",
    randu_2=nu["randu"][0], minstd_2=nu["minstd_rand"][0], randu_3=nu["randu"][1],
    randu_gap=1 / nu["randu"][1], mmix_gap=1 / nu["mmix"][1])

# %% [markdown]
# ## What the usual tests see

# %%
print("  " + _("generator      chi2 p (1D)     KS p  serial corr.  chi2 p (3D cells)"))
for name in ("randu", "minstd_rand", "mmix"):
    u = rng.Generator(7, lcg=name).random(n)
    # 3D test: non-overlapping triples into 10 x 10 x 10 cells, n / 3000 expected per cell
    cells = np.floor(10 * u[: n - n % 3].reshape(-1, 3)).astype(np.int64) @ (100, 10, 1)
    cube_p = stats.chisquare(np.bincount(cells, minlength=1000)).pvalue
    print(f"  {name:13s} {quality.chi_square_uniformity(u)[1]:12.3f}"
          f" {quality.ks_uniformity(u)[1]:8.3f} {quality.serial_correlation(u):13.2e}"
          f" {cube_p:18.2e}")
print()
say("""With n = {n} numbers, RANDU passes every one-dimensional test (p-values that are not
small, a serial correlation of the size 1/sqrt(n) = {size:.0e}) and fails the test on cubes of
triples: a test only sees the structure it looks for.""", n=n, size=1 / math.sqrt(n))

# %%
print(_("Exercises"))
say("""1. Find the planes of the tiny generator a = 5, c = 3, m = 16 by hand: which s = (s_1, s_2)
satisfies s_1 + 5 s_2 = 0 mod 16 with the smallest s_1^2 + s_2^2? Check with
quality.shortest_dual_vector(5, 16, 2), then plot its pairs (x_i, x_{{i+1}}).""")
say("""2. Change RANDU's multiplier to a = 65541 (= 2^16 + 5): rng.Generator(2014, lcg=(65541, 0,
2**31)). What do spectral_test(65541, 2**31, 3), count_planes and the edge-on view (computed
from the new shortest_dual_vector) say now?""")
lesson.finish()
