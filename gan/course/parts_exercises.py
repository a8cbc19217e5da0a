"""Parts ex01 ... ex25: the lessons' exercises whose answer is a number or a function
(exercises/lessonNN.py), each graded against the theory written here -- a direct enumeration,
finite differences, scipy's quadrature, quantiles and optimisers, closed forms, a Monte Carlo
estimate with a tolerance from its sample size -- never against a stored answer.

The truth is computed from scipy and numpy, not from the student's gan.theory: a student who has
not yet written C(G) still has an exercise graded by the right numbers. Each check imports the
student's module inside itself (see gan.course.parts_rng).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, optimize, special, stats

from gan.course.grading import finite_differences

LOG_4 = math.log(4.0)
ALPHA = 1e-3                   # significance level of the KS test
SIGMAS = 4.0                   # Monte Carlo estimates: within 4 standard errors


def _close_at(prop, actual, expected, what, against, points, point_name, rtol, atol):
    """prop.close elementwise over `points` (the argument each value belongs to), reported at
    the worst point by its value: "<what> differs from <against> at D = 0.27: 0.31 vs 0.12"."""
    expected = np.asarray(expected, dtype=np.float64)
    try:
        actual = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return prop.close(actual, expected, what, against)
    if actual.shape != expected.shape or not np.all(np.isfinite(actual)):
        return prop.close(actual, expected, what, against)
    excess = np.abs(actual - expected) - (atol + rtol * np.abs(expected))
    worst = int(np.argmax(excess))
    return prop.close(actual.ravel()[worst], expected.ravel()[worst], what, against,
                      name=f"{point_name} = {np.ravel(points)[worst]:.4g}", rtol=rtol, atol=atol)


def _normal_logpdf(x, mu, sigma):
    """log N(x; mu, sigma^2) = -(x - mu)^2 / (2 sigma^2) - log(sigma sqrt(2 pi)), written here
    (scipy's frozen distributions cost ~0.1 ms a call, too slow inside quad's integrands)."""
    return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma * math.sqrt(2 * math.pi))


def _mixture_logpdf(x, weights, mus, sigmas):
    """log sum_k w_k N(x; mu_k, sigma_k^2), by logaddexp."""
    terms = [math.log(w) + _normal_logpdf(x, mu, sigma)
             for w, mu, sigma in zip(weights, mus, sigmas)]
    total = terms[0]
    for term in terms[1:]:
        total = np.logaddexp(total, term)
    return total


# ---- ex01: the period of an LCG and the lines of its pairs --------------------------------
# (a, c, m): full periods (Hull-Dobell), short ones, and a = 4, m = 16 (not invertible: the
# sequence runs into a fixed point after a tail of other states).
LCG_CASES = ((5, 3, 16), (13, 7, 64), (4, 1, 9), (5, 2, 16), (3, 1, 16), (4, 1, 10), (3, 0, 31),
             (4, 1, 16), (2, 0, 12))
LINE_CASES = ((5, 16), (13, 64), (21, 100), (3, 31), (7, 97), (40, 101), (11, 128))


def enumerated_period(a, c, m, seed):
    """The period by enumeration: x_m lies on the cycle (at most m states come before it), so the
    period is the smallest k > 0 with x_{m + k} = x_m."""
    states = [seed % m]
    for _ in range(2 * m):
        states.append((a * states[-1] + c) % m)
    return next(k for k in range(1, m + 1) if states[m + k] == states[m])


def shortest_line_normal_length(a, m):
    """min |s|^2 over the nonzero s with s_1 + a s_2 = 0 (mod m), by enumerating |s_i| <= m."""
    s_1, s_2 = np.meshgrid(np.arange(-m, m + 1), np.arange(-m, m + 1))
    solves = ((s_1 + a * s_2) % m == 0) & ((s_1 != 0) | (s_2 != 0))
    return int((s_1**2 + s_2**2)[solves].min())


def check_ex01(grader):
    from exercises import lesson01

    with grader.property("lcg_period(a, c, m, seed) equals the period found by enumerating "
                         "the sequence (small m)") as prop:
        for a, c, m in LCG_CASES:
            for seed in (0, 1, m - 1):
                got, expected = lesson01.lcg_period(a, c, m, seed), enumerated_period(a, c, m, seed)
                prop.expect(got == expected, f"lcg_period({a}, {c}, {m}, seed={seed}) is {got}, "
                            f"enumerating x_0 ... x_{2 * m} gives {expected}")
    with grader.property("line_normal(a, m) solves s_1 + a s_2 = 0 (mod m), s != 0, and every "
                         "pair (x_i, x_{i+1}) lies on a line s . (x, y) = c s_2 (mod m)") as prop:
        for a, m in LINE_CASES:
            s_1, s_2 = (int(s) for s in lesson01.line_normal(a, m))
            if not prop.expect((s_1, s_2) != (0, 0) and (s_1 + a * s_2) % m == 0,
                               f"line_normal({a}, {m}) = ({s_1}, {s_2}): s_1 + a s_2 = "
                               f"{s_1 + a * s_2}, not 0 mod {m} (or s = 0)"):
                continue
            x = np.arange(m)                       # every state, with c = 1
            y = (a * x + 1) % m
            values = np.unique((s_1 * x + s_2 * y) % m)
            prop.expect(values.tolist() == [s_2 % m], f"the pairs of x -> {a} x + 1 mod {m} "
                        f"give s . (x, y) mod m = {values[:4].tolist()}, not the single value "
                        f"c s_2 = {s_2 % m}")
    with grader.property("line_normal(a, m) is as short as the shortest solution found by "
                         "enumerating |s_1|, |s_2| <= m") as prop:
        for a, m in LINE_CASES:
            s_1, s_2 = (int(s) for s in lesson01.line_normal(a, m))
            expected = shortest_line_normal_length(a, m)
            prop.expect(s_1**2 + s_2**2 == expected, f"line_normal({a}, {m}) = ({s_1}, {s_2}) "
                        f"has |s|^2 = {s_1**2 + s_2**2}, the shortest solution {expected}")


# ---- ex02: the inverse transform and the polar method's cost ------------------------------
POLAR_PAIRS = 100_000


def check_ex02(grader):
    from exercises import lesson02

    u = np.concatenate([[1e-12, 1e-6], np.linspace(0.001, 0.999, 999), [1 - 1e-6]])
    cases = ((-1.0, 1.0), (2.0, 0.5), (0.0, 3.0))
    with grader.property("inverse_normal_transform(u, mu, sigma) is N(mu, sigma^2)'s quantile "
                         "function (scipy.stats.norm.ppf)") as prop:
        for mu, sigma in cases:
            got = lesson02.inverse_normal_transform(u, mu, sigma)
            _close_at(prop, got, stats.norm(mu, sigma).ppf(u), f"G(u) for N({mu:g}, {sigma:g}^2)",
                      "scipy's norm.ppf", u, "u", rtol=1e-9, atol=1e-9)
    n = 20_000
    uniforms = np.random.default_rng(20140610).random(n)
    with grader.property(f"G pushes U[0, 1) to N(-1, 1): a KS test of G(u) (n = {n}, alpha = "
                         f"{ALPHA:g})") as prop:
        x = np.asarray(lesson02.inverse_normal_transform(uniforms, -1.0, 1.0), dtype=np.float64)
        test = stats.kstest(x, stats.norm(-1.0, 1.0).cdf)
        prop.expect(test.pvalue > ALPHA, f"G(u) fails the KS test against N(-1, 1): D = "
                    f"{test.statistic:.4f}, p = {test.pvalue:.2e} < alpha = {ALPHA:g}")
    draws = np.random.default_rng(1964)
    u1, u2 = draws.random(1000), draws.random(1000)
    u1[:3], u2[:3] = (0.5, 0.0, 0.25), (0.5, 0.5, 0.25)        # s = 0 and s = 1: not kept
    with grader.property("polar_normals_per_uniform(u1, u2) counts two normals per pair inside "
                         "the unit disc, per uniform") as prop:
        v1, v2 = 2 * u1 - 1, 2 * u2 - 1
        s = v1**2 + v2**2
        inside = int(np.count_nonzero((s > 0) & (s < 1)))
        prop.close(lesson02.polar_normals_per_uniform(u1, u2), 2 * inside / (2 * u1.size),
                   "polar_normals_per_uniform", f"2 x {inside} pairs inside the disc / "
                   f"{2 * u1.size} uniforms", rtol=1e-12)
    with grader.property(f"normals per uniform is pi/4 = {math.pi / 4:.4f} in expectation: a "
                         f"Monte Carlo estimate on {POLAR_PAIRS} pairs within {SIGMAS:g} "
                         f"standard errors") as prop:
        draws = np.random.default_rng(1958)
        rate = lesson02.polar_normals_per_uniform(draws.random(POLAR_PAIRS),
                                                  draws.random(POLAR_PAIRS))
        # A pair is kept with probability p = pi/4, independently: kept / n has standard error
        # sqrt(p (1 - p) / n) = 0.0013 for n = 10^5.
        p = math.pi / 4
        bound = SIGMAS * math.sqrt(p * (1 - p) / POLAR_PAIRS)
        prop.expect(abs(rate - p) <= bound, f"normals per uniform is {rate:.4f}, pi/4 = {p:.4f} "
                    f"(allowed: +-{bound:.4f} for n = {POLAR_PAIRS} pairs)")


# ---- ex03: a sigmoid network's gradients --------------------------------------------------
def check_ex03(grader):
    from exercises import lesson03

    for n, H, seed in ((4, 3, 3), (6, 5, 11)):
        draws = np.random.default_rng(seed)
        x = draws.uniform(-np.pi, np.pi, size=(n, 1))
        t = np.sin(x)
        W1, b1 = draws.normal(0, 1, (1, H)), draws.normal(0, 0.5, H)
        W2, b2 = draws.normal(0, 1, (H, 1)), draws.normal(0, 0.5, 1)
        arrays = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}

        def loss():                       # L = mean((sigma(x W1 + b1) W2 + b2 - t)^2)
            return np.mean((special.expit(x @ W1 + b1) @ W2 + b2 - t) ** 2)

        numerical = {name: finite_differences(loss, array) for name, array in arrays.items()}
        for names, why in ((("W2", "b2"), "the output layer"),
                           (("W1", "b1"), "through sigma' = sigma (1 - sigma)")):
            with grader.property(f"dL/d{names[0]}, dL/d{names[1]} ({why}) against finite "
                                 f"differences ({n} samples, {H} hidden units)") as prop:
                gradients = lesson03.sigmoid_network_gradients(
                    x.copy(), t.copy(), W1.copy(), b1.copy(), W2.copy(), b2.copy())
                gradients = dict(zip(("W1", "b1", "W2", "b2"), gradients))
                for name in names:
                    prop.close(gradients[name], numerical[name], f"dL/d{name}",
                               "finite differences", name=name, rtol=1e-5, atol=1e-8)


# ---- ex04: D's loss at D*, and D*'s logit for two normals ---------------------------------
def _loss_at_optimum_by_quadrature(log_p, log_q, low=-20.0, high=20.0):
    """-int p log(p / (p + q)) - int q log(q / (p + q)) dx by scipy's quad: -V(D*, G), from
    the log densities (log D* = log p - log(p + q), log(1 - D*) = log q - log(p + q))."""
    def integrand(x):
        lp, lq = log_p(x), log_q(x)
        log_total = np.logaddexp(lp, lq)
        return -(math.exp(lp) * (lp - log_total) + math.exp(lq) * (lq - log_total))

    return integrate.quad(integrand, low, high, points=[-3.0, -1.0, 0.0, 1.0, 2.0],
                          limit=400, epsabs=1e-11, epsrel=1e-11)[0]


def check_ex04(grader):
    from exercises import lesson04
    from gan.distributions import Mixture, Normal

    log_data = lambda x: _normal_logpdf(x, -1.0, 1.0)  # noqa: E731
    with grader.property("p_g = p_data = N(-1, 1): D's loss at D* is log 4 = 1.386 "
                         "(exercise 1)") as prop:
        prop.close(lesson04.discriminator_loss_at_optimum(Normal(-1.0, 1.0), Normal(-1.0, 1.0)),
                   LOG_4, "the loss at D*", "log 4", rtol=1e-7)
    cases = (("N(1, 0.7^2)", Normal(1.0, 0.7), lambda x: _normal_logpdf(x, 1.0, 0.7)),
             ("N(1, 1)", Normal(1.0, 1.0), lambda x: _normal_logpdf(x, 1.0, 1.0)),
             ("0.3 N(-3, 0.5^2) + 0.7 N(2, 1)",
              Mixture([Normal(-3.0, 0.5), Normal(2.0, 1.0)], weights=[0.3, 0.7]),
              lambda x: _mixture_logpdf(x, (0.3, 0.7), (-3.0, 2.0), (0.5, 1.0))))
    with grader.property("D's loss at D* is -E log D* - E log(1 - D*) = log 4 - 2 JSD, by "
                         "quadrature (p_data = N(-1, 1))") as prop:
        for name, p_g, log_g in cases:
            prop.close(lesson04.discriminator_loss_at_optimum(Normal(-1.0, 1.0), p_g),
                       _loss_at_optimum_by_quadrature(log_data, log_g),
                       f"the loss at D* for p_g = {name}", "scipy's quadrature", rtol=1e-6,
                       atol=1e-8)
    pairs = ((-1.0, 1.0, 1.0, 1.0), (-1.0, 1.0, 1.0, 0.7), (0.5, 2.0, -1.0, 1.0),
             (2.0, 0.3, 2.0, 1.5))
    x = np.array([-1.0, 0.0, 1.0])
    vandermonde = np.stack([x**2, x, np.ones(3)], axis=1)
    with grader.property("optimal_logit_quadratic: A x^2 + B x + C equals log p_data(x) - "
                         "log p_g(x) (scipy's logpdf)") as prop:
        for mu_data, sigma_data, mu_g, sigma_g in pairs:
            logit = (stats.norm(mu_data, sigma_data).logpdf(x)
                     - stats.norm(mu_g, sigma_g).logpdf(x))
            expected = np.linalg.solve(vandermonde, logit)      # the quadratic through 3 points
            got = lesson04.optimal_logit_quadratic(mu_data, sigma_data, mu_g, sigma_g)
            got = np.asarray(got, dtype=np.float64).reshape(-1)
            if not prop.expect(got.size == 3, f"optimal_logit_quadratic returned {got.size} "
                               f"numbers, expected 3: (A, B, C)"):
                continue
            for index, coefficient in enumerate(("A (x^2)", "B (x)", "C (1)")):
                prop.close(got[index], expected[index], f"{coefficient} for N({mu_data:g}, "
                           f"{sigma_data:g}^2) against N({mu_g:g}, {sigma_g:g}^2)",
                           "the quadratic through scipy's log-density differences",
                           rtol=1e-9, atol=1e-9)


# ---- ex05: the best normal, and dC/dmu ----------------------------------------------------
C_GRID = np.linspace(-16.0, 16.0, 4001)      # spacing 0.008: trapezoid error ~1e-7 at sigma 0.5
FIT_C_TOLERANCE = 5e-5                     # C rises ~1.5e-5 for a step of 0.02 off the optimum
FIT_TOLERANCE = 0.05                       # in mu and in sigma


def _c_on_grid(p, mu, sigma):
    """C(G) = -log 4 + int p log(2p / (p + q)) + q log(2q / (p + q)) dx for q = N(mu, sigma^2),
    by the trapezoid rule on C_GRID (p: the target's density there); mu and sigma may be arrays
    of one shape, for a C each."""
    mu, sigma = np.asarray(mu, dtype=np.float64), np.asarray(sigma, dtype=np.float64)
    q = np.exp(_normal_logpdf(C_GRID, mu[..., None], np.where(sigma > 0, sigma, 1.0)[..., None]))
    total = p + q
    integrand = (np.where(p > 0, p * np.log(np.where(p > 0, 2 * p / total, 1.0)), 0.0)
                 + np.where(q > 0, q * np.log(np.where(q > 0, 2 * q / total, 1.0)), 0.0))
    C = -LOG_4 + np.sum((integrand[..., 1:] + integrand[..., :-1]) * np.diff(C_GRID), axis=-1) / 2
    return np.where(sigma > 0, C, np.inf)


def _best_normal(p):
    """argmin of C over (mu, sigma): the best of a 21 x 17 grid, then Nelder-Mead from there."""
    mu, sigma = np.meshgrid(np.linspace(-5.0, 5.0, 21), np.linspace(0.2, 5.0, 17))
    C = _c_on_grid(p, mu, sigma)
    start = np.unravel_index(int(np.argmin(C)), C.shape)
    found = optimize.minimize(lambda v: float(_c_on_grid(p, *v)), (mu[start], sigma[start]),
                              method="Nelder-Mead", options={"xatol": 1e-5, "fatol": 1e-10})
    return found.x


def _c_by_quadrature(log_p, mu, sigma):
    """C(G) for p_g = N(mu, sigma^2) by scipy's quad, from log densities (D* in logit form)."""
    def integrand(x):
        log_q = _normal_logpdf(x, mu, sigma)
        lp = log_p(x)
        log_total = np.logaddexp(lp, log_q)
        return (math.exp(lp) * (math.log(2) + lp - log_total)
                + math.exp(log_q) * (math.log(2) + log_q - log_total))

    return -LOG_4 + integrate.quad(integrand, -20.0, 20.0, points=[-3, -2, -1, 0, 1, 2, 3, mu],
                                   limit=400, epsabs=1e-12, epsrel=1e-12)[0]


def check_ex05(grader):
    from exercises import lesson05
    from gan.distributions import Mixture, Normal

    targets = (
        ("0.5 N(-2, 0.5^2) + 0.5 N(2, 0.5^2) (exercise 1)",
         Mixture([Normal(-2.0, 0.5), Normal(2.0, 0.5)]),
         0.5 * stats.norm.pdf(C_GRID, -2, 0.5) + 0.5 * stats.norm.pdf(C_GRID, 2, 0.5)),
        ("N(1, 2^2)", Normal(1.0, 2.0), stats.norm.pdf(C_GRID, 1.0, 2.0)),
        ("0.3 N(-3, 0.5^2) + 0.7 N(2, 1)",
         Mixture([Normal(-3.0, 0.5), Normal(2.0, 1.0)], weights=[0.3, 0.7]),
         0.3 * stats.norm.pdf(C_GRID, -3, 0.5) + 0.7 * stats.norm.pdf(C_GRID, 2, 1.0)),
    )
    for name, p_data, p in targets:
        with grader.property(f"best_normal_fit minimises C(G) = -log 4 + 2 JSD over N(mu, "
                             f"sigma^2) (p_data = {name}; scipy's optimiser)") as prop:
            fit = np.asarray(lesson05.best_normal_fit(p_data), dtype=np.float64).reshape(-1)
            if not prop.expect(fit.size == 2, f"best_normal_fit returned {fit.size} numbers, "
                               f"expected 2: (mu, sigma)"):
                continue
            mu, sigma = fit
            best = _best_normal(p)
            c_fit, c_best = float(_c_on_grid(p, mu, sigma)), float(_c_on_grid(p, *best))
            prop.expect(c_fit <= c_best + FIT_C_TOLERANCE, f"C(G) at best_normal_fit's (mu, "
                        f"sigma) = ({mu:.4g}, {sigma:.4g}) is {c_fit:.6f}; scipy finds "
                        f"{c_best:.6f} at ({best[0]:.4g}, {best[1]:.4g})")
            prop.expect(abs(mu - best[0]) <= FIT_TOLERANCE and abs(sigma - best[1])
                        <= FIT_TOLERANCE, f"best_normal_fit gives (mu, sigma) = ({mu:.4g}, "
                        f"{sigma:.4g}); scipy's minimiser of C is ({best[0]:.4g}, {best[1]:.4g}) "
                        f"(allowed: +-{FIT_TOLERANCE:g} each)")
    slices = (("N(-1, 1)", Normal(-1.0, 1.0), lambda x: _normal_logpdf(x, -1.0, 1.0), 1.0,
               (-3.0, -1.5, -1.0, 2.0)),
              ("0.5 N(-2, 0.5^2) + 0.5 N(2, 0.5^2)", targets[0][1],
               lambda x: _mixture_logpdf(x, (0.5, 0.5), (-2.0, 2.0), (0.5, 0.5)), 0.7,
               (-1.0, 0.5, 3.0)))
    h = 1e-3          # central differences: h^2 C''' / 6 ~ 1e-7, quadrature error / h ~ 1e-8
    for name, p_data, log_p, sigma, points in slices:
        with grader.property(f"dC_dmu equals central differences of C(G) along mu (p_data = "
                             f"{name}, sigma = {sigma:g}; C by scipy's quad)") as prop:
            for mu in points:
                numerical = (_c_by_quadrature(log_p, mu + h, sigma)
                             - _c_by_quadrature(log_p, mu - h, sigma)) / (2 * h)
                prop.close(lesson05.dC_dmu(p_data, mu, sigma), numerical, "dC/dmu",
                           f"finite differences of C(G) (h = {h:g})", name=f"mu = {mu:g}",
                           rtol=1e-4, atol=1e-5)


# ---- ex07: the generator losses' slopes ---------------------------------------------------
def check_ex07(grader):
    from exercises import lesson07

    logits = np.linspace(-8.0, 8.0, 33)
    D = special.expit(logits)
    h = 1e-5
    losses = (("minimax", "log(1 - D) = -softplus(l)", lambda l: -np.logaddexp(0.0, l), 0),
              ("non-saturating", "-log D = softplus(-l)", lambda l: np.logaddexp(0.0, -l), 1))
    for name, formula, loss, index in losses:
        with grader.property(f"the {name} slope dL/dl against central differences of "
                             f"L = {formula}, as a function of D = sigma(l)") as prop:
            slopes = lesson07.generator_loss_slopes(D.copy())
            numerical = (loss(logits + h) - loss(logits - h)) / (2 * h)
            _close_at(prop, slopes[index], numerical, f"the {name} dL/dl",
                      "finite differences in the logit", D, "D", rtol=1e-6, atol=1e-9)
    with grader.property("at D = 1/2 (an untrained D) the two slopes are equal") as prop:
        minimax, non_saturating = lesson07.generator_loss_slopes(np.array([0.5]))
        prop.close(minimax, non_saturating, "the minimax slope at D = 1/2",
                   "the non-saturating one", rtol=1e-12)


# ---- ex24: extragradient on the bilinear game ---------------------------------------------
def _bilinear_field(w):
    """v(w) = (-dV/dtheta, dV/dpsi) = (-psi, theta) for V = theta psi."""
    return np.array([-w[1], w[0]])


def _extragradient_step(w, h):
    look_ahead = w + h * _bilinear_field(w)
    return w + h * _bilinear_field(look_ahead)


def check_ex24(grader):
    from exercises import lesson24

    steps = (0.1, 0.5, 1.0, 1.5)
    with grader.property("extragradient_map(h) is the matrix of w~ = w + h v(w), w' = w + "
                         "h v(w~) on v = (-psi, theta)") as prop:
        for h in steps:
            expected = np.stack([_extragradient_step(e, h) for e in np.eye(2)], axis=1)
            prop.close(lesson24.extragradient_map(h), expected, f"extragradient_map({h:g})",
                       "the two-stage step applied to the unit vectors", name="map",
                       rtol=1e-12, atol=1e-12)
    draws = np.random.default_rng(2019)
    with grader.property("extragradient_factor(h) is |w'|^2 / |w|^2 of that step, for random "
                         "w") as prop:
        for h in steps + (0.01, 2.0):
            w = draws.normal(size=2)
            w_new = _extragradient_step(w, h)
            prop.close(lesson24.extragradient_factor(h), (w_new @ w_new) / (w @ w),
                       "|w'|^2 / |w|^2", "one extragradient step", name=f"h = {h:g}",
                       rtol=1e-10)


# ---- ex25: the Hellinger distance as an f-divergence --------------------------------------
def _hellinger_f(u):
    return (np.sqrt(u) - 1) ** 2


def check_ex25(grader):
    from exercises import lesson25

    t_values = np.array([-3.0, -0.5, 0.0, 0.5, 0.9])
    with grader.property("hellinger_conjugate(t) = sup_u (t u - f(u)), f(u) = (sqrt(u) - 1)^2, "
                         "numerically (scipy's minimize_scalar)") as prop:
        numerical = []
        for t in t_values:
            best = optimize.minimize_scalar(lambda u: -(t * u - _hellinger_f(u)),
                                            bounds=(0.0, 1e4), method="bounded",
                                            options={"xatol": 1e-10})
            numerical.append(-best.fun)
        _close_at(prop, lesson25.hellinger_conjugate(t_values.copy()), numerical, "f*(t)",
                  "the numerical sup over u", t_values, "t", rtol=1e-6, atol=1e-7)
    u = np.array([0.04, 0.3, 1.0, 2.5, 9.0])
    with grader.property("Fenchel-Young: f*(f'(u)) = u f'(u) - f(u), f'(u) = 1 - 1/sqrt(u)") \
            as prop:
        slope = 1 - 1 / np.sqrt(u)
        _close_at(prop, lesson25.hellinger_conjugate(slope), u * slope - _hellinger_f(u),
                  "f*(f'(u))", "u f'(u) - f(u)", u, "u", rtol=1e-10, atol=1e-12)
    with grader.property("squared_hellinger_normals equals int (sqrt p - sqrt q)^2 dx by "
                         "quadrature") as prop:
        for mu_1, mu_2, sigma in ((-1.0, 0.0, 1.0), (0.0, 3.0, 0.5), (2.0, 2.0, 1.5),
                                  (-2.0, 1.0, 2.0)):
            def integrand(x, mu_1=mu_1, mu_2=mu_2, sigma=sigma):
                return (np.exp(_normal_logpdf(x, mu_1, sigma) / 2)
                        - np.exp(_normal_logpdf(x, mu_2, sigma) / 2)) ** 2

            expected = integrate.quad(integrand,
                                      -30.0, 30.0, points=[mu_1, mu_2], limit=200)[0]
            prop.close(lesson25.squared_hellinger_normals(mu_1, mu_2, sigma), expected,
                       f"the divergence of N({mu_1:g}, {sigma:g}^2) and N({mu_2:g}, "
                       f"{sigma:g}^2)", "quadrature", rtol=1e-7, atol=1e-10)
