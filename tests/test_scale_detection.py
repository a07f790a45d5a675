"""The scale-detection data: labels by the distance rule, balanced splits, the displacement keeps the
label, the matched noise has the displacement's norm."""

import math

import numpy as np
import pytest

from companion.scale_detection import ScaleDetection, matched_noise, periodic_distance

#: Standard errors allowed in the statistical test of the noise norm (a 4-sigma band: a false alarm
#: once in ~16 000 runs; the seed is fixed, so the test is deterministic).
N_SIGMA = 4.0


@pytest.mark.parametrize("d, xi, gap", [(16, 4, 1), (32, 8, 2), (33, 8, 0), (64, 16, 4)])
def test_labels_follow_the_distance_rule_on_every_pair(d, xi, gap):
    sd = ScaleDetection(d=d, xi=xi, gap=gap)
    r1, r2, y = sd.pairs()
    seen = set()
    for a, b, lab in zip(r1, r2, y):
        delta = min(b - a, d - (b - a))
        assert a < b
        assert lab == (1 if delta < xi - gap else 0)
        assert not (xi - gap <= delta < xi + gap)          # the gap is dropped
        seen.add((a, b))
    expected = {(a, b) for a in range(d) for b in range(a + 1, d)
                if min(b - a, d - b + a) < xi - gap or min(b - a, d - b + a) >= xi + gap}
    assert seen == expected                                  # all pairs enumerated, none twice
    assert len(seen) == len(r1)


@pytest.mark.parametrize("kw, message", [
    (dict(d=3, xi=2), r"d must be an integer in \[4"),
    (dict(d=16, xi=4, gap=3), r"xi must be an integer in \[5, 5\]"),
    (dict(d=16, xi=1), r"xi must be an integer in \[2, 8\]"),
    (dict(d=16, xi=9), r"xi must be an integer in \[2, 8\]"),
    (dict(d=16, xi=4, gap=-1), r"gap must be an integer >= 0"),
    (dict(d=16, xi=4, magn=0.0), r"magn must be a real number in \(0.0"),
])
def test_invalid_parameters_fail_clearly(kw, message):
    with pytest.raises(ValueError, match=message):
        ScaleDetection(**kw)


def test_every_valid_task_has_both_labels():
    for d in (8, 9, 16):
        for gap in range(0, d // 4 + 1):
            for xi in range(gap + 2, d // 2 - gap + 1):
                y = ScaleDetection(d=d, xi=xi, gap=gap).pairs()[2]
                assert set(y) == {0, 1}, (d, xi, gap)


def test_split_is_balanced_disjoint_and_complete():
    sd = ScaleDetection(d=32, xi=8, gap=2)
    s = sd.split(100, seed=3)
    assert np.bincount(s["y_train"]).tolist() == [50, 50]
    train = set(zip(s["r1_train"], s["r2_train"]))
    test = set(zip(s["r1_test"], s["r2_test"]))
    assert not train & test and len(train) + len(test) == len(sd.pairs()[0])
    with pytest.raises(ValueError, match="P must be even"):
        sd.split(7, seed=0)
    with pytest.raises(ValueError, match=r"P must be <= 318"):
        sd.split(400, seed=0)


def test_images_hold_two_pixels_of_the_stated_value():
    sd = ScaleDetection(d=16, xi=4, gap=1, magn=4.0)
    x = sd.images([1, 3], [5, 15])
    assert x.shape == (2, 1, 16) and x.dtype == np.float32
    assert x[0, 0, 1] == x[0, 0, 5] == 2.0 and np.count_nonzero(x) == 4


def test_displacement_keeps_the_label_and_moves_each_pixel_by_one():
    sd = ScaleDetection(d=32, xi=8, gap=1)
    r1, r2, y = sd.pairs()
    rng = np.random.default_rng(0)
    for _ in range(3):
        n1, n2 = sd.displace(r1, r2, rng=rng)
        assert np.array_equal(sd.label(n1, n2), y)
        assert np.all(periodic_distance(n1, r1, 32) == 1) and np.all(periodic_distance(n2, r2, 32) == 1)
        assert np.all(n1 != n2)
    # the moves that change the distance are used too (not only rigid translations)
    assert np.any(periodic_distance(n1, n2, 32) != periodic_distance(r1, r2, 32))


def test_matched_noise_has_the_displacement_norm():
    sd = ScaleDetection(d=64, xi=16, gap=4)
    r1, r2, _ = sd.pairs()
    rng = np.random.default_rng(1)
    x = sd.images(r1, r2)
    x_tau = sd.images(*sd.displace(r1, r2, rng=rng))
    eta = matched_noise(x, x_tau, rng=rng)
    target = np.sum((x_tau - x).astype(np.float64) ** 2, axis=(1, 2))
    ratio = np.sum(eta.astype(np.float64) ** 2, axis=(1, 2)) / target     # chi^2_d / d per sample: mean 1
    se = math.sqrt(2.0 / 64) / math.sqrt(len(ratio))
    assert abs(ratio.mean() - 1.0) < N_SIGMA * se
    assert abs(np.mean(eta)) < N_SIGMA * math.sqrt(np.mean(target) / 64 / eta.size)   # centred


def test_displacement_always_changes_the_image():
    sd = ScaleDetection(d=16, xi=4, gap=0)
    r1, r2, _ = sd.pairs()
    x = sd.images(r1, r2)
    for seed in range(5):
        x_tau = sd.images(*sd.displace(r1, r2, rng=np.random.default_rng(seed)))
        assert np.all(np.sum((x_tau - x) ** 2, axis=(1, 2)) > 0)
