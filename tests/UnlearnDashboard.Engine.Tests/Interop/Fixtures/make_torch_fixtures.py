#!/usr/bin/python3
"""Train a small MLP on UCI Adult with PyTorch and write the model fixtures of the interop tests.

Run with Debian's Python and PyTorch (apt-get install python3-torch), from any folder:

    /usr/bin/python3 make_torch_fixtures.py

It reads the engine's shipped adult.csv and adult-test.csv and writes, beside this script:

- adult_mlp.spec.json: the model spec (hidden widths, activation, sensitive column and the
  preprocessing: column order, one-hot categories, standardisation means and standard deviations);
- adult_mlp.pt: the state dict, saved with torch.save(model.state_dict());
- adult_mlp.safetensors: the same weights in the safetensors format, written by hand (8-byte
  little-endian header length, JSON header, raw little-endian data) because Debian 12 has no
  python3-safetensors package;
- adult_mlp_whole.pt: the whole pickled model, torch.save(model), which an importer must reject;
- adult_mlp_103.pt: a state dict whose fc1 reads 103 inputs, one fewer than the spec's 104;
- adult_rows.csv and adult_mlp.predictions.json: the first 100 complete rows of adult-test.csv and
  the logits that PyTorch computes for them.

The encoding follows the engine's FeatureEncoder: a numeric column is standardised with its mean
and population standard deviation, and a categorical column is one-hot encoded over its values in
ordinal order. Here the encoder is fitted on every complete row of adult.csv. Training uses seed 0.
"""

import json
import math
import os
import struct
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.join(HERE, "..", "..", "..", "..", "src", "UnlearnDashboard.Engine", "Datasets")
LABEL = "income"
FAVOURABLE = ">50K"
SENSITIVE = "sex"
NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
HIDDEN = [64, 32]
PREDICTION_ROWS = 100


class AdultMlp(nn.Module):
    """fc1..fc3 with ReLU between them and one logit out, as the engine's TabularModel names them."""

    def __init__(self, inputs, hidden):
        super().__init__()
        widths = [inputs] + hidden + [1]
        self.layer_names = []
        for i in range(len(widths) - 1):
            name = f"fc{i + 1}"
            setattr(self, name, nn.Linear(widths[i], widths[i + 1]))
            self.layer_names.append(name)

    def forward(self, x):
        for name in self.layer_names[:-1]:
            x = torch.relu(getattr(self, name)(x))
        return getattr(self, self.layer_names[-1])(x).squeeze(-1)


def read_rows(path):
    """Return the header and the complete records of a CSV file, values trimmed."""
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if line.strip() and not line.startswith("|")]
    header = [name.strip() for name in lines[0].split(",")]
    rows = []
    for line in lines[1:]:
        values = [value.strip() for value in line.split(",")]
        if all(value not in ("", "?") for value in values):
            rows.append(dict(zip(header, values)))
    return header, rows


def fit_columns(header, rows):
    """Fit the preprocessing: numeric columns get mean and population std, the others their categories."""
    columns = []
    for name in header:
        if name == LABEL:
            continue
        if name in NUMERIC:
            values = [float(row[name]) for row in rows]
            mean = sum(values) / len(values)
            std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
            columns.append({"name": name, "type": "numeric", "mean": mean, "std": std if std > 0 else 1.0})
        else:
            categories = sorted({row[name] for row in rows})
            columns.append({"name": name, "type": "categorical", "categories": categories})
    return columns


def encode(rows, columns):
    """Encode rows as float32 inputs; an unseen category encodes as all zeros."""
    width = sum(1 if c["type"] == "numeric" else len(c["categories"]) for c in columns)
    data = torch.zeros((len(rows), width), dtype=torch.float32)
    for r, row in enumerate(rows):
        offset = 0
        for column in columns:
            if column["type"] == "numeric":
                data[r, offset] = (float(row[column["name"]]) - column["mean"]) / column["std"]
                offset += 1
            else:
                categories = column["categories"]
                if row[column["name"]] in categories:
                    data[r, offset + categories.index(row[column["name"]])] = 1.0
                offset += len(categories)
    return data


def labels_of(rows):
    return torch.tensor([1.0 if row[LABEL].rstrip(".") == FAVOURABLE else 0.0 for row in rows])


def write_safetensors(path, state_dict):
    """Write float32 tensors in the safetensors format: u64 header size, JSON header, data."""
    header = {"__metadata__": {"format": "pt"}}
    chunks = []
    offset = 0
    for name, tensor in state_dict.items():
        data = tensor.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    # The format allows trailing spaces in the header; padding to 8 bytes keeps the data aligned.
    header_bytes += b" " * (-len(header_bytes) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for chunk in chunks:
            f.write(chunk)


def train(model, inputs, labels, epochs=3, batch_size=256):
    generator = torch.Generator().manual_seed(0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    model.train()
    for epoch in range(epochs):
        order = torch.randperm(len(inputs), generator=generator)
        total = 0.0
        for start in range(0, len(inputs), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(inputs[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch + 1}: mean loss {total / len(inputs):.4f}")
    model.eval()


def main():
    torch.manual_seed(0)
    header, train_rows = read_rows(os.path.join(DATASETS, "adult.csv"))
    columns = fit_columns(header, train_rows)
    inputs = encode(train_rows, columns)
    print(f"{len(train_rows)} training rows, {inputs.shape[1]} inputs")

    model = AdultMlp(inputs.shape[1], HIDDEN)
    train(model, inputs, labels_of(train_rows))

    spec = {
        "format": "unlearn-dashboard/tabular-mlp",
        "format_version": 1,
        "architecture": "mlp",
        "activation": "relu",
        "hidden": HIDDEN,
        "sensitive_column": SENSITIVE,
        "preprocessing": {"columns": columns},
    }
    with open(os.path.join(HERE, "adult_mlp.spec.json"), "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")

    torch.save(model.state_dict(), os.path.join(HERE, "adult_mlp.pt"))
    write_safetensors(os.path.join(HERE, "adult_mlp.safetensors"), model.state_dict())
    torch.save(model, os.path.join(HERE, "adult_mlp_whole.pt"))
    torch.save(AdultMlp(inputs.shape[1] - 1, HIDDEN).state_dict(), os.path.join(HERE, "adult_mlp_103.pt"))

    # The first complete rows of the test file, written as the engine reads them, and PyTorch's logits.
    test_header, test_rows = read_rows(os.path.join(DATASETS, "adult-test.csv"))
    rows = test_rows[:PREDICTION_ROWS]
    with open(os.path.join(HERE, "adult_rows.csv"), "w", encoding="utf-8") as f:
        f.write(",".join(test_header) + "\n")
        for row in rows:
            f.write(",".join(row[name] for name in test_header) + "\n")
    with torch.no_grad():
        logits = model(encode(rows, columns))
    predictions = {
        "source": "adult_rows.csv",
        "torch_version": torch.__version__,
        "logits": [float(v) for v in logits],
        "probabilities": [float(v) for v in torch.sigmoid(logits)],
    }
    with open(os.path.join(HERE, "adult_mlp.predictions.json"), "w", encoding="utf-8") as f:
        json.dump(predictions, f, indent=2)
        f.write("\n")
    print(f"wrote the fixtures to {HERE}")


if __name__ == "__main__":
    sys.exit(main())
