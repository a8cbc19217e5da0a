"""One stacked Linear: member e of Linear(stack=E) makes the BLAS calls of an unstacked Linear
holding W[e] and b[e], so its y, dL/dx and parameter gradients are bitwise the single layer's,
inside a Sequential (joined bias for one input feature) and called on its own."""

import numpy as np
import pytest

from nn.fast import Linear, Sequential


def _single(stacked, member):
    single = Linear(stacked.in_features, stacked.out_features, init="zeros",
                    dtype=stacked.dtype)
    single.W[...] = stacked.W[member]
    single.b[...] = stacked.b[member]
    return single


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("in_features, out_features", [(1, 5), (4, 3), (6, 1), (1, 1)])
@pytest.mark.parametrize("in_network", [False, True])
def test_stacked_member_is_bitwise_a_single_linear(in_features, out_features, in_network, dtype):
    rng, members = np.random.default_rng(in_features * 10 + out_features), 3
    stacked = Linear(in_features, out_features, rng, stack=members, dtype=dtype)
    stacked.b[...] = rng.normal(size=stacked.b.shape)
    singles = [_single(stacked, e) for e in range(members)]
    if in_network:                  # W and b in one buffer: the joined bias when in_features = 1
        stacked, singles = Sequential([stacked]), [Sequential([s]) for s in singles]
    # 37 rows: sums over the batch of an odd length, where another order rounds differently
    x = rng.normal(size=(members, 37, in_features)).astype(dtype)
    grad_y = rng.normal(size=(members, 37, out_features)).astype(dtype)
    y, grad_x = stacked.forward(x), stacked.backward(grad_y)
    layer = stacked.layers[0] if in_network else stacked
    for e, single in enumerate(singles):
        np.testing.assert_array_equal(single.forward(x[e]), y[e])
        np.testing.assert_array_equal(single.backward(grad_y[e]), grad_x[e])
        single_layer = single.layers[0] if in_network else single
        np.testing.assert_array_equal(single_layer.grad_W, layer.grad_W[e])
        np.testing.assert_array_equal(single_layer.grad_b, layer.grad_b[e])
