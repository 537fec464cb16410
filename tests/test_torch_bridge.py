"""to_torch / from_torch: the same model in torch gives the same numbers.

Reference values come from PyTorch itself: the converted torch module is run by torch's own
forward and autograd, and compared with ours in float64.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from tinygrad_edu.nn import module as nn_module
from tinygrad_edu.nn import torch_bridge

from tinygrad_edu import Tensor, nn

TOL = 1e-10


def _all_module_classes() -> set[type]:
    out, stack = set(), [nn.Module]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in out and sub.__module__.startswith("tinygrad_edu.nn"):
                out.add(sub)
                stack.append(sub)
    return out


def test_every_nn_module_converts_or_refuses_with_a_reason() -> None:
    """A new module in nn cannot be forgotten: it converts, or the converter says why not."""
    known = set(torch_bridge._CONVERTERS) | {
        c for c in _all_module_classes() if c.__name__ in torch_bridge._SAME
    }
    refused = {c for c in _all_module_classes() if c.__name__ in torch_bridge._REFUSED}
    missing = _all_module_classes() - known - refused
    names = sorted(c.__name__ for c in missing)
    assert not missing, f"modules the converter knows nothing about: {names}"


def test_importing_the_package_never_imports_torch() -> None:
    code = (
        "import sys, tinygrad_edu, tinygrad_edu.nn, tinygrad_edu.models, tinygrad_edu.visualize\n"
        "from tinygrad_edu.nn import to_torch, from_torch\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_torch_says_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from tinygrad_edu import nn\n"
        "try:\n"
        "    nn.to_torch(nn.Linear(2, 3))\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install torch" in out.stdout


def test_refusals_name_the_submodule_and_its_type() -> None:
    pytest.importorskip("torch")
    with pytest.raises(nn.ConversionError, match=r"ValueMLP.*nn\.MLP"):
        nn.to_torch(nn.ValueMLP([2, 3, 1], seed=0))
    model = nn.Sequential(nn.Linear(2, 3), nn_module.make_activation(np.tanh, "test"))
    with pytest.raises(nn.ConversionError, match=r"'1' \(_Function\)"):
        nn.to_torch(model)


def test_from_torch_refuses_a_custom_torch_module_by_name() -> None:
    torch = pytest.importorskip("torch")

    class Mine(torch.nn.Module):
        def forward(self, x):  # pragma: no cover - never called
            return x

    seq = torch.nn.Sequential(torch.nn.Linear(2, 2), Mine())
    with pytest.raises(nn.ConversionError, match=r"'1' \(.*Mine\)"):
        nn.from_torch(seq)


# -- numbers ------------------------------------------------------------------------------------


def _models() -> dict[str, nn.Module]:
    f64 = np.float64
    return {
        "linear": nn.Linear(4, 3, seed=1, dtype=f64),
        "linear_nobias": nn.Linear(4, 3, bias=False, seed=2, dtype=f64),
        "sequential": nn.Sequential(
            nn.Linear(4, 5, seed=3, dtype=f64),
            nn.Sigmoid(),
            nn.Linear(5, 5, seed=4, dtype=f64),
            nn.Tanh(),
            nn.Linear(5, 3, seed=5, dtype=f64),
            nn.ReLU(),
            nn.Identity(),
            nn.Softmax(axis=-1),
        ),
        "mlp_sigmoid": nn.MLP([4, 6, 5, 3], activation="sigmoid", seed=6, dtype=f64),
        "mlp_relu_softmax": nn.MLP(
            [4, 6, 3], activation="relu", output_activation=nn.Softmax(), seed=7, dtype=f64
        ),
        # the lecture's DNN: 784 pixels, hidden layers, 10 scores (models.dnn builds this MLP)
        "lecture_dnn": nn.MLP([784, 32, 32, 10], activation="relu", seed=0, dtype=f64),
    }


def _input(model: nn.Module, n: int = 5) -> np.ndarray:
    first = next(m for m in model.modules() if isinstance(m, nn.Linear))
    return np.random.default_rng(0).uniform(-1, 1, (n, first.in_features))


@pytest.mark.parametrize("name", list(_models()))
def test_outputs_and_parameter_gradients_equal_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    model = _models()[name]
    tmodel = nn.to_torch(model)
    x = _input(model)
    w = np.random.default_rng(1).normal(size=model(Tensor(x)).shape)  # a random loss Σ w·y

    y = model(Tensor(x))
    (y * Tensor(w)).sum().backward()
    ty = tmodel(torch.from_numpy(x))
    (ty * torch.from_numpy(w)).sum().backward()

    np.testing.assert_allclose(ty.detach().numpy(), y.data, rtol=TOL, atol=TOL)
    grads = {n: p.grad for n, p in tmodel.named_parameters()}
    ours = dict(model.named_parameters())
    assert set(grads) == set(ours)
    for n, p in ours.items():
        assert grads[n].dtype == torch.float64
        np.testing.assert_allclose(grads[n].numpy(), p.grad, rtol=TOL, atol=TOL, err_msg=n)


@pytest.mark.parametrize("name", list(_models()))
def test_round_trip_is_the_identity_on_every_parameter(name: str) -> None:
    pytest.importorskip("torch")
    model = _models()[name]
    back = nn.from_torch(nn.to_torch(model))
    assert type(back) is type(model)
    before, after = model.state_dict(), back.state_dict()
    assert list(before) == list(after)
    for n in before:
        assert after[n].dtype == before[n].dtype
        np.testing.assert_array_equal(after[n], before[n], err_msg=n)
    x = _input(model)
    np.testing.assert_array_equal(back(Tensor(x)).data, model(Tensor(x)).data)


def test_float32_models_stay_float32() -> None:
    torch = pytest.importorskip("torch")
    t = nn.to_torch(nn.MLP([3, 4, 2], seed=0))
    assert all(p.dtype == torch.float32 for p in t.parameters())
    back = nn.from_torch(t)
    assert all(p.data.dtype == np.float32 for p in back.parameters())


def test_ten_sgd_steps_give_the_same_parameters() -> None:
    torch = pytest.importorskip("torch")
    model = nn.MLP([4, 8, 3], activation="tanh", seed=3, dtype=np.float64)
    tmodel = nn.to_torch(model)
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(16, 4)), rng.integers(0, 3, 16)
    opt = nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    topt = torch.optim.SGD(tmodel.parameters(), lr=0.1, momentum=0.9)
    for _ in range(10):
        opt.zero_grad()
        nn.cross_entropy(model(Tensor(x)), y).backward()
        opt.step()
        topt.zero_grad()
        tloss = torch.nn.functional.cross_entropy(tmodel(torch.from_numpy(x)), torch.from_numpy(y))
        tloss.backward()
        topt.step()
    for n, p in tmodel.named_parameters():
        np.testing.assert_allclose(p.detach().numpy(), model.state_dict()[n], rtol=1e-9, atol=1e-12)


def test_training_mode_is_carried_over() -> None:
    pytest.importorskip("torch")
    model = nn.MLP([2, 3, 1], seed=0).eval()
    t = nn.to_torch(model)
    assert t.training is False
    assert nn.from_torch(t.train()).training is True


def test_checkpoints_load_into_torch_and_torch_state_dicts_into_ours(tmp_path) -> None:
    torch = pytest.importorskip("torch")
    model = nn.MLP([4, 6, 3], seed=0, dtype=np.float64)
    path = tmp_path / "model.npz"
    nn.save(model, path)
    tmodel = nn.to_torch(nn.MLP([4, 6, 3], seed=99, dtype=np.float64))  # other weights
    tmodel.load_state_dict(nn.to_torch_state_dict(path))
    x = _input(model)
    np.testing.assert_allclose(
        tmodel(torch.from_numpy(x)).detach().numpy(), model(Tensor(x)).data, rtol=TOL
    )
    fresh = nn.MLP([4, 6, 3], seed=42, dtype=np.float64)
    nn.load_torch_state_dict(fresh, tmodel.state_dict())
    got = fresh.state_dict()["layers.1.weight"]
    np.testing.assert_array_equal(got, model.layers[1].weight.data)


def test_a_torch_state_dict_of_the_wrong_shape_changes_nothing() -> None:
    torch = pytest.importorskip("torch")
    model = nn.MLP([4, 6, 3], seed=0, dtype=np.float64)
    before = model.state_dict()
    bad = nn.to_torch(nn.MLP([4, 7, 3], seed=0, dtype=np.float64)).state_dict()
    with pytest.raises(nn.CheckpointError, match="layers.0.weight"):
        nn.load_torch_state_dict(model, bad)
    for n, arr in model.state_dict().items():
        np.testing.assert_array_equal(arr, before[n])
    assert torch is not None


def test_from_torch_builds_our_layers_from_a_torch_sequential() -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tseq = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2), torch.nn.Softmax(dim=1)
    ).double()
    ours = nn.from_torch(tseq)
    assert [type(m).__name__ for m in ours] == ["Linear", "ReLU", "Linear", "Softmax"]
    assert ours[3].axis == 1
    x = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(
        ours(Tensor(x)).data, tseq(torch.from_numpy(x)).detach().numpy(), rtol=TOL
    )
