"""Tests for tinygrad_edu.models.data: embedded numbers, synthetic sets, file loaders.

Every file a loader reads is written here, in tmp_path; no test touches downloaded data.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from tinygrad_edu.models.data import (
    FEATURES_DEFENSE,
    FEATURES_SEVEN,
    FEATURES_SIX,
    LECTURE_TEST_NAMES,
    LECTURE_TRAIN_NAMES,
    NORMAL_COV,
    NORMAL_MEAN,
    WATER_COV,
    WATER_MEAN,
    DataError,
    lecture_cp_split,
    load_mnist,
    load_mnist_images,
    load_mnist_labels,
    load_pokemon_cp,
    load_water_normal,
    read_idx,
    split_digits,
    split_lecture_cp,
    synthetic_cp_split,
    synthetic_digits,
    synthetic_pokemon_cp,
    synthetic_water_normal,
)

# --------------------------------------------------------------------------------------------
# Embedded lecture split
# --------------------------------------------------------------------------------------------


def _slides_error(c: np.ndarray, part) -> float:
    """The lecture's average error ‖y − ŷ‖₂ / N, written out with numpy alone."""
    return float(np.linalg.norm(part.y - np.polyval(c, part.x_cp)) / len(part.y))


def test_lecture_split_reproduces_the_slides_figures():
    # The 20 embedded numbers are checked against what the slides print about them, fitted
    # here with numpy's least squares only: y = b + w·cp gives b = -188.4, w = 2.7, average
    # error 31.9 (training) and 35.0 (testing); degree 2 gives 15.4 / 18.4, degree 3 15.3 / 18.1.
    split = lecture_cp_split()
    b_w = np.polyfit(split.train.x_cp, split.train.y, 1)[::-1]
    assert b_w[0] == pytest.approx(-188.4, abs=0.05) and b_w[1] == pytest.approx(2.7, abs=0.05)
    published = {1: (31.9, 35.0), 2: (15.4, 18.4), 3: (15.3, 18.1)}
    for degree, (train_error, test_error) in published.items():
        c = np.polyfit(split.train.x_cp, split.train.y, degree)
        assert round(_slides_error(c, split.train), 1) == train_error, degree
        assert round(_slides_error(c, split.test), 1) == test_error, degree


def test_lecture_split_names_species_and_types():
    split = lecture_cp_split()
    for part, names in ((split.train, LECTURE_TRAIN_NAMES), (split.test, LECTURE_TEST_NAMES)):
        assert len(part) == 10 and part.names.tolist() == list(names)
        # A name is its species followed by a number (the slides' "Pidgey4", "Eevee7", ...).
        assert [n.rstrip("0123456789") for n in names] == part.species.tolist()
        assert part.x_cp.dtype == np.float64 and part.y.dtype == np.float64
        assert part.hp is None and part.height is None and part.weight is None
        assert part.synthetic is False
    assert len(set(LECTURE_TRAIN_NAMES) | set(LECTURE_TEST_NAMES)) == 20
    assert LECTURE_TRAIN_NAMES[:2] == ("Pidgey4", "Pidgey12") and LECTURE_TEST_NAMES[-1] == "Eevee1"
    assert split.species_train is split.train


def test_lecture_split_returns_fresh_arrays():
    first = lecture_cp_split()
    first.train.x_cp[:] = 0.0
    assert lecture_cp_split().train.x_cp[0] == 338.0


def test_boolean_mask_and_take():
    train = lecture_cp_split().train
    pidgeys = train.take(train.species == "Pidgey")
    assert pidgeys.names.tolist() == ["Pidgey4", "Pidgey12", "Pidgey19", "Pidgey27", "Pidgey34"]
    assert pidgeys.y.tolist() == [640, 633, 619, 393, 428]


# --------------------------------------------------------------------------------------------
# Synthetic species CP data
# --------------------------------------------------------------------------------------------


def test_synthetic_cp_is_seeded_and_labelled():
    a, b, c = synthetic_pokemon_cp(3), synthetic_pokemon_cp(3), synthetic_pokemon_cp(4)
    assert a.synthetic and "synthetic" in a.source
    for field in ("x_cp", "y", "hp", "height", "weight", "names", "species"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.y, c.y)
    assert len(a) == 75
    assert {s: int((a.species == s).sum()) for s in ("Pidgey", "Weedle", "Caterpie", "Eevee")} == {
        "Pidgey": 39,
        "Weedle": 20,
        "Caterpie": 10,
        "Eevee": 6,
    }
    assert all(n.startswith("syn") for n in a.names)  # never mistaken for real Pokemon


def test_synthetic_cp_follows_species_lines():
    data = synthetic_pokemon_cp(0)
    assert np.all(data.y > data.x_cp) and np.all(data.hp >= 10)
    assert np.all(data.height > 0) and np.all(data.weight > 0)
    # Slope standard errors are about 0.01 (Pidgey, Weedle), 0.02 (Caterpie), 0.1 (Eevee).
    for species, slope, tol in (
        ("Pidgey", 1.87, 0.06),
        ("Weedle", 1.09, 0.06),
        ("Caterpie", 1.08, 0.1),
        ("Eevee", 2.62, 0.4),
    ):
        part = data.take(data.species == species)
        fitted = np.polyfit(part.x_cp, part.y, 1)[0]
        assert abs(fitted - slope) < tol, (species, fitted)


def test_synthetic_cp_split_mirrors_the_lecture():
    split = synthetic_cp_split(0)
    assert len(split.train) == 10 and len(split.test) == 10 and len(split.species_train) == 65
    lecture = lecture_cp_split()
    assert sorted(split.train.species.tolist()) == sorted(lecture.train.species.tolist())
    assert sorted(split.test.species.tolist()) == sorted(lecture.test.species.tolist())
    test_names = set(split.test.names.tolist())
    assert not test_names & set(split.species_train.names.tolist())
    assert set(split.train.names.tolist()) <= set(split.species_train.names.tolist())
    assert split.train.synthetic and split.test.synthetic
    again = synthetic_cp_split(0)
    assert again.test.names.tolist() == split.test.names.tolist()


# --------------------------------------------------------------------------------------------
# Synthetic Water vs Normal
# --------------------------------------------------------------------------------------------


def test_synthetic_water_normal_counts_and_labels():
    data = synthetic_water_normal(seed=1)
    assert data.synthetic and "synthetic" in data.source
    assert data.class_names == ("Normal", "Water")
    assert data.feature_names == ("Defense", "Sp. Def")
    assert data.x_train.shape == (140, 2) and data.x_test.shape == (70, 2)
    assert (int((data.y_train == 1).sum()), int((data.y_train == 0).sum())) == (79, 61)
    assert (int((data.y_test == 1).sum()), int((data.y_test == 0).sum())) == (33, 37)
    assert data.y_train.dtype == np.int64
    again = synthetic_water_normal(seed=1)
    np.testing.assert_array_equal(data.x_train, again.x_train)
    np.testing.assert_array_equal(data.y_test, again.y_test)
    assert not np.array_equal(data.x_train, synthetic_water_normal(seed=2).x_train)


def test_synthetic_water_normal_has_the_lecture_statistics():
    data = synthetic_water_normal(seed=0, n_water=(20000, 0), n_normal=(20000, 0))
    for label, mean, cov in ((1, WATER_MEAN, WATER_COV), (0, NORMAL_MEAN, NORMAL_COV)):
        x = data.x_train[data.y_train == label]
        assert x.shape == (20000, 2)
        # standard error of the mean is at most 0.22, of a covariance entry about 9
        np.testing.assert_allclose(x.mean(axis=0), mean, atol=1.0)
        np.testing.assert_allclose(np.cov(x.T, bias=True), cov, atol=0.06 * cov.max())
    np.testing.assert_array_equal(WATER_MEAN, [75.0, 71.3])
    np.testing.assert_array_equal(NORMAL_COV, [[468, 198], [198, 553]])
    with pytest.raises(ValueError, match="read-only"):
        WATER_COV[0, 0] = 0.0


# --------------------------------------------------------------------------------------------
# Synthetic digits
# --------------------------------------------------------------------------------------------


def test_synthetic_digits_shapes_range_balance_and_seed():
    data = synthetic_digits(n_train=500, n_test=200, seed=5)
    assert data.synthetic and data.image_shape == (28, 28)
    assert data.x_train.shape == (500, 28, 28) and data.x_test.shape == (200, 28, 28)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    np.testing.assert_array_equal(np.bincount(data.y_train), [50] * 10)
    np.testing.assert_array_equal(np.bincount(data.y_test), [20] * 10)
    assert data.class_names == tuple("0123456789")
    again = synthetic_digits(n_train=500, n_test=200, seed=5)
    np.testing.assert_array_equal(data.x_train, again.x_train)
    np.testing.assert_array_equal(data.y_test, again.y_test)
    flat = synthetic_digits(n_train=500, n_test=200, seed=5, flatten=True)
    assert flat.x_train.shape == (500, 784)
    np.testing.assert_array_equal(flat.x_train, data.x_train.reshape(500, 784))
    assert not np.array_equal(synthetic_digits(50, 0, seed=6).x_train, data.x_train[:50])


def test_synthetic_digits_are_noisy_and_shifted():
    x = synthetic_digits(n_train=1000, n_test=0, seed=0).x_train
    ink = x > 0.5
    assert 0.08 < ink.mean() < 0.3  # strokes, not blank or filled images
    assert (x[~ink] > 0).mean() > 0.3  # background noise
    rows = np.arange(28)
    centre = (ink.sum(axis=2) * rows).sum(axis=1) / ink.sum(axis=(1, 2))
    assert centre.std() > 1.0  # glyphs move around
    assert np.all(np.abs(centre - 13.5) < 7)  # ... but stay on the canvas


def test_synthetic_digits_are_learnable_but_not_trivial():
    data = synthetic_digits(n_train=3000, n_test=1000, seed=1, flatten=True)
    x = np.c_[data.x_train, np.ones(3000)].astype(np.float64)
    x_test = np.c_[data.x_test, np.ones(1000)].astype(np.float64)
    # Ridge regression onto one-hot targets: a linear model already does far better than
    # chance (0.1); nearest class mean does clearly worse than a perfect score.
    w = np.linalg.solve(x.T @ x + 100.0 * np.eye(785), x.T @ np.eye(10)[data.y_train])
    assert np.mean(np.argmax(x_test @ w, axis=1) == data.y_test) > 0.7
    centroids = np.stack([data.x_train[data.y_train == k].mean(axis=0) for k in range(10)])
    dist = ((data.x_test[:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    assert 0.4 < np.mean(np.argmin(dist, axis=1) == data.y_test) < 0.9


def test_split_digits():
    images = np.zeros((10, 28, 28), np.float32)
    labels = np.arange(10, dtype=np.int64)
    data = split_digits(images, labels, 8, source="test", flatten=True)
    assert data.x_train.shape == (8, 784) and data.x_test.shape == (2, 784)
    assert data.y_test.tolist() == [8, 9] and not data.synthetic
    with pytest.raises(ValueError, match="n_train"):
        split_digits(images, labels, 10, source="test")
    flat = split_digits(images.reshape(10, 784), labels, 5, source="test")
    assert flat.image_shape == (28, 28) and flat.x_test.shape == (5, 784)


# --------------------------------------------------------------------------------------------
# OpenIntro Pokemon Go CSV
# --------------------------------------------------------------------------------------------

CP_HEADER = (
    "name,species,cp,hp,weight,height,power_up_stardust,power_up_candy,attack_weak,"
    "attack_weak_type,attack_weak_value,attack_strong,attack_strong_type,attack_strong_value,"
    "cp_new,hp_new,weight_new,height_new,power_up_stardust_new,power_up_candy_new,"
    "attack_weak_new,attack_weak_type_new,attack_weak_value_new,attack_strong_new,"
    "attack_strong_type_new,attack_strong_value_new,notes"
)


def _cp_row(name: str, species: str, cp: float, cp_new: float, hp: float = 30) -> str:
    # Made-up values for every column except the lecture's cp -> cp_new.
    return (
        f"{name},{species},{cp},{hp},2.5,0.3,200,1,Tackle,Normal,12,Twister,Dragon,25,"
        f"{cp_new},60,3.0,1.1,200,1,Tackle,Normal,12,Twister,Dragon,25,"
    )


def _cp_csv(tmp_path: Path, rows: list[str], header: str = CP_HEADER) -> Path:
    path = tmp_path / "evolutions.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _lecture_rows() -> list[str]:
    """The 20 embedded rows written out as a CSV (plus two extras), to be read back."""
    split = lecture_cp_split()
    lecture = [
        (str(n), str(s), float(cp), float(new))
        for part in (split.train, split.test)
        for n, s, cp, new in zip(part.names, part.species, part.x_cp, part.y)
    ]
    rows = [_cp_row(n, s, cp, new, hp=10 + i) for i, (n, s, cp, new) in enumerate(lecture)]
    rows.insert(3, _cp_row("Extra1", "Pidgey", 100, 190))
    rows.append(_cp_row("Extra2", "Weedle", 50.5, 55))
    return rows


def test_load_pokemon_cp_round_trip_and_lecture_split(tmp_path):
    data = load_pokemon_cp(_cp_csv(tmp_path, _lecture_rows()))
    assert len(data) == 22 and not data.synthetic and data.source.endswith("evolutions.csv")
    assert data.names[3] == "Extra1" and data.x_cp[3] == 100 and data.y[3] == 190
    assert data.x_cp[-1] == 50.5
    assert data.hp is not None and data.hp[0] == 10 and data.weight[0] == 2.5
    assert data.height[0] == 0.3

    split = split_lecture_cp(data)
    embedded = lecture_cp_split()
    for got, want in ((split.train, embedded.train), (split.test, embedded.test)):
        assert got.names.tolist() == want.names.tolist()
        np.testing.assert_array_equal(got.x_cp, want.x_cp)
        np.testing.assert_array_equal(got.y, want.y)
        np.testing.assert_array_equal(got.species, want.species)
    # the species models train on everything except the 10 testing Pokemon, in file order
    assert split.species_train.names.tolist() == [
        *LECTURE_TRAIN_NAMES[:3],
        "Extra1",
        *LECTURE_TRAIN_NAMES[3:],
        "Extra2",
    ]


def test_load_pokemon_cp_accepts_bom_and_crlf(tmp_path):
    path = tmp_path / "bom.csv"
    text = "\r\n".join([CP_HEADER, _cp_row("A1", "Pidgey", 10, 19)]) + "\r\n"
    path.write_bytes(text.encode("utf-8-sig"))
    assert load_pokemon_cp(path).names.tolist() == ["A1"]


def test_missing_lecture_names_are_named(tmp_path):
    rows = [r for r in _lecture_rows() if not r.startswith(("Eevee7,", "Pidgey35,"))]
    data = load_pokemon_cp(_cp_csv(tmp_path, rows))
    with pytest.raises(DataError, match="Eevee7, Pidgey35 are not in the 'name' column"):
        split_lecture_cp(data)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match=r"nope\.csv: file not found\. Download the OpenIntro"):
        load_pokemon_cp(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="not a regular file"):
        load_pokemon_cp(tmp_path)


def test_missing_column(tmp_path):
    header = CP_HEADER.replace("cp_new,", "cp_next,")
    path = _cp_csv(tmp_path, [_cp_row("A1", "Pidgey", 10, 19)], header=header)
    with pytest.raises(DataError, match=r"line 1 \(header\): missing column\(s\) 'cp_new'"):
        load_pokemon_cp(path)


@pytest.mark.parametrize(
    ("cp", "message"),
    [
        ("abc", r"line 3, column 3 \('cp'\): 'abc' is not a finite number"),
        ("nan", r"line 3, column 3 \('cp'\): 'nan' is not a finite number"),
        ("", r"line 3, column 3 \('cp'\): empty value"),
    ],
)
def test_bad_values(tmp_path, cp, message):
    rows = [_cp_row("A1", "Pidgey", 10, 19), _cp_row("A2", "Pidgey", cp, 19)]
    with pytest.raises(DataError, match=message):
        load_pokemon_cp(_cp_csv(tmp_path, rows))


def test_wrong_number_of_fields(tmp_path):
    rows = [_cp_row("A1", "Pidgey", 10, 19), _cp_row("A2", "Pidgey", 11, 20) + ",extra"]
    with pytest.raises(DataError, match="line 3: 28 fields but the header has 27"):
        load_pokemon_cp(_cp_csv(tmp_path, rows))


def test_duplicate_names(tmp_path):
    rows = [_cp_row("A1", "Pidgey", 10, 19), _cp_row("A1", "Pidgey", 11, 20)]
    with pytest.raises(DataError, match="line 3.*'A1' already appears on line 2"):
        load_pokemon_cp(_cp_csv(tmp_path, rows))


def test_wrong_format_and_empty_files(tmp_path):
    binary = tmp_path / "images.gz"
    binary.write_bytes(gzip.compress(bytes(range(256)) * 4))
    with pytest.raises(DataError, match=r"images\.gz: not UTF-8 text"):
        load_pokemon_cp(binary)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="empty"):
        load_pokemon_cp(empty)
    header_only = _cp_csv(tmp_path, [])
    with pytest.raises(DataError, match="no data rows"):
        load_pokemon_cp(header_only)
    stats = tmp_path / "stats.csv"
    stats.write_text(STATS_HEADER + "\n1,Leafy,Grass,Poison,300,40,50,50,60,60,40,1,False\n")
    with pytest.raises(DataError, match="missing column.*'name'"):
        load_pokemon_cp(stats)


# --------------------------------------------------------------------------------------------
# Kaggle Pokemon with stats CSV
# --------------------------------------------------------------------------------------------

STATS_HEADER = (
    "#,Name,Type 1,Type 2,Total,HP,Attack,Defense,Sp. Atk,Sp. Def,Speed,Generation,Legendary"
)
# Made-up Pokemon; Total is the sum of the six stats, as in the real file.
STATS_ROWS = [
    "7,Aqua♀,Water,,300,50,50,50,50,50,50,1,False",
    "7,AquaMega Aqua,Water,Fairy,360,60,60,60,60,60,60,1,False",
    "16,Plain♂,Normal,Flying,260,40,45,40,35,50,50,1,False",
    "25,Sparky,Electric,,300,30,50,40,60,50,70,1,False",
    "399,Bubbles,Water,,330,70,40,60,50,70,40,4,False",
    "400,Tidal,Water,Ground,420,90,60,80,60,70,60,4,False",
    "401,Common,Normal,,280,60,40,45,30,45,60,4,False",
    "650,Rare,Normal,,600,100,100,100,100,100,100,6,True",
]


def _stats_csv(tmp_path: Path, rows: list[str], header: str = STATS_HEADER) -> Path:
    path = tmp_path / "Pokemon.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_load_water_normal_round_trip(tmp_path):
    data = load_water_normal(_stats_csv(tmp_path, STATS_ROWS))
    assert not data.synthetic and data.class_names == ("Normal", "Water")
    assert data.feature_names == FEATURES_DEFENSE
    # training: '#' < 400 (the Mega form repeats #7 and is kept); Sparky is Electric
    np.testing.assert_array_equal(data.x_train, [[50, 50], [60, 60], [40, 50], [60, 70]])
    np.testing.assert_array_equal(data.y_train, [1, 1, 0, 1])
    np.testing.assert_array_equal(data.x_test, [[80, 70], [45, 45], [100, 100]])
    np.testing.assert_array_equal(data.y_test, [1, 0, 0])
    assert data.y_train.dtype == np.int64

    seven = load_water_normal(tmp_path / "Pokemon.csv", FEATURES_SEVEN)
    assert seven.feature_names == FEATURES_SEVEN
    np.testing.assert_array_equal(seven.x_train[2], [40, 45, 40, 35, 50, 50, 260])
    six = load_water_normal(tmp_path / "Pokemon.csv", FEATURES_SIX)
    np.testing.assert_array_equal(six.x_train.sum(axis=1), seven.x_train[:, -1])


def test_load_water_normal_errors(tmp_path):
    bad_number = [*STATS_ROWS, "4o1,Typo,Normal,,280,60,40,45,30,45,60,4,False"]
    with pytest.raises(DataError, match=r"line 10, column 1 \('#'\): '4o1' is not an integer"):
        load_water_normal(_stats_csv(tmp_path, bad_number))
    bad_stat = [*STATS_ROWS, "402,Typo,Water,,280,60,40,45,30,x,60,4,False"]
    with pytest.raises(DataError, match=r"line 10, column 10 \('Sp. Def'\): 'x'"):
        load_water_normal(_stats_csv(tmp_path, bad_stat))
    header = STATS_HEADER.replace("Sp. Def", "SpDef")
    with pytest.raises(DataError, match="missing column.*'Sp. Def'"):
        load_water_normal(_stats_csv(tmp_path, STATS_ROWS, header))
    no_normal_test = [r for r in STATS_ROWS if not r.startswith(("401,", "650,"))]
    with pytest.raises(DataError, match=r"no 'Normal' rows .* testing \(# >= 400\)"):
        load_water_normal(_stats_csv(tmp_path, no_normal_test))
    with pytest.raises(ValueError, match="features must be"):
        load_water_normal(_stats_csv(tmp_path, STATS_ROWS), ["Defense", "Weight"])


# --------------------------------------------------------------------------------------------
# MNIST IDX files
# --------------------------------------------------------------------------------------------


def _idx(magic: int, dims: tuple[int, ...], payload: bytes) -> bytes:
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims) + payload


PIXELS = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5) * 4  # values 0..236
LABELS = np.array([7, 0, 9], dtype=np.uint8)
IMAGES_IDX = _idx(2051, (3, 4, 5), PIXELS.tobytes())
LABELS_IDX = _idx(2049, (3,), LABELS.tobytes())


@pytest.mark.parametrize("compress", [False, True])
def test_mnist_round_trip(tmp_path, compress):
    pack = gzip.compress if compress else bytes
    images, labels = tmp_path / "images", tmp_path / "labels"
    images.write_bytes(pack(IMAGES_IDX))
    labels.write_bytes(pack(LABELS_IDX))
    x, y = load_mnist(images, labels)
    assert x.dtype == np.float32 and x.shape == (3, 4, 5)
    np.testing.assert_allclose(x, PIXELS / 255.0, rtol=1e-6)
    assert y.dtype == np.int64 and y.tolist() == [7, 0, 9]
    flat, _ = load_mnist(images, labels, flatten=True)
    assert flat.shape == (3, 20)


def test_gzip_is_detected_by_content_not_name(tmp_path):
    gz_named_raw = tmp_path / "t10k-labels-idx1-ubyte.gz"
    gz_named_raw.write_bytes(LABELS_IDX)
    raw_named_gz = tmp_path / "t10k-images-idx3-ubyte"
    raw_named_gz.write_bytes(gzip.compress(IMAGES_IDX))
    assert load_mnist_labels(gz_named_raw).tolist() == [7, 0, 9]
    assert load_mnist_images(raw_named_gz).shape == (3, 4, 5)


def test_read_idx_other_types(tmp_path):
    values = np.array([[1, -2], [300000, 4]], dtype=">i4")
    path = tmp_path / "ints.idx"
    path.write_bytes(bytes([0, 0, 0x0C, 2]) + _idx(0, (2, 2), values.tobytes())[4:])
    out = read_idx(path)
    assert out.dtype == np.int32 and out.tolist() == [[1, -2], [300000, 4]]


def test_mnist_wrong_magic(tmp_path):
    labels = tmp_path / "labels.idx"
    labels.write_bytes(LABELS_IDX)
    with pytest.raises(DataError, match=r"labels\.idx, byte 0: magic number 2049 .*expected 2051"):
        load_mnist_images(labels)
    text = tmp_path / "notes.txt"
    text.write_bytes(b"hello world, not IDX")
    with pytest.raises(DataError, match="byte 0: magic number 0x68656c6c is not an IDX header"):
        load_mnist_labels(text)


def test_mnist_truncated_and_trailing(tmp_path):
    path = tmp_path / "images.idx"
    path.write_bytes(IMAGES_IDX[:-7])
    with pytest.raises(DataError, match=r"truncated, 69 bytes but .*3 x 4 x 5\) needs exactly 76"):
        load_mnist_images(path)
    path.write_bytes(IMAGES_IDX + b"\0")
    with pytest.raises(DataError, match="has trailing bytes"):
        load_mnist_images(path)
    path.write_bytes(IMAGES_IDX[:10])
    with pytest.raises(DataError, match="truncated header"):
        load_mnist_images(path)
    gz = tmp_path / "images.gz"
    gz.write_bytes(gzip.compress(IMAGES_IDX)[:-10])
    with pytest.raises(DataError, match=r"images\.gz: gzip data is damaged or truncated"):
        load_mnist_images(gz)


def test_mnist_count_mismatch_and_bad_labels(tmp_path):
    images, labels = tmp_path / "img", tmp_path / "lab"
    images.write_bytes(IMAGES_IDX)
    labels.write_bytes(_idx(2049, (2,), bytes([1, 2])))
    with pytest.raises(DataError, match="has 3 images but .*lab has 2 labels"):
        load_mnist(images, labels)
    labels.write_bytes(_idx(2049, (3,), bytes([1, 12, 2])))
    with pytest.raises(DataError, match=r"byte 9 \(label 1\): value 12 is not a digit"):
        load_mnist_labels(labels)
    with pytest.raises(DataError, match="file not found"):
        load_mnist_images(tmp_path / "missing")
