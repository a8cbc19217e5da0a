"""A target known only through samples: the Gaussian kernel density estimate of a data file.

Given samples x_1, ..., x_n in R^d (d = 1 or 2), the estimate is the equal-weight mixture of
normals centred on them, all of standard deviation h (the bandwidth):

    p_hat(x) = (1/n) sum_i N(x; x_i, h^2 I),
    log p_hat(x) = logsumexp_i(-|x - x_i|^2 / (2 h^2)) - log n - d log h - d/2 log(2 pi).

The bandwidth rules (sigma_hat the samples' standard deviation with divisor n, pooled over the
coordinates as sqrt(mean_j var_j) when d = 2):

- Scott's (the default):  h = sigma_hat n^(-1/(d+4)), in 1D h = sigma_hat n^(-1/5);
- Silverman's:            h = 0.9 min(sigma_hat, IQR / 1.34) n^(-1/(d+4)), IQR the
                          interquartile range (averaged over the coordinates when d = 2);
- or a number given by the user.

Every theoretical number on such a target (D*, C(G), JSD, the figures' p_data) is a number about
p_hat, not about the unknown distribution the samples came from.

`read_samples` reads the samples of a .csv or .npy file on its real size (`nn.files`); errors
name the file and the line (row) at fault.
"""

from __future__ import annotations

import math
import os

import numpy as np
from scipy import special

from gan.distributions._checks import (_sample_size, _check_rng, _check_mass, _points,
                                       _finite_real, LOG_2PI, DEFAULT_MASS)
from gan.distributions.base import Distribution
from nn.files import ArchiveError, check_claim, check_path, npy_header, read_exact, stored_bytes

# config.json holds the samples so that it rebuilds the run, and settings files are read back
# with nn.files.read_json's 1 MB bound: 20 000 numbers, written one per line with indent 2
# (~28 bytes each), stay under it. So at most this many numbers (samples x dim) are accepted.
MAX_VALUES = 20_000
MIN_SAMPLES = 10            # fewer cannot say much about a density (and sigma_hat needs two)
MAX_FILE_BYTES = 4 << 20    # a .csv of MAX_VALUES numbers is well below 1 MB
RULES = ("scott", "silverman")
RULE_NAMES = {"scott": "Scott's rule h = sigma n^(-1/(d+4))",
              "silverman": "Silverman's rule h = 0.9 min(sigma, IQR/1.34) n^(-1/(d+4))",
              "given": "a given bandwidth"}
CHUNK_ELEMENTS = 1 << 21    # points x samples evaluated at once (16 MB of float64)


def bandwidth_by_rule(samples, rule="scott"):
    """h by `rule` ("scott" or "silverman", see the module notes) for samples of shape (n, d)."""
    samples = np.asarray(samples, dtype=np.float64)
    n, d = samples.shape
    sigma = math.sqrt(float(np.mean(samples.var(axis=0))))
    if rule == "scott":
        spread = sigma
    elif rule == "silverman":
        quartiles = np.quantile(samples, [0.25, 0.75], axis=0)
        iqr = float(np.mean(quartiles[1] - quartiles[0]))
        spread = 0.9 * (min(sigma, iqr / 1.34) if iqr > 0 else sigma)
    else:
        raise ValueError(f"bandwidth rule must be one of {list(RULES)} or a positive number, "
                         f"got {rule!r}")
    return spread * n ** (-1.0 / (d + 4))


class KDE(Distribution):
    """Gaussian kernel density estimate p_hat(x) = (1/n) sum_i N(x; x_i, h^2 I) of samples
    (n,) or (n, d), d in {1, 2}; `bandwidth` a rule ("scott", "silverman") or a positive
    number h. Example: `KDE(np.loadtxt("heights.csv"))`, Scott's h = sigma_hat n^(-1/5)."""

    def __init__(self, samples, bandwidth="scott", rule=None, source=None):
        samples = np.asarray(samples, dtype=np.float64)
        if samples.ndim == 1:
            samples = samples[:, None]
        if samples.ndim != 2 or samples.shape[1] not in (1, 2):
            raise ValueError(f"samples must have shape (n,), (n, 1) or (n, 2), got "
                             f"{samples.shape}")
        n, dim = samples.shape
        if n < MIN_SAMPLES:
            raise ValueError(f"samples must number at least {MIN_SAMPLES}, got {n}")
        if n * dim > MAX_VALUES:
            raise ValueError(f"samples must hold at most {MAX_VALUES} numbers (n x dim; "
                             f"config.json stores them), got {n} x {dim} = {n * dim}; "
                             f"subsample the data")
        if not np.all(np.isfinite(samples)):
            raise ValueError("samples must be finite")
        if not np.any(samples.var(axis=0) > 0):
            raise ValueError(f"samples must not all be equal (all {samples[0].tolist()}): "
                             f"their spread sets the bandwidth")
        if isinstance(bandwidth, str):
            rule, h = bandwidth, bandwidth_by_rule(samples, bandwidth)
        else:
            h = _finite_real("bandwidth", bandwidth)
            rule = "given" if rule is None else rule
        if rule not in RULE_NAMES:
            raise ValueError(f"rule must be one of {sorted(RULE_NAMES)}, got {rule!r}")
        if not h > 0:
            raise ValueError(f"bandwidth must be positive, got {h!r}")
        self.samples, self.dim, self.n = samples, dim, n
        self.h, self.rule = float(h), rule
        self.source = source
        self._log_normaliser = -math.log(n) - dim * (math.log(self.h) + 0.5 * LOG_2PI)

    def _chunks(self, x):
        """x flattened to (m, dim) and the slices of at most CHUNK_ELEMENTS / n points."""
        flat = x.reshape(-1, self.dim)
        step = max(1, CHUNK_ELEMENTS // self.n)
        return flat, [slice(start, start + step) for start in range(0, len(flat), step)]

    def logpdf(self, x):
        """logsumexp_i(-|x - x_i|^2 / (2 h^2)) - log n - d log h - d/2 log(2 pi)."""
        x = _points(x, self.dim)
        shape = x.shape if self.dim == 1 else x.shape[:-1]
        flat, chunks = self._chunks(x)
        out = np.empty(len(flat))
        for part in chunks:       # a loop over blocks of points, bounding memory; samples vectorised
            squared = np.sum((flat[part, None, :] - self.samples[None]) ** 2, axis=-1)
            out[part] = special.logsumexp(-squared / (2 * self.h**2), axis=-1)
        return (out + self._log_normaliser).reshape(shape)

    def cdf(self, x):
        """F(x) = (1/n) sum_i Phi((x - x_i) / h)."""
        self._require_scalar("cdf")
        x = _points(x, 1)
        flat, chunks = self._chunks(x)
        out = np.empty(len(flat))
        for part in chunks:
            out[part] = special.ndtr((flat[part] - self.samples[:, 0]) / self.h).mean(axis=-1)
        return out.reshape(x.shape)

    def sample(self, n, rng):
        """x = x_I + h epsilon: I uniform on the n samples (floor(n u), u ~ U[0, 1)), epsilon ~
        N(0, I)."""
        count = _sample_size(n)
        _check_rng(rng, "random")
        _check_rng(rng, "standard_normal")
        u = np.asarray(rng.random(count), dtype=np.float64).reshape(count)
        index = np.minimum((u * self.n).astype(np.int64), self.n - 1)
        epsilon = np.asarray(rng.standard_normal((count, self.dim)), dtype=np.float64)
        return self.samples[index] + self.h * epsilon.reshape(count, self.dim)

    def interval(self, mass=DEFAULT_MASS):
        """[min_i x_i - h z, max_i x_i + h z], z = Phi^-1((1 + mass) / 2): the hull of every
        kernel's central range of `mass`, so it holds at least `mass`."""
        self._require_scalar("interval")
        half_width = -self.h * special.ndtri((1.0 - _check_mass(mass)) / 2.0)
        return (float(self.samples.min() - half_width), float(self.samples.max() + half_width))

    def breakpoints(self):
        """The samples' 21 quantiles 0, 0.05, ..., 1: where the mass is, for quadrature to split
        at (every sample would be too many points)."""
        self._require_scalar("breakpoints")
        return np.unique(np.quantile(self.samples[:, 0], np.linspace(0.0, 1.0, 21)))

    @property
    def mean(self):
        """E x = (1/n) sum_i x_i."""
        mean = self.samples.mean(axis=0)
        return float(mean[0]) if self.dim == 1 else mean

    @property
    def std(self):
        """sqrt(sigma_hat^2 + h^2) per coordinate, sigma_hat^2 = (1/n) sum_i (x_i - mean)^2: the
        samples' spread plus the kernel's."""
        std = np.sqrt(self.samples.var(axis=0) + self.h**2)
        return float(std[0]) if self.dim == 1 else std

    @property
    def note(self):
        """One line for a training summary: what p_data is and what the theory's numbers mean."""
        source = f" of {self.source}" if self.source else ""
        return (f"  p_data is a Gaussian KDE of {self.n} samples{source} ({RULE_NAMES[self.rule]},"
                f" h = {self.h:.4g}): D*, JSD and the figures are relative to that estimate")

    def __repr__(self):
        low, high = float(self.samples.min()), float(self.samples.max())
        return (f"KDE(<{self.n} samples of dim {self.dim} in [{low:.4g}, {high:.4g}]>, "
                f"rule={self.rule!r}, h={self.h!r})")

    def to_dict(self):
        samples = self.samples[:, 0] if self.dim == 1 else self.samples
        return {"type": "KDE", "rule": self.rule, "bandwidth": self.h,
                "samples": samples.tolist()}

    @classmethod
    def from_fields(cls, fields):
        """The samples with the stored bandwidth h (not recomputed), and the rule it came from."""
        unknown = sorted(set(fields) - {"rule", "bandwidth", "samples"})
        if unknown:
            raise ValueError(f"a KDE description holds rule, bandwidth and samples, got also "
                             f"{unknown}")
        if "samples" not in fields or "bandwidth" not in fields:
            raise ValueError("a KDE description needs 'samples' and 'bandwidth'")
        return cls(fields["samples"], fields["bandwidth"], rule=fields.get("rule", "given"))


# ---- reading samples from a file ---------------------------------------------------------------

def read_samples(path):
    """The samples of a .csv or .npy file as float64 (n, d), d = 1 or 2, read on the file's real
    size: ArchiveError (a ValueError) naming the file and the line at fault for a file larger
    than MAX_FILE_BYTES, a non-numeric cell, a wrong column count, a non-finite value, fewer
    than MIN_SAMPLES or more than MAX_VALUES numbers.

    .csv: one number per line (1D) or two separated by a comma (2D); blank lines and lines
    starting with '#' are skipped, and the first line may be a header of names (no cell a
    number). .npy: a numeric array of shape (n,), (n, 1) or (n, 2), no Python objects."""
    path = check_path(path)
    if not os.path.isfile(path):
        raise ArchiveError(f"{path}: no such file")
    size = stored_bytes(path)
    if os.path.getsize(path) > MAX_FILE_BYTES or size > MAX_FILE_BYTES:
        raise ArchiveError(f"{path}: {os.path.getsize(path)} bytes, more than the "
                           f"{MAX_FILE_BYTES} bytes a samples file may hold (at most "
                           f"{MAX_VALUES} numbers are used); refused unread")
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".csv":
        samples = _read_csv(path)
    elif suffix == ".npy":
        samples = _read_npy(path)
    else:
        raise ArchiveError(f"{path}: a samples file must end in .csv or .npy, got "
                           f"{suffix or 'no suffix'!r}")
    if len(samples) < MIN_SAMPLES:
        raise ArchiveError(f"{path}: {len(samples)} samples, fewer than the {MIN_SAMPLES} a "
                           f"density estimate needs")
    return samples


def _read_csv(path):
    with open(path, "rb") as file:
        data = file.read(MAX_FILE_BYTES + 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as reason:
        raise ArchiveError(f"{path}: not UTF-8 text ({reason})") from None
    rows, columns, first = [], None, True
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split(",")]
        values = []
        for cell in cells:
            try:
                values.append(float(cell))
            except ValueError:
                values.append(None)
        if first and all(v is None for v in values):
            first = False
            continue                                   # a header line of names
        first = False
        bad = [cell for cell, value in zip(cells, values) if value is None]
        if bad:
            raise ArchiveError(f"{path}: line {number}: cell {bad[0]!r} is not a number")
        if len(values) not in (1, 2):
            raise ArchiveError(f"{path}: line {number}: {len(values)} columns; a samples file "
                               f"has 1 (1D) or 2 (2D)")
        if columns is None:
            columns = len(values)
        elif len(values) != columns:
            raise ArchiveError(f"{path}: line {number}: {len(values)} columns, the lines before "
                               f"have {columns}")
        if not all(math.isfinite(v) for v in values):
            raise ArchiveError(f"{path}: line {number}: {line!r} is not finite")
        rows.append(values)
        if len(rows) * columns > MAX_VALUES:
            raise ArchiveError(f"{path}: line {number}: more than {MAX_VALUES} numbers "
                               f"(config.json stores them); subsample the data")
    return np.array(rows, dtype=np.float64).reshape(len(rows), columns or 1)


def _read_npy(path):
    with open(path, "rb") as stream:
        shape, fortran, dtype = npy_header(stream, path, "the array")
        if dtype.kind not in "iuf" or len(shape) not in (1, 2) or (
                len(shape) == 2 and shape[1] not in (1, 2)):
            raise ArchiveError(f"{path}: the array must be numeric of shape (n,), (n, 1) or "
                               f"(n, 2), got shape {shape} of {dtype}")
        count = math.prod(shape)
        if count > MAX_VALUES:
            raise ArchiveError(f"{path}: {count} numbers, more than {MAX_VALUES} (config.json "
                               f"stores them); subsample the data")
        needed = count * dtype.itemsize
        check_claim(path, needed, "the array declares",
                    limit=max(stored_bytes(path) - stream.tell(), 0))
        data = read_exact(stream, needed, path, "the array")
    samples = data.view(dtype).reshape(shape, order="F" if fortran else "C")
    samples = samples.astype(np.float64).reshape(shape[0], -1)
    finite = np.isfinite(samples).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise ArchiveError(f"{path}: row {row} (line {row + 1}): {samples[row].tolist()} is not "
                           f"finite")
    return samples
