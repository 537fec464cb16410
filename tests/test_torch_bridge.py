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
F64 = np.float64


def _lin(i: int, o: int, seed: int) -> nn.Linear:
    return nn.Linear(i, o, seed=seed, dtype=F64)


def _examples() -> dict[str, tuple[nn.Module, tuple[int, ...]]]:
    """name -> (a float64 model, its input shape): one example per convertible module class
    (test_every_convertible_module_has_an_example keeps it so), plus the lecture's networks."""
    from tinygrad_edu.models.cnn import lenet5

    def act(m: nn.Module) -> tuple[nn.Module, tuple[int, ...]]:  # activations between layers
        return nn.Sequential(_lin(4, 5, 1), m, _lin(5, 3, 2)), (6, 4)

    return {
        "Linear": (_lin(4, 3, 1), (5, 4)),
        "Linear-nobias": (nn.Linear(4, 3, bias=False, seed=2, dtype=F64), (5, 4)),
        "Sequential": (
            nn.Sequential(_lin(4, 5, 3), nn.Sigmoid(), _lin(5, 5, 4), nn.Tanh(), _lin(5, 3, 5)),
            (5, 4),
        ),
        "MLP": (nn.MLP([4, 6, 5, 3], activation="sigmoid", seed=6, dtype=F64), (5, 4)),
        "MLP-softmax-out": (
            nn.MLP([4, 6, 3], activation="relu", output_activation=nn.Softmax(), seed=7, dtype=F64),
            (5, 4),
        ),
        "Identity": act(nn.Identity()),
        "Sigmoid": act(nn.Sigmoid()),
        "Tanh": act(nn.Tanh()),
        "ReLU": act(nn.ReLU()),
        "Softmax": act(nn.Softmax(axis=0)),
        "LogSoftmax": act(nn.LogSoftmax(dim=1)),
        "Dropout": act(nn.Dropout(0.3)),  # eval mode in these tests: the identity on both sides
        "Flatten": (nn.Sequential(nn.Flatten(), _lin(12, 3, 3)), (5, 3, 2, 2)),
        "LeakyReLU": act(nn.LeakyReLU(0.2)),
        "ELU": act(nn.ELU(0.7)),
        "GELU": act(nn.GELU()),
        "GELU-tanh": act(nn.GELU(approximate="tanh")),
        "SiLU": act(nn.SiLU()),
        "Softplus": act(nn.Softplus(beta=2.0, threshold=5.0)),
        "Hardtanh": act(nn.Hardtanh(-0.5, 0.5)),
        "ReLU6": act(nn.ReLU6()),
        "Softsign": act(nn.Softsign()),
        "Mish": act(nn.Mish()),
        "LogSigmoid": act(nn.LogSigmoid()),
        "Conv2d": (
            nn.Sequential(
                nn.Conv2d(2, 4, 3, stride=2, padding=1, seed=1, dtype=F64),
                nn.Conv2d(4, 4, 3, padding=2, dilation=2, groups=4, bias=False, seed=2, dtype=F64),
            ),
            (2, 2, 7, 7),
        ),
        "Conv1d": (nn.Conv1d(3, 2, 3, stride=1, padding=1, seed=3, dtype=F64), (2, 3, 9)),
        "MaxPool2d": (
            nn.Sequential(nn.Conv2d(1, 2, 3, seed=4, dtype=F64), nn.MaxPool2d(2)),
            (2, 1, 8, 8),
        ),
        "AvgPool2d": (
            nn.Sequential(
                nn.Conv2d(1, 2, 3, seed=5, dtype=F64),
                nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
            ),
            (2, 1, 8, 8),
        ),
        "BatchNorm1d": (nn.Sequential(_lin(4, 5, 6), nn.BatchNorm1d(5, dtype=F64)), (6, 4)),
        "BatchNorm2d": (
            nn.Sequential(nn.Conv2d(1, 3, 3, seed=7, dtype=F64), nn.BatchNorm2d(3, dtype=F64)),
            (4, 1, 6, 6),
        ),
        # the lecture's DNN (models.dnn trains this MLP) and CNN (models.cnn.lenet5)
        "lecture-DNN": (nn.MLP([784, 32, 32, 10], activation="relu", seed=0, dtype=F64), (4, 784)),
        "lecture-CNN": (lenet5(seed=0, dtype=F64), (3, 1, 28, 28)),
        "lecture-CNN-batchnorm": (lenet5(batchnorm=True, seed=1, dtype=F64), (3, 1, 28, 28)),
    }


def test_every_convertible_module_has_an_example() -> None:
    used = {type(m).__name__ for model, _ in _examples().values() for m in model.modules()}
    convertible = {c.__name__ for c in torch_bridge._CONVERTERS} | set(torch_bridge._SAME)
    assert convertible - used == set()


def _x(shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(0).uniform(-1, 1, shape)


@pytest.mark.parametrize("name", list(_examples()))
@pytest.mark.parametrize("mode", ["eval", "train"])
def test_outputs_and_parameter_gradients_equal_torch(name: str, mode: str) -> None:
    """Same float64 input: outputs, parameter gradients, input gradient (and BatchNorm's
    running statistics) equal to 1e-10. Dropout is random in training: eval only."""
    torch = pytest.importorskip("torch")
    model, shape = _examples()[name]
    if mode == "train" and any(isinstance(m, nn.Dropout) for m in model.modules()):
        pytest.skip("dropout draws different masks on the two sides in training")
    model.train(mode == "train")
    tmodel = nn.to_torch(model)
    assert tmodel.training is (mode == "train")
    x = _x(shape)
    xt = Tensor(x, requires_grad=True)
    y = model(xt)
    w = np.random.default_rng(1).normal(size=y.shape)  # a random loss Σ w·y
    (y * Tensor(w)).sum().backward()
    tx = torch.from_numpy(x).requires_grad_()
    ty = tmodel(tx)
    (ty * torch.from_numpy(w)).sum().backward()

    np.testing.assert_allclose(ty.detach().numpy(), y.data, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(tx.grad.numpy(), xt.grad, rtol=1e-9, atol=TOL)
    grads = {n: p.grad for n, p in tmodel.named_parameters()}
    ours = dict(model.named_parameters())
    assert set(grads) == set(ours)
    for n, p in ours.items():
        assert grads[n].dtype == torch.float64
        np.testing.assert_allclose(grads[n].numpy(), p.grad, rtol=1e-9, atol=TOL, err_msg=n)
    theirs = tmodel.state_dict()
    for n, arr in model.state_dict().items():  # running statistics after one training step
        np.testing.assert_allclose(theirs[n].numpy(), arr, rtol=TOL, atol=TOL, err_msg=n)


@pytest.mark.parametrize("name", list(_examples()))
def test_round_trip_is_the_identity_on_every_parameter(name: str) -> None:
    pytest.importorskip("torch")
    model, shape = _examples()[name]
    model.eval()
    back = nn.from_torch(nn.to_torch(model))
    assert type(back) is type(model)
    assert [type(m).__name__ for m in back.modules()] == [type(m).__name__ for m in model.modules()]
    before, after = model.state_dict(), back.state_dict()
    assert list(before) == list(after)
    for n in before:
        assert after[n].dtype == before[n].dtype
        np.testing.assert_array_equal(after[n], before[n], err_msg=n)
    x = _x(shape)
    np.testing.assert_array_equal(back(Tensor(x)).data, model(Tensor(x)).data)


@pytest.mark.parametrize("name", ["MLP", "lecture-DNN", "lecture-CNN", "lecture-CNN-batchnorm"])
def test_ten_sgd_steps_give_the_same_parameters(name: str) -> None:
    torch = pytest.importorskip("torch")
    model, shape = _examples()[name]
    tmodel = nn.to_torch(model)
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, (8, *shape[1:]))
    n_out = [m for m in model.modules() if isinstance(m, nn.Linear)][-1].out_features
    y = rng.integers(0, n_out, 8)
    opt = nn.SGD(model.parameters(), lr=0.05, momentum=0.9)
    topt = torch.optim.SGD(tmodel.parameters(), lr=0.05, momentum=0.9)
    losses, tlosses = [], []
    for _ in range(10):
        opt.zero_grad()
        loss = nn.cross_entropy(model(Tensor(x)), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        topt.zero_grad()
        tloss = torch.nn.functional.cross_entropy(tmodel(torch.from_numpy(x)), torch.from_numpy(y))
        tloss.backward()
        topt.step()
        tlosses.append(tloss.item())
    np.testing.assert_allclose(losses, tlosses, rtol=1e-9)
    assert losses[-1] < losses[0]
    ours = model.state_dict()
    for n, p in tmodel.state_dict().items():
        np.testing.assert_allclose(p.numpy(), ours[n], rtol=1e-8, atol=1e-11, err_msg=n)


def test_float32_models_stay_float32() -> None:
    torch = pytest.importorskip("torch")
    t = nn.to_torch(nn.MLP([3, 4, 2], seed=0))
    assert all(p.dtype == torch.float32 for p in t.parameters())
    back = nn.from_torch(t)
    assert all(p.data.dtype == np.float32 for p in back.parameters())


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
    x = _x((5, 4))
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


@pytest.mark.parametrize("kind", ["SGD", "Adam", "RMSprop"])
def test_training_continues_in_torch_with_the_optimizer_state(kind: str) -> None:
    """5 steps here, then 5 in torch (model and optimizer state converted) = 10 steps here;
    and back: torch's optimizer state loads into ours."""
    torch = pytest.importorskip("torch")
    opts = {
        "SGD": (
            lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-3),
            lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-3),
        ),
        "Adam": (
            lambda ps: nn.Adam(ps, lr=0.01, weight_decay=1e-3),
            lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=1e-3),
        ),
        "RMSprop": (
            lambda ps: nn.RMSprop(ps, lr=0.01, momentum=0.5),
            lambda ps: torch.optim.RMSprop(ps, lr=0.01, momentum=0.5),
        ),
    }
    ours_opt, torch_opt = opts[kind]
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 4)), rng.integers(0, 3, 16)

    def steps(model, opt, n):
        for _ in range(n):
            opt.zero_grad()
            nn.cross_entropy(model(Tensor(x)), y).backward()
            opt.step()

    def torch_steps(model, opt, n):
        for _ in range(n):
            opt.zero_grad()
            out = model(torch.from_numpy(x))
            loss = torch.nn.functional.cross_entropy(out, torch.from_numpy(y))
            loss.backward()
            opt.step()

    ref = nn.MLP([4, 8, 3], activation="tanh", seed=1, dtype=np.float64)
    ref_opt = ours_opt(ref.parameters())
    steps(ref, ref_opt, 10)

    model = nn.MLP([4, 8, 3], activation="tanh", seed=1, dtype=np.float64)
    opt = ours_opt(model.parameters())
    steps(model, opt, 5)
    tmodel = nn.to_torch(model)
    topt = torch_opt(tmodel.parameters())
    topt.load_state_dict(nn.to_torch_optimizer_state(opt))
    torch_steps(tmodel, topt, 5)
    for n, p in tmodel.state_dict().items():
        np.testing.assert_allclose(p.numpy(), ref.state_dict()[n], rtol=1e-9, atol=1e-12)

    back = nn.from_torch(tmodel)
    back_opt = nn.load_torch_optimizer_state(ours_opt(back.parameters()), topt.state_dict())
    torch_steps(tmodel, topt, 3)
    steps(back, back_opt, 3)
    for n, p in tmodel.state_dict().items():
        np.testing.assert_allclose(back.state_dict()[n], p.numpy(), rtol=1e-9, atol=1e-12)
