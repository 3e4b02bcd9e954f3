#!/usr/bin/env python3
"""DCell written TorchCell's way, for `ironcell bench dcell`: one nn.Module per subsystem
(Linear -> BatchNorm1d -> Tanh, plus a Linear auxiliary head), run as a loop over the
subsystems of each stratum, trained with AdamW on MSE(root) + alpha * mean(MSE(aux)).

Reads the model spec that `ironcell bench dcell` writes (genes, strata, terms with their
children, direct genes and widths), trains on random genotypes for a few steps and prints one
JSON line with the measured training genotypes/s. Needs only `torch`.

    python3 dcell_torch.py --spec spec.json --device cpu --steps 5
"""
import argparse
import json
import sys
import time

import torch
from torch import nn


class Dcell(nn.Module):
    def __init__(self, spec, init_scale):
        super().__init__()
        self.spec = spec
        self.layers = nn.ModuleList()
        self.heads = nn.ModuleList()
        for term in spec["terms"]:
            fan_in = sum(spec["terms"][c]["width"] for c in term["children"]) + len(term["genes"])
            linear = nn.Linear(fan_in, term["width"])
            head = nn.Linear(term["width"], 1)
            for p in (linear.weight, linear.bias, head.weight):
                nn.init.uniform_(p, -init_scale, init_scale)
            self.layers.append(nn.Sequential(linear, nn.BatchNorm1d(term["width"]), nn.Tanh()))
            self.heads.append(head)
        self.gene_index = [torch.tensor(t["genes"], dtype=torch.long) for t in spec["terms"]]

    def to(self, device):
        self.gene_index = [g.to(device) for g in self.gene_index]
        return super().to(device)

    def forward(self, x):
        outputs = [None] * len(self.spec["terms"])
        heads = []
        for stratum in self.spec["strata"]:
            for t in range(stratum[0], stratum[1]):
                term = self.spec["terms"][t]
                parts = [outputs[c] for c in term["children"]]
                if term["genes"]:
                    parts.append(x.index_select(1, self.gene_index[t]))
                h = self.layers[t](torch.cat(parts, 1))
                outputs[t] = h
                heads.append(self.heads[t](h))
        return heads[-1].squeeze(1), torch.cat(heads[:-1], 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(spec["seed"])
    device = torch.device(args.device)
    model = Dcell(spec, spec["init_scale"]).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=spec["weight_decay"])
    batch, genes = spec["batch"], spec["genes"]
    x = torch.zeros(batch, genes)
    for j, genotype in enumerate(spec["genotypes"]):
        x[j, genotype] = 1.0
    x = x.to(device)
    y = torch.tensor(spec["targets"], dtype=torch.float32, device=device)
    alpha = spec["alpha"]

    def step():
        optimizer.zero_grad(set_to_none=True)
        prediction, aux = model(x)
        loss = ((prediction - y) ** 2).mean() + alpha * ((aux - y[:, None]) ** 2).mean()
        loss.backward()
        optimizer.step()
        return loss

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    step()  # warm-up: allocations, cuDNN/cuBLAS handles
    sync()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        loss = step()
        sync()
        times.append(time.perf_counter() - start)
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({
        "engine": f"pytorch-{device.type}",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "step_seconds": times,
        "median_step_seconds": median,
        "genotypes_per_second": batch / median,
        "final_loss": float(loss),
        "parameters": sum(p.numel() for p in model.parameters()),
    }))


if __name__ == "__main__":
    sys.exit(main())
