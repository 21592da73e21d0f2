"""Sensor noise: repeatable with a seed, fresh without, never an exact repeat of the input."""

import numpy as np

from cameras.vision.noise import add_sensor_noise, noise_seed


def _frame() -> np.ndarray:
    # A smooth scene (as a room is): JPEG keeps it, so only the grain differs.
    ramp = np.linspace(40, 200, 128, dtype=np.float32)
    grey = np.tile(ramp, (72, 1))
    return np.dstack([grey, grey * 0.9, grey * 0.8]).astype(np.uint8)


def test_same_seed_gives_the_same_noisy_frame():
    frame = _frame()
    first = add_sensor_noise(frame, 2.0, np.random.default_rng(noise_seed("a.jpg")))
    second = add_sensor_noise(frame, 2.0, np.random.default_rng(noise_seed("a.jpg")))
    assert np.array_equal(first, second)


def test_fresh_noise_differs_from_the_input_and_between_draws():
    frame = _frame()
    rng = np.random.default_rng(1)
    first = add_sensor_noise(frame, 2.0, rng)
    second = add_sensor_noise(frame, 2.0, rng)
    assert not np.array_equal(first, frame)
    assert not np.array_equal(first, second)
    # Mild noise: the picture stays the same picture.
    assert float(np.abs(first.astype(int) - frame.astype(int)).mean()) < 6.0


def test_zero_sigma_returns_the_frame_untouched():
    frame = _frame()
    assert add_sensor_noise(frame, 0.0, np.random.default_rng(0)) is frame


def test_seed_is_stable_per_name():
    assert noise_seed("0001.jpg") == noise_seed("0001.jpg")
    assert noise_seed("0001.jpg") != noise_seed("0002.jpg")
