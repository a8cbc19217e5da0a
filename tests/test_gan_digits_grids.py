"""gan.digits.grids and pictures: every grid a lesson saves gives a digit at least
MIN_DIGIT_PIXELS (48) pixels, so its strokes show; the measure itself is checked on a figure
whose size is known."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from gan.digits.grids import (
    MIN_DIGIT_PIXELS,
    animation_figure,
    digit_pixels,
    save_grid_animation,
    side_by_side_figure,
    tile,
)
from gan.digits.pictures import grid_picture


def _grids(*shape):
    return np.random.default_rng(0).random(shape)


def test_digit_pixels_measures_a_figure_of_known_size():
    # one 32 x 32 digit filling a 1-inch-square axes: 110 px at 110 dpi, 55 px at 55 dpi
    fig = plt.figure(figsize=(1, 1))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.imshow(tile(_grids(1, 1, 32, 32)))
    assert digit_pixels(fig, dpi=110) == pytest.approx(110)
    assert digit_pixels(fig, dpi=55) == pytest.approx(55)
    # two digits side by side with a 2-pixel gap (66 image pixels) in the same inch
    ax.images[0].remove()
    ax.imshow(tile(_grids(1, 2, 32, 32)))
    assert digit_pixels(fig, dpi=110) == pytest.approx(110 * 32 / 66)
    plt.close(fig)


@pytest.mark.parametrize("make", [
    # lesson 18's walks and arithmetic (16, 17 and 22's grids: tests/test_gan_digits_scores.py)
    lambda: side_by_side_figure({"": np.zeros((8, 10, 32, 32))}, "a walk"),
    lambda: side_by_side_figure({"": np.zeros((6, 13, 32, 32))}, "arithmetic"),
    lambda: animation_figure(np.zeros((1, 10, 10, 32, 32)))[0],        # every lesson's GIF
], ids=["walks", "arithmetic", "animation"])
def test_every_grid_figure_gives_a_digit_at_least_48_pixels(make):
    fig = make()
    assert digit_pixels(fig) >= MIN_DIGIT_PIXELS
    plt.close(fig)


def test_the_grid_animation_gives_a_digit_at_least_48_pixels(tmp_path):
    path = save_grid_animation(_grids(2, 3, 4, 32, 32), [0, 5], tmp_path / "g.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == 2
        # saved at the dpi digit_pixels assumes: 4 digits of 48 px across, 3 down at the least
        assert gif.size[0] >= 4 * MIN_DIGIT_PIXELS and gif.size[1] >= 3 * MIN_DIGIT_PIXELS


def test_grid_pictures_give_a_digit_64_pixels():
    picture = grid_picture(_grids(10, 10, 32, 32))
    # 32 px digits and 2 px gaps, each pixel repeated twice: 64 px a digit
    assert picture.shape == (2 * (10 * 34 - 2), 2 * (10 * 34 - 2))
