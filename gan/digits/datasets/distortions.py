"""The random distortions that turn a template into one sample (Simard, Steinkraus and Platt 2003,
"Best practices for convolutional neural networks applied to visual document analysis", ICDAR,
section 2): an affine map M = s R(theta) S(h), an elastic field d = alpha (G_sigma * U), and the
bilinear read x(u) = T( c_box + 2 M^-1 (u + d(u) - t) ) that applies both.
"""

import numpy as np
from scipy import ndimage

from gan.digits.datasets.glyphs import TEMPLATE_OVERSAMPLING

BORDER_PIXELS = 1          # rows and columns at each edge that never receive ink
MAX_DISPLACEMENT_FRACTION = 0.1  # an elastic field is rescaled so no pixel moves further


def affine_matrices(scale, theta, shear):
    """M = s R(theta) S(h) in (row, column) coordinates, shape (n, 2, 2); S slants the
    top of the digit to the right for h > 0 (rows grow downwards)."""
    cos, sin = np.cos(theta), np.sin(theta)
    rotation = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    slant = np.zeros_like(rotation)
    slant[:, 0, 0] = slant[:, 1, 1] = 1.0
    slant[:, 1, 0] = -shear
    return scale[:, None, None] * rotation @ slant


def elastic_displacements(rng, count, size, alpha, sigma, max_displacement):
    """d = alpha (G_sigma * U), U ~ U[-1, 1], shape (count, 2, size, size) in (row,
    column) order (Simard et al. 2003), each field scaled down if its largest
    displacement |d(u)| exceeds max_displacement."""
    U = rng.uniform(-1.0, 1.0, size=(count, 2, size, size))
    # the kernel cut at 3 sigma keeps 99.7% of its mass per axis and costs 3/4 of the
    # default 4-sigma cut
    d = alpha * ndimage.gaussian_filter(U, sigma=(0, 0, sigma, sigma), truncate=3.0)
    largest = np.sqrt((d ** 2).sum(axis=1)).max(axis=(1, 2))
    shrink = np.ones_like(largest)
    np.divide(max_displacement, largest, out=shrink, where=largest > max_displacement)
    return d * shrink[:, None, None, None]


def resample(templates, template, box, M, placement, d):
    """Images x(u) = T( c_box + 2 M^-1 (u + d(u) - t) ) for one chunk of samples.

    The template's nonzero box has corners c_box + e0 (bilinear reads are nonzero up to one
    template pixel beyond it); its image under M spans e_min..e_max around t.  Requiring
    t + e_min >= border + max|d| and t + e_max <= size - 1 - border - max|d| keeps the ink
    inside the frame: an inked pixel u has u + d(u) inside the mapped box.
    """
    count, size = d.shape[0], d.shape[-1]
    box_centre = np.stack([box[:, 0] + box[:, 1], box[:, 2] + box[:, 3]], axis=1) / 2
    half_extent = np.stack([box[:, 1] - box[:, 0], box[:, 3] - box[:, 2]], axis=1) / 2 + 1
    corners = half_extent[:, None, :] * np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]])
    mapped = np.einsum("nij,ncj->nci", M, corners / TEMPLATE_OVERSAMPLING)
    low, high = mapped.min(axis=1), mapped.max(axis=1)
    largest = np.sqrt((d ** 2).sum(axis=1)).max(axis=(1, 2))[:, None]
    room = size - 1 - 2 * BORDER_PIXELS - 2 * largest
    fit = np.minimum(1.0, (room / (high - low)).min(axis=1))
    M, low, high = M * fit[:, None, None], low * fit[:, None], high * fit[:, None]
    t_low = BORDER_PIXELS + largest - low
    t_high = size - 1 - BORDER_PIXELS - largest - high
    t = t_low + placement * np.maximum(t_high - t_low, 0.0)

    grid = np.stack(np.meshgrid(np.arange(size), np.arange(size), indexing="ij"))
    source = grid[None] + d - t[:, :, None, None]
    M_inverse = np.linalg.inv(M)
    p = (box_centre[:, :, None, None]
         + TEMPLATE_OVERSAMPLING * np.einsum("nij,njhw->nihw", M_inverse, source))
    coordinates = np.concatenate([
        np.broadcast_to(template[None, :, None, None], (1, count, size, size)),
        p.transpose(1, 0, 2, 3)])
    return ndimage.map_coordinates(templates, coordinates, order=1, mode="constant",
                                   cval=0.0, output=np.float32)
