"""tinygrad_edu.nn save/load: exact round trip, atomic writes, clear errors on bad files."""

from __future__ import annotations

import io
import os
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinygrad_edu import nn


def model(seed: int = 0, sizes=(3, 5, 2), dtype=np.float32) -> nn.MLP:
    return nn.MLP(list(sizes), seed=seed, dtype=dtype)


def same(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return list(sa) == list(sb) and all(
        sa[k].dtype == sb[k].dtype and np.array_equal(sa[k], sb[k]) for k in sa
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_exact(tmp_path, dtype):
    a = model(0, dtype=dtype)
    # Train a little so the values are not just the seeded init.
    opt = nn.SGD(a.parameters(), lr=0.3)
    x = np.random.default_rng(0).normal(size=(8, 3))
    for _ in range(5):
        opt.zero_grad()
        nn.cross_entropy(a(x), np.arange(8) % 2).backward()
        opt.step()
    path = tmp_path / "m.npz"
    nn.save(a, path)
    b = model(1, dtype=dtype)
    assert not same(a, b)
    assert nn.load(b, path) is b
    assert same(a, b)
    assert np.array_equal(a(x).data, b(x).data)
    with np.load(path, allow_pickle=False) as f:  # a plain .npz, by parameter name
        assert sorted(f.files) == sorted(n for n, _ in a.named_parameters())


def test_round_trip_of_the_scalar_twin(tmp_path):
    a, b = nn.ValueMLP([2, 3, 1], seed=0), nn.ValueMLP([2, 3, 1], seed=1)
    nn.save(a, str(tmp_path / "twin.npz"))
    nn.load(b, str(tmp_path / "twin.npz"))
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    a = model(0)
    nn.save(a, path)
    good = path.read_bytes()
    nn.save(a, path)  # overwriting works
    assert os.listdir(tmp_path) == ["m.npz"]

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", boom)
    with pytest.raises(OSError, match="disk full"):
        nn.save(model(1), path)
    assert path.read_bytes() == good  # the old checkpoint survives a failed save
    assert os.listdir(tmp_path) == ["m.npz"]


def test_save_into_a_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nn.save(model(), tmp_path / "nope" / "m.npz")


def test_parameter_names_that_clash_with_savez_keywords(tmp_path):
    m = nn.Module()
    m.file = nn.Parameter(np.arange(3.0))
    m.allow_pickle = nn.Parameter(np.ones(2))
    nn.save(m, tmp_path / "k.npz")
    m2 = nn.Module()
    m2.file = nn.Parameter(np.zeros(3))
    m2.allow_pickle = nn.Parameter(np.zeros(2))
    nn.load(m2, tmp_path / "k.npz")
    assert m2.file.data.tolist() == [0.0, 1.0, 2.0]


def test_missing_extra_and_misshaped_parameters_are_named(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(model(0, sizes=(3, 5, 2)), path)
    target = model(1, sizes=(3, 5, 2))
    before = target.state_dict()

    class Bigger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = model(2).layers
            self.extra = nn.Parameter(np.zeros(4))

    with pytest.raises(nn.CheckpointError, match=r"missing parameter 'extra'"):
        nn.load(Bigger(), path)
    nn.save(Bigger(), path)
    with pytest.raises(nn.CheckpointError, match=r"unexpected parameter 'extra'"):
        nn.load(target, path)
    nn.save(model(0, sizes=(3, 4, 2)), path)
    with pytest.raises(
        nn.CheckpointError,
        match=r"m\.npz'.*'layers\.0\.weight' has shape \(4, 3\) in the checkpoint but \(5, 3\)",
    ):
        nn.load(target, path)
    assert same(target, _from_state(before))  # a failed load changes nothing


def _from_state(state) -> nn.MLP:
    m = model(1)
    m.load_state_dict(state)
    return m


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        nn.load(model(), tmp_path / "absent.npz")
    with pytest.raises(IsADirectoryError, match="is a directory"):
        nn.load(model(), tmp_path)


@pytest.mark.parametrize(
    "content",
    [b"", b"garbage, not a zip at all", b"PK\x03\x04" + b"\x00" * 40, b"\x93NUMPY\x01\x00junk"],
)
def test_corrupt_files_are_a_clear_error(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(nn.CheckpointError, match=r"bad\.npz' is not a readable \.npz checkpoint"):
        nn.load(model(), path)


def test_a_single_npy_or_pickled_objects_are_refused(tmp_path):
    npy = tmp_path / "one.npz"
    with open(npy, "wb") as f:
        np.save(f, np.zeros(3))
    with pytest.raises(nn.CheckpointError, match="single .npy array, not a .npz archive"):
        nn.load(model(), npy)
    obj = tmp_path / "obj.npz"
    np.savez(obj, **{"layers.0.weight": np.array([{"evil": 1}], dtype=object)})
    with pytest.raises(nn.CheckpointError, match="not a readable .npz checkpoint"):
        nn.load(model(), obj)


def test_truncated_file_at_every_length_is_a_clear_error(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(model(0, sizes=(2, 3, 2)), path)
    data = path.read_bytes()
    target = model(1, sizes=(2, 3, 2))
    before = target.state_dict()
    for n in range(0, len(data), 7):
        path.write_bytes(data[:n])
        with pytest.raises(nn.CheckpointError):
            nn.load(target, path)
    assert same(target, _state_model(before, (2, 3, 2)))


def _state_model(state, sizes) -> nn.MLP:
    m = model(1, sizes=sizes)
    m.load_state_dict(state)
    return m


def _checkpoint_bytes() -> bytes:
    buf = io.BytesIO()
    sd = model(0, sizes=(2, 3, 2)).state_dict()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, v in sd.items():
            with zf.open(k + ".npy", "w") as e:
                np.lib.format.write_array(e, v, allow_pickle=False)
    return buf.getvalue()


GOOD = _checkpoint_bytes()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(1, 255)), min_size=1, max_size=4)
)
def test_corrupted_bytes_never_crash(tmp_path, flips):
    """Flipped bytes anywhere: either a CheckpointError, or (a harmless byte such as a
    timestamp) the exact original values; never another exception, never wrong numbers."""
    data = bytearray(GOOD)
    for pos, x in flips:
        data[pos] ^= x
    path = tmp_path / "fuzz.npz"
    path.write_bytes(bytes(data))
    target = model(1, sizes=(2, 3, 2))
    try:
        nn.load(target, path)
    except nn.CheckpointError:
        return
    assert same(target, model(0, sizes=(2, 3, 2)))
