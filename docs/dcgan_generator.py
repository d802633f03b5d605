"""The DigitGan generator in PyTorch: loads the app's export (GET /api/runs/{id}/checkpoints/{epoch}/generator.safetensors)."""
import json
import struct

import torch
from torch import nn
import torch.nn.functional as F

LEAKY_SLOPE = 0.3      # Keras' LeakyReLU default
BN_EPS = 1e-3          # Keras' BatchNormalization epsilon
BN_MOMENTUM = 0.01     # Keras' momentum 0.99 in PyTorch's convention


class DcganGenerator(nn.Module):
    def __init__(self, noise_dim: int = 100):
        super().__init__()
        self.fc = nn.Linear(noise_dim, 7 * 7 * 256, bias=False)
        self.bn0 = nn.BatchNorm1d(7 * 7 * 256, eps=BN_EPS, momentum=BN_MOMENTUM)
        # Keras 'same' padding of a 5x5 kernel: padding 2; at stride 2, output_padding 1 gives 7 -> 14 -> 28.
        self.ct1 = nn.ConvTranspose2d(256, 128, 5, stride=1, padding=2, bias=False)
        self.bn1 = nn.BatchNorm2d(128, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.ct2 = nn.ConvTranspose2d(128, 64, 5, stride=2, padding=2, output_padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.ct3 = nn.ConvTranspose2d(64, 1, 5, stride=2, padding=2, output_padding=1, bias=False)

    def forward(self, noise: torch.Tensor) -> torch.Tensor:
        x = F.leaky_relu(self.bn0(self.fc(noise)), LEAKY_SLOPE)
        x = x.view(-1, 256, 7, 7)
        x = F.leaky_relu(self.bn1(self.ct1(x)), LEAKY_SLOPE)
        x = F.leaky_relu(self.bn2(self.ct2(x)), LEAKY_SLOPE)
        return torch.tanh(self.ct3(x))  # [N, 1, 28, 28] in [-1, 1]


DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32}


def read_safetensors(path: str) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """The tensors and metadata of a safetensors file (the safetensors package's load_file reads it too)."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    metadata = header.pop("__metadata__", {})
    body = data[8 + length:]
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(body[begin:end]), dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors, metadata


def load_generator(path: str) -> DcganGenerator:
    """The exported generator in inference mode (BatchNorm uses the exported running statistics)."""
    tensors, metadata = read_safetensors(path)
    generator = DcganGenerator(int(metadata["noiseDim"]))
    generator.load_state_dict(tensors, strict=True)
    return generator.eval()
