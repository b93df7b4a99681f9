#!/usr/bin/python3
"""Load a model exported with `unlearn models export` into PyTorch and predict rows of a CSV file.

    /usr/bin/python3 load_export.py MODEL.safetensors MODEL.spec.json ROWS.csv

It needs only PyTorch (Debian: python3-torch). The safetensors file is read by hand (an 8-byte
little-endian header length, a JSON header, then the raw little-endian tensors), so the safetensors
package is not needed. The spec's preprocessing turns each CSV row into the network's inputs: a
numeric column gives (value - mean) / std, a categorical column one 0/1 input per listed category.
It prints one line per row: the logit and the probability of the favourable label.
"""

import csv
import json
import struct
import sys

import torch
from torch import nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """Return the tensors of a safetensors file by name."""
    with open(path, "rb") as f:
        data = f.read()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_length])
    body = data[8 + header_length:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        values = torch.frombuffer(bytearray(body[start:end]), dtype=DTYPES[entry["dtype"]])
        tensors[name] = values.reshape(entry["shape"])
    return tensors


class ExportedMlp(nn.Module):
    """fc1..fcN with ReLU between them and one logit out, as the spec describes."""

    def __init__(self, inputs, hidden):
        super().__init__()
        widths = [inputs] + list(hidden) + [1]
        self.names = [f"fc{i + 1}" for i in range(len(widths) - 1)]
        for i, name in enumerate(self.names):
            setattr(self, name, nn.Linear(widths[i], widths[i + 1]))

    def forward(self, x):
        for name in self.names[:-1]:
            x = torch.relu(getattr(self, name)(x))
        return getattr(self, self.names[-1])(x).squeeze(-1)


def encode(row, columns):
    values = []
    for column in columns:
        value = row[column["name"]].strip()
        if column["type"] == "numeric":
            values.append((float(value) - column["mean"]) / column["std"])
        else:
            values.extend(1.0 if value == category else 0.0 for category in column["categories"])
    return values


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    weights_path, spec_path, rows_path = sys.argv[1:]
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    columns = spec["preprocessing"]["columns"]
    inputs = sum(1 if c["type"] == "numeric" else len(c["categories"]) for c in columns)

    model = ExportedMlp(inputs, spec.get("hidden", []))
    model.load_state_dict({name: t.to(torch.float32) for name, t in read_safetensors(weights_path).items()})
    model.eval()

    with open(rows_path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, skipinitialspace=True)
        reader.fieldnames = [name.strip() for name in reader.fieldnames]
        rows = [encode(row, columns) for row in reader]
    with torch.no_grad():
        logits = model(torch.tensor(rows, dtype=torch.float32))
    for logit in logits.tolist():
        print(f"{logit:.6f} {torch.sigmoid(torch.tensor(logit)).item():.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
