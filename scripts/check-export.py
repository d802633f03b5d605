#!/usr/bin/env python3
"""Checks an exported generator against the app: loads it into docs/dcgan_generator.py's module, renders the given
noise ([N, noiseDim] float32, little-endian) and compares with the app's pixels ([N, 28, 28] float32).
Usage: check-export.py GENERATOR.safetensors NOISE.f32 EXPECTED.f32 [TOLERANCE]. Prints the maximum absolute
difference; exits 1 when it is not below the tolerance (default 1e-5)."""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs"))
from dcgan_generator import load_generator  # noqa: E402


def read_floats(path: str) -> torch.Tensor:
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32)


def main() -> int:
    generator_path, noise_path, expected_path = sys.argv[1:4]
    tolerance = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-5
    generator = load_generator(generator_path)
    noise = read_floats(noise_path).reshape(-1, generator.fc.in_features)
    expected = read_floats(expected_path).reshape(-1, 28, 28)
    with torch.no_grad():
        rendered = generator(noise).reshape(-1, 28, 28)
    difference = (rendered - expected).abs().max().item()
    print(f"digits: {rendered.shape[0]}, max abs difference: {difference:.3g}, torch {torch.__version__}")
    return 0 if difference < tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
