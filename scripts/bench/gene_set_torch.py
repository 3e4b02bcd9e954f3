#!/usr/bin/env python3
"""The gene-set model in PyTorch, for `ironcell bench models`: gene features -> Linear -> ReLU,
rounds of mean-of-neighbours message passing over every network (a Linear over the gene and its
neighbours' means, ReLU, residual, LayerNorm), then a head over each genotype's genes (DeepSet
rho(sum phi(h)), DeepSet + bi-interaction pooling, or DANGO-style self-attention), trained with
AdamW on the MSE of the standardised label.

With networks it encodes the whole genome and passes messages over every edge each step, as a
PyTorch Geometric model over the genome graph does; without, only the batch's genes. Reads the
case `ironcell bench models` writes (case.json, features.f32), trains for a few steps and prints
one JSON line with the step times. Needs only `torch` and `numpy`.

    python3 gene_set_torch.py --case out/bench-models --steps 20 --threads 2
"""
import argparse
import json
import os
import resource
import time

import numpy as np
import torch
from torch import nn


class Mlp(nn.Module):
    def __init__(self, d_in, hidden, d_out):
        super().__init__()
        self.first = nn.Linear(d_in, hidden)
        self.second = nn.Linear(hidden, d_out)

    def forward(self, x):
        return self.second(torch.relu(self.first(x)))


class GeneSet(nn.Module):
    def __init__(self, case, networks):
        super().__init__()
        d = case["hidden"]
        self.head = case["head"]
        self.input = nn.Linear(case["dim"], d)
        rounds = case["rounds"] if networks else 0
        self.mix = nn.ModuleList(nn.Linear(d * (1 + networks), d) for _ in range(rounds))
        self.norm = nn.ModuleList(nn.LayerNorm(d) for _ in range(rounds))
        self.phi = Mlp(d, d, d)
        pooled = 2 * d if self.head == "pairwise" else d
        self.rho = Mlp(pooled, d, 1)
        if self.head == "pairwise":
            self.bilinear = nn.Linear(d, d)
        if self.head == "dango":
            self.attention = nn.MultiheadAttention(d, case["attention_heads"], batch_first=True)

    def encode(self, features, edges, genes):
        if not edges:
            return torch.relu(self.input(features[genes])), None
        h = torch.relu(self.input(features))
        for mix, norm in zip(self.mix, self.norm):
            parts = [h]
            for src, dst, weight in edges:
                parts.append(torch.zeros_like(h).index_add_(0, dst, h[src] * weight))
            h = norm(h + torch.relu(mix(torch.cat(parts, 1))))
        return h, genes

    def forward(self, features, edges, genotypes):
        n, width = genotypes.shape
        flat = genotypes.reshape(-1)
        h, index = self.encode(features, edges, flat)
        members = (h if index is None else h[index]).reshape(n, width, -1)
        if self.head == "dango":
            context, _ = self.attention(members, members, members, need_weights=False)
            moved = (context - members) ** 2
            pooled = self.phi(moved).mean(1)
        else:
            pooled = self.phi(members).sum(1)
            if self.head == "pairwise":
                v = self.bilinear(members)
                pairs = (v.sum(1) ** 2 - (v ** 2).sum(1)) / 2
                pooled = torch.cat([pooled, pairs], 1)
        return self.rho(pooled).squeeze(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", required=True)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=0, help="0: PyTorch's default")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    with open(os.path.join(args.case, "case.json")) as f:
        case = json.load(f)
    features = np.fromfile(os.path.join(args.case, "features.f32"), dtype="<f4")
    features = torch.from_numpy(features.reshape(case["genes"], case["dim"]).copy())
    edges = [
        (
            torch.tensor(e["src"], dtype=torch.long),
            torch.tensor(e["dst"], dtype=torch.long),
            torch.tensor(e["weight"], dtype=torch.float32).unsqueeze(1),
        )
        for e in case["edges"]
    ]
    genotypes = torch.tensor(case["genotypes"], dtype=torch.long)
    labels = torch.tensor(case["labels"], dtype=torch.float32)
    labels = (labels - labels.mean()) / labels.std()
    model = GeneSet(case, len(edges))
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=case["learning_rate"], weight_decay=case["weight_decay"]
    )
    batch = case["batch"]

    def step(k):
        rows = slice(k * batch, (k + 1) * batch)
        optimizer.zero_grad()
        loss = ((model(features, edges, genotypes[rows]) - labels[rows]) ** 2).mean()
        loss.backward()
        optimizer.step()

    step(0)
    times = []
    for k in range(1, args.steps + 1):
        start = time.perf_counter()
        step(k)
        times.append(time.perf_counter() - start)
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "encoding": "whole genome, every edge" if edges else "batch genes",
                "step_seconds": times,
                "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
