"""models.cnn: LeNet-5, the fully connected network of the same budget, training, feature maps."""

from __future__ import annotations

import numpy as np
from tinygrad_edu.models.cnn import (
    as_images,
    compare_cnn_fc,
    fc_same_budget,
    feature_maps,
    lenet5,
)
from tinygrad_edu.models.data import synthetic_digits

from tinygrad_edu import nn


def test_lenet5_has_the_classic_shapes_and_parameter_count() -> None:
    model = lenet5()
    # conv 6·(1·25) + 6, conv 16·(6·25) + 16, 256·120 + 120, 120·84 + 84, 84·10 + 10
    assert model.num_parameters() == 156 + 2416 + 30840 + 10164 + 850 == 44426
    out = model(np.zeros((3, 1, 28, 28), np.float32))
    assert out.shape == (3, 10) and out.dtype == np.float32
    assert [type(m).__name__ for m in model][:4] == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d"]


def test_lenet5_options() -> None:
    small = lenet5(channels=(4,), hidden=(), batchnorm=True, seed=1)
    assert [type(m).__name__ for m in small] == [
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "MaxPool2d",
        "Flatten",
        "Linear",
    ]
    assert small[-1].in_features == 4 * 12 * 12
    a, b = lenet5(seed=3), lenet5(seed=3)
    assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))


def test_fully_connected_network_of_the_same_budget() -> None:
    fc = fc_same_budget(44426)
    assert fc.sizes == [784, 56, 10]  # (784+1)·56 + (56+1)·10 = 44530, the closest
    assert fc.num_parameters() == 44530


def test_feature_maps_of_one_digit() -> None:
    maps = feature_maps(lenet5(), np.ones((28, 28), np.float32))
    assert [a.shape for _, a in maps] == [(6, 24, 24), (6, 12, 12), (16, 8, 8), (16, 4, 4)]
    assert all(a.min() >= 0 for _, a in maps)  # after ReLU
    assert as_images(np.zeros((2, 784))).shape == (2, 1, 28, 28)


def test_both_networks_learn_the_synthetic_digits() -> None:
    data = synthetic_digits(n_train=600, n_test=200, seed=0)
    r = compare_cnn_fc(data, epochs=2, seed=0)
    assert r.cnn.n_parameters == 44426 and r.fc.n_parameters == 44530
    for res in (r.cnn, r.fc):
        assert res.test_accuracy > 0.5, res.name  # chance is 0.1
        assert len(res.curve["loss"]) == 2
    assert isinstance(r.cnn.model[0], nn.Conv2d)


def test_picture_mosaic_scales_each_tile_and_leaves_white_gaps() -> None:
    from tinygrad_edu.visualize.plots import _mosaic

    tiles = np.array([[[1.0, -2.0]], [[0.0, 4.0]]])  # two 1×2 images
    np.testing.assert_array_equal(_mosaic(tiles, symmetric=True), [[0.5, -1, np.nan, 0, 1]])
    np.testing.assert_array_equal(_mosaic(tiles, symmetric=False), [[1, 0, np.nan, 0, 1]])
