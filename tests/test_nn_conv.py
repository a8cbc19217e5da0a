"""Convolutions and reshapes: finite differences, scipy's correlate and convolve, the defining sum,
the adjoint identities, output sizes, dtypes and errors."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

import nn.fast.conv
from nn.fast import Conv2d, ConvTranspose2d, Flatten, LeakyReLU, Linear, Reshape, Sequential
from nn.fast.conv import col2im, im2col
from nn.fast.im2col import Geometry, planar_col2im, planar_im2col
from nn.gradcheck import check_layer

seeds = st.integers(0, 2**32 - 1)


@st.composite
def axis_geometries(draw, largest_size=7):
    """(size, kernel, stride, padding) of one image axis with at least one output position;
    padding < kernel, so no output position sees only padding."""
    kernel = draw(st.integers(1, 4))
    stride = draw(st.integers(1, 3))
    padding = draw(st.integers(0, kernel - 1))
    size = draw(st.integers(max(1, kernel - 2 * padding), largest_size))
    return size, kernel, stride, padding


@st.composite
def conv_cases(draw, largest_size=7):
    """Keyword arguments of a Conv2d plus the shape of an input it accepts."""
    (height, kh, sh, ph), (width, kw, sw, pw) = draw(axis_geometries(largest_size)), draw(
        axis_geometries(largest_size))
    channels_in, channels_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(st.integers(1, 2))
    arguments = {"in_channels": channels_in, "out_channels": channels_out, "kernel_size": (kh, kw),
                 "stride": (sh, sw), "padding": (ph, pw)}
    return arguments, (batch, channels_in, height, width)


# The fast layers compute in one of two layouts (nn.fast.im2col), chosen by the image side's
# channel count: tests of the layers run in both, set by hand.
LAYOUTS = ["planar", "blocked"]


def _in_layout(layer, layout):
    layer.blocked = layout == "blocked"
    return layer


def _conv(arguments, rng, layout="planar", **extra):
    layer = Conv2d(**arguments, rng=rng, **extra)
    layer.b[...] = rng.normal(size=layer.b.shape)
    return _in_layout(layer, layout)


def _transpose_of(conv, rng, input_height, input_width):
    """The ConvTranspose2d with conv's weights that maps conv's output back to (height, width)."""
    (kh, kw), (sh, sw), (ph, pw) = conv.kernel_size, conv.stride, conv.padding
    output_padding = ((input_height + 2 * ph - kh) % sh, (input_width + 2 * pw - kw) % sw)
    transpose = ConvTranspose2d(conv.out_channels, conv.in_channels, (kh, kw), (sh, sw), (ph, pw),
                                output_padding, init="zeros")
    transpose.W[...] = conv.W
    return transpose


# ---- gradients ---------------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=20)
@given(seed=seeds, case=conv_cases())
def test_conv2d_gradients_match_finite_differences(seed, case, layout):
    arguments, shape = case
    rng = np.random.default_rng(seed)
    layer = _conv(arguments, rng, layout)
    assert check_layer(layer, rng.normal(size=shape), rng).max_relative_error < 1e-6


@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=20)
@given(seed=seeds, case=conv_cases(largest_size=5), output_padding=st.tuples(st.integers(0, 2),
                                                                              st.integers(0, 2)))
def test_conv_transpose2d_gradients_match_finite_differences(seed, case, output_padding, layout):
    arguments, (batch, channels, height, width) = case
    output_padding = tuple(o % s for o, s in zip(output_padding, arguments["stride"]))
    rng = np.random.default_rng(seed)
    layer = _in_layout(ConvTranspose2d(**arguments, output_padding=output_padding, rng=rng), layout)
    layer.b[...] = rng.normal(size=layer.b.shape)
    rows, cols = layer.output_shape((batch, channels, height, width))[2:]
    x = rng.normal(size=(batch, channels, height, width))
    if rows >= 1 and cols >= 1:
        assert check_layer(layer, x, rng).max_relative_error < 1e-6
    else:
        with pytest.raises(ValueError, match="padding"):
            layer.forward(x)


@pytest.mark.parametrize("layer_class", [Conv2d, ConvTranspose2d])
def test_float32_convolution_gradients_match_float64_finite_differences(layer_class):
    # A gradient entry here sums ~50 float32 products (unit roundoff 6e-8); 1e-4 relative to the
    # gradcheck floor is generous for rounding, while a wrong term gives errors of order 1.
    rng = np.random.default_rng(7)
    layer = layer_class(2, 3, 3, stride=2, padding=1, rng=rng, dtype=np.float32)
    x = rng.normal(size=(2, 2, 5, 5)).astype(np.float32)
    assert check_layer(layer, x, rng).max_relative_error < 1e-4


def test_backward_with_param_grads_false_leaves_parameter_gradients_untouched():
    rng = np.random.default_rng(0)
    for layer in (Conv2d(2, 3, 3, rng=rng), ConvTranspose2d(2, 3, 3, rng=rng)):
        layer.grad_W[...] = 7.0
        layer.grad_b[...] = 7.0
        y = layer.forward(rng.normal(size=(2, 2, 5, 5)))
        layer.backward(np.ones_like(y), param_grads=False)
        assert np.all(layer.grad_W == 7.0) and np.all(layer.grad_b == 7.0)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("layer_class, input_grad_steps, outputs", [
    (Conv2d, ("col2im", "planar_col2im"), 3 * 4 * 4),
    (ConvTranspose2d, ("_channels_first", "_planar_image"), 3 * 16 * 16)])
def test_backward_without_input_grad_skips_the_first_convolutions_input_gradient(
        layer_class, input_grad_steps, outputs, layout, monkeypatch):
    # D's images (or G's input) need no dL/dx: a Sequential's first convolution then sets bitwise
    # the same parameter gradients, returns None and never runs the last step of its dL/dx
    # (col2im; the layout copy of G W for ConvTranspose2d), which only it calls in this network.
    rng = np.random.default_rng(3)
    network = Sequential([_in_layout(layer_class(2, 3, 4, 2, 1, rng=rng), layout),
                          LeakyReLU(0.2), Flatten(), Linear(outputs, 1, rng)])
    network.layers[0].b[...] = rng.normal(size=3)
    twin = network.copy()
    _in_layout(twin.layers[0], layout)
    x, grad_y = rng.normal(size=(5, 2, 8, 8)), rng.normal(size=(5, 1))
    calls = []
    for name in input_grad_steps:
        original = getattr(nn.fast.conv, name)
        monkeypatch.setattr(nn.fast.conv, name,
                            lambda *args, original=original: calls.append(1) or original(*args))
    network.forward(x)
    assert network.backward(grad_y, input_grad=False) is None
    assert calls == []
    twin.forward(x)
    twin.backward(grad_y)
    assert calls == [1] and twin.flat_grads.any()
    np.testing.assert_array_equal(network.flat_grads, twin.flat_grads)


# ---- outside references --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=15)
@given(seed=seeds, case=conv_cases(largest_size=9))
def test_conv2d_matches_scipy_correlate_for_every_sample_and_channel_pair(seed, case, layout):
    arguments, shape = case
    rng = np.random.default_rng(seed)
    layer = _conv(arguments, rng, layout)
    x = rng.normal(size=shape)
    y = layer.forward(x)
    (ph, pw), (sh, sw) = layer.padding, layer.stride
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    reference = np.zeros_like(y)
    for n in range(shape[0]):
        for o in range(layer.out_channels):
            reference[n, o] = layer.b[o]
            for c in range(layer.in_channels):
                valid = scipy.signal.correlate(padded[n, c], layer.W[o, c], mode="valid",
                                               method="direct")
                reference[n, o] += valid[::sh, ::sw]
    np.testing.assert_allclose(y, reference, rtol=1e-12, atol=1e-12)


def test_conv2d_sums_each_window_on_a_hand_computed_image():
    # x = [[0 1 2] [3 4 5] [6 7 8]], a 2x2 kernel of ones: each output is the sum of its window.
    layer = Conv2d(1, 1, 2, init="zeros")
    layer.W[...] = 1.0
    layer.b[...] = 0.5
    y = layer.forward(np.arange(9.0).reshape(1, 1, 3, 3))
    np.testing.assert_array_equal(y, [[[[8.5, 12.5], [20.5, 24.5]]]])
    # Stride 2 and padding 1 on the same image: windows at rows/columns -1 and 1 of the image;
    # the top-left window holds only x[0, 0] = 0, its neighbour x[0, 1] + x[0, 2] = 3, and so on.
    strided = Conv2d(1, 1, 2, stride=2, padding=1, init="zeros")
    strided.W[...] = 1.0
    y = strided.forward(np.arange(9.0).reshape(1, 1, 3, 3))
    np.testing.assert_array_equal(y, [[[[0.0, 3.0], [9.0, 24.0]]]])


def test_conv2d_matches_the_defining_sum_on_a_tiny_case():
    # y[n, o, r, q] = b[o] + sum_{c, i, j} W[o, c, i, j] x~[n, c, s r + i, s q + j], written out.
    rng = np.random.default_rng(3)
    layer = _conv({"in_channels": 2, "out_channels": 2, "kernel_size": (3, 2), "stride": (2, 1),
                   "padding": (1, 0)}, rng)
    x = rng.normal(size=(2, 2, 5, 4))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (0, 0)))
    y = layer.forward(x)
    assert y.shape == (2, 2, (5 + 2 - 3) // 2 + 1, (4 - 2) // 1 + 1)
    for n, o, r, q in np.ndindex(y.shape):
        total = layer.b[o]
        for c, i, j in np.ndindex(2, 3, 2):
            total += layer.W[o, c, i, j] * padded[n, c, 2 * r + i, q + j]
        assert y[n, o, r, q] == pytest.approx(total, rel=1e-12, abs=1e-12)


@settings(max_examples=20)
@given(seed=seeds, batch=st.integers(1, 2), channels_in=st.integers(1, 3),
       channels_out=st.integers(1, 3), kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
       height=st.integers(1, 6),
       width=st.integers(1, 6))
def test_conv_transpose2d_with_unit_stride_is_a_full_convolution(
        seed, batch, channels_in, channels_out, kernel, height, width):
    # With s = 1 and p = 0, y[n, o] = sum_c x[n, c] (full convolution) W[c, o] + b[o].
    rng = np.random.default_rng(seed)
    layer = ConvTranspose2d(channels_in, channels_out, kernel, rng=rng)
    layer.b[...] = rng.normal(size=channels_out)
    x = rng.normal(size=(batch, channels_in, height, width))
    y = layer.forward(x)
    for n in range(batch):
        for o in range(channels_out):
            reference = layer.b[o] + sum(
                scipy.signal.convolve(x[n, c], layer.W[c, o], mode="full", method="direct")
                for c in range(channels_in))
            np.testing.assert_allclose(y[n, o], reference, rtol=1e-12, atol=1e-12)


# ---- adjoints and sizes --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@settings(max_examples=25)
@given(seed=seeds, case=conv_cases(largest_size=9))
def test_conv_transpose2d_is_the_adjoint_of_conv2d(seed, case, layout):
    # <C x, v> = <x, C^T v> for the same W and zero bias; C^T's output size (H - 1) s - 2p + k + o
    # must give back x's size, with o = (H + 2p - k) mod s.
    arguments, shape = case
    rng = np.random.default_rng(seed)
    conv = _in_layout(Conv2d(**arguments, rng=rng), layout)
    transpose = _in_layout(_transpose_of(conv, rng, *shape[2:]), layout)
    x = rng.normal(size=shape)
    Cx = conv.forward(x)
    v = rng.normal(size=Cx.shape)
    CTv = transpose.forward(v)
    assert CTv.shape == x.shape
    assert np.vdot(Cx, v) == pytest.approx(np.vdot(x, CTv), rel=1e-12, abs=1e-12)


@settings(max_examples=40)
@given(seed=seeds, height=st.integers(1, 6), width=st.integers(1, 6), kernel=st.integers(1, 5),
       stride=st.integers(1, 3), padding=st.integers(0, 2), output_padding=st.integers(0, 2))
def test_conv_transpose2d_output_size_follows_the_formula(
        seed, height, width, kernel, stride, padding, output_padding):
    # H_out = (H - 1) s - 2p + k + output_padding (Dumoulin & Visin 2016, relationship 14), and
    # Conv2d with the same geometry maps H_out back to H (floor((H_out + 2p - k) / s) + 1 = H).
    output_padding %= stride
    rng = np.random.default_rng(seed)
    layer = ConvTranspose2d(2, 1, kernel, stride, padding, output_padding, rng=rng)
    expected = [(n - 1) * stride - 2 * padding + kernel + output_padding for n in (height, width)]
    x = rng.normal(size=(1, 2, height, width))
    if min(expected) < 1:
        with pytest.raises(ValueError, match="padding"):
            layer.forward(x)
        return
    y = layer.forward(x)
    assert y.shape == (1, 1, *expected)
    assert Conv2d(1, 2, kernel, stride, padding, init="zeros").forward(y).shape == x.shape


@pytest.mark.parametrize("pair", [(im2col, col2im), (planar_im2col, planar_col2im)],
                         ids=["blocked", "planar"])
@settings(max_examples=40)
@given(seed=seeds, case=conv_cases(largest_size=9))
def test_col2im_is_the_adjoint_of_im2col(seed, case, pair):
    arguments, shape = case
    rng = np.random.default_rng(seed)
    geometry = arguments["kernel_size"], arguments["stride"], arguments["padding"]
    x = rng.normal(size=shape)
    columns = pair[0](x, *geometry)
    v = rng.normal(size=columns.shape)
    adjoint = pair[1](v, shape, *geometry)
    assert adjoint.shape == x.shape and adjoint.flags.c_contiguous
    assert np.vdot(columns, v) == pytest.approx(np.vdot(x, adjoint), rel=1e-12, abs=1e-12)


@settings(max_examples=40)
@given(seed=seeds, case=conv_cases(largest_size=9))
def test_im2col_blocks_hold_the_windows_of_the_padded_image(seed, case):
    # X[(a, b), (n, r, q), (alpha, beta, c)] = x~[n, c, s r + t a + alpha, s q + t b + beta], read
    # off the definition entry by entry (t = s where s divides k, else 1).
    arguments, shape = case
    geometry = arguments["kernel_size"], arguments["stride"], arguments["padding"]
    x = np.random.default_rng(seed).normal(size=shape)
    X = im2col(x, *geometry)
    g = Geometry(shape, *geometry)
    (ph, pw), (sh, sw), (th, tw) = g.padding, g.stride, g.t
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    (rows, cols), (ka, kb) = g.output_size, g.z_kernel
    expected = np.empty((ka, kb, shape[0], rows, cols, th, tw, shape[1]))
    for a, b, r, q, alpha, beta in np.ndindex(ka, kb, rows, cols, th, tw):
        expected[a, b, :, r, q, alpha, beta] = padded[:, :, sh * r + th * a + alpha,
                                                      sw * q + tw * b + beta]
    np.testing.assert_array_equal(X, expected.reshape(X.shape))


@pytest.mark.parametrize("layer_class", [Conv2d, ConvTranspose2d])
@settings(max_examples=25)
@given(seed=seeds, case=conv_cases(largest_size=9))
def test_blocked_and_planar_layouts_give_the_same_layer(seed, case, layer_class):
    # The same sums in another order (the blocked product splits each inner sum by kernel block):
    # float64 rounding of sums of at most 3 * 4 * 4 = 48 terms, far below 1e-12 relative.
    arguments, shape = case
    rng = np.random.default_rng(seed)
    layers = [_in_layout(layer_class(**arguments, rng=np.random.default_rng(seed)), layout)
              for layout in LAYOUTS]
    if min(layers[0].output_shape(shape)[2:]) < 1:
        return                                   # a ConvTranspose2d padded past its output
    for layer in layers:
        layer.b[...] = np.arange(layer.b.size)
    x = rng.normal(size=shape)
    outputs = [layer.forward(x) for layer in layers]
    grad_y = rng.normal(size=outputs[0].shape)
    grads = [layer.backward(grad_y) for layer in layers]
    for planar, blocked in [outputs, grads, [layer.grad_W for layer in layers],
                            [layer.grad_b for layer in layers]]:
        np.testing.assert_allclose(blocked, planar, rtol=1e-12, atol=1e-12 * np.abs(planar).max())


def test_conv2d_output_size_is_floor_of_the_formula():
    # floor((H + 2p - k) / s) + 1 with p = 1, k = 3, s = 3: H = 8 gives floor(7 / 3) + 1 = 3 (a
    # remainder dropped), W = 10 gives floor(9 / 3) + 1 = 4 (none).
    layer = Conv2d(1, 1, 3, stride=3, padding=1, init="zeros")
    assert layer.forward(np.zeros((2, 1, 8, 10))).shape == (2, 1, 3, 4)


# ---- dtypes, initialisation, reshapes ------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layer_class", [Conv2d, ConvTranspose2d])
def test_convolutions_keep_their_dtype(layer_class, dtype):
    rng = np.random.default_rng(1)
    layer = layer_class(2, 3, 4, stride=2, padding=1, rng=rng, dtype=dtype)
    y = layer.forward(rng.normal(size=(2, 2, 6, 6)).astype(dtype))
    grad_x = layer.backward(np.ones_like(y))
    arrays = (y, grad_x, layer.W, layer.b, layer.grad_W, layer.grad_b)
    assert {array.dtype for array in arrays} == {np.dtype(dtype)}


def test_he_initialisation_uses_channels_times_kernel_area_as_fan_in():
    # n = 32 * 16 * 25 = 12800 normal weights: the sample variance has relative standard error
    # sqrt(2 / n) ~ 1.3%; 6% is more than 4 standard errors.
    layer = Conv2d(16, 32, 5, rng=np.random.default_rng(0), init="he")
    assert layer.W.var() == pytest.approx(2 / (16 * 25), rel=0.06)
    dcgan = ConvTranspose2d(16, 32, 5, rng=np.random.default_rng(0), init=("normal", 0.02))
    assert dcgan.W.shape == (16, 32, 5, 5) and dcgan.W.std() == pytest.approx(0.02, rel=0.06)


@settings(max_examples=20)
@given(seed=seeds, shape=st.lists(st.integers(1, 4), min_size=2, max_size=4).map(tuple))
def test_flatten_and_reshape_gradients_match_finite_differences_and_invert_each_other(seed, shape):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    assert check_layer(Flatten(), x, rng).max_relative_error < 1e-6
    assert check_layer(Reshape(shape[1:]), x.reshape(shape[0], -1), rng).max_relative_error < 1e-6
    network = Sequential([Flatten(), Reshape(shape[1:])])
    np.testing.assert_array_equal(network.forward(x), x)
    np.testing.assert_array_equal(network.backward(x), x)


# ---- errors --------------------------------------------------------------------------------------
@pytest.mark.parametrize("arguments, message", [
    ({"in_channels": 0}, "in_channels"), ({"out_channels": 2.0}, "out_channels"),
    ({"kernel_size": 0}, "kernel_size"), ({"kernel_size": (3, 3, 3)}, "kernel_size"),
    ({"stride": 0}, "stride"), ({"padding": -1}, "padding"), ({"padding": True}, "padding")])
@pytest.mark.parametrize("layer_class", [Conv2d, ConvTranspose2d])
def test_convolutions_reject_bad_geometry_naming_the_argument(layer_class, arguments, message):
    full = {"in_channels": 2, "out_channels": 2, "kernel_size": 3, **arguments}
    with pytest.raises(ValueError, match=message):
        layer_class(**full, rng=np.random.default_rng(0))


def test_conv_transpose2d_rejects_output_padding_not_below_the_stride():
    with pytest.raises(ValueError, match="output_padding"):
        ConvTranspose2d(1, 1, 3, stride=2, output_padding=2, rng=np.random.default_rng(0))


def test_convolutions_require_a_generator_and_a_float_dtype():
    with pytest.raises(TypeError, match="rng"):
        Conv2d(1, 1, 3)
    with pytest.raises(TypeError, match="dtype"):
        ConvTranspose2d(1, 1, 3, init="zeros", dtype=np.int64)


def test_convolutions_name_expected_and_received_input_shapes():
    conv = Conv2d(3, 2, 5, init="zeros")
    with pytest.raises(ValueError, match=r"\(batch, 3, height, width\).*\(4, 2, 8, 8\)"):
        conv.forward(np.zeros((4, 2, 8, 8)))
    with pytest.raises(ValueError, match=r"\(batch, 3, height, width\).*\(4, 3, 8\)"):
        conv.forward(np.zeros((4, 3, 8)))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        conv.forward(np.zeros((4, 3, 4, 8)))


def test_reshape_layers_reject_bad_shapes():
    with pytest.raises(ValueError, match="shape"):
        Reshape((2, 0))
    with pytest.raises(ValueError, match=r"6 entries.*\(4, 5\)"):
        Reshape((2, 3)).forward(np.zeros((4, 5)))
    with pytest.raises(ValueError, match="Flatten"):
        Flatten().forward(np.zeros(3))
