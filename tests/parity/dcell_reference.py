#!/usr/bin/env python3
"""An independent reference of DCell's equations in NumPy + autograd, for ironcell's parity
tests (crates/ironcell-models/tests/parity.rs). Written from the equations, not from
ironcell's code:

  per subsystem t (in the given order, children before parents):
    x_t = [outputs of t's children, in order] ++ [states of t's direct genes]   (batch x k)
    z_t = x_t W_t^T                      (no bias: batch norm cancels it)
    y_t = gamma_t * (z_t - mean) / sqrt(var + 1e-5) + beta_t   (batch statistics, biased var)
    h_t = tanh(y_t)
    head_t = h_t A_t^T + c_t            (batch x labels)
  loss = MSE(head_root, y) + alpha * reduce_{t != root} MSE(head_t, y)
  (MSE over observed targets only; reduce = mean or sum)

Each subsystem's derivatives come from autograd; the DAG's chain rule (a child feeding
several parents sums their gradients) is written out, because differentiating one function
of all ~18,000 parameter arrays makes autograd build zero-filled copies of all of them for
every one it indexes.

    python3 dcell_reference.py CASE_DIR

reads CASE_DIR/spec.json and CASE_DIR/params.f64 (little-endian float64, per term: W row-major,
gamma, beta, A row-major, c) and writes CASE_DIR/reference.json (loss, root predictions) and
CASE_DIR/grads.f64 (the loss gradient, same layout as the parameters).
"""
import json
import os
import sys

import autograd.numpy as np
from autograd import make_vjp, value_and_grad
from autograd.builtins import tuple as ag_tuple

EPSILON = 1e-5


def main(case):
    with open(os.path.join(case, "spec.json")) as f:
        spec = json.load(f)
    flat = np.fromfile(os.path.join(case, "params.f64"), dtype="<f8")
    terms, labels = spec["terms"], spec["labels"]
    batch = len(spec["genotypes"])
    x_genes = np.zeros((batch, spec["genes"]))
    for j, genotype in enumerate(spec["genotypes"]):
        x_genes[j, genotype] = 1.0
    y = np.array(spec["targets"], dtype=float).reshape(batch, labels)
    observed = ~np.isnan(y)
    y = np.where(observed, y, 0.0)
    n_observed = observed.sum()

    # Split the flat vector into per-term arrays.
    params, widths, at = [], [], 0
    for term in terms:
        k = sum(terms[c]["width"] for c in term["children"]) + len(term["genes"])
        w = term["width"]
        arrays = []
        for shape in [(w, k), (w,), (w,), (labels, w), (labels,)]:
            n = int(np.prod(shape))
            arrays.append(flat[at:at + n].reshape(shape))
            at += n
        params.append(tuple(arrays))
    assert at == flat.size, "parameter vector does not match the spec"

    def subsystem(args):
        W, gamma, beta, A, c, x = args
        z = np.dot(x, W.T)
        mean = np.mean(z, axis=0)
        var = np.mean((z - mean) ** 2, axis=0)
        h = np.tanh(gamma * (z - mean) / np.sqrt(var + EPSILON) + beta)
        return ag_tuple((h, np.dot(h, A.T) + c))

    def mse(prediction):
        return np.sum(np.where(observed, (prediction - y) ** 2, 0.0)) / n_observed

    # The loss weight of each subsystem's head: 1 for the root, alpha (/ n for the mean)
    # for the others.
    n_aux = len(terms) - 1
    aux_weight = spec["alpha"] / n_aux if spec["reduction"] == "mean" and n_aux else spec["alpha"]

    # Forward, keeping autograd's vector-Jacobian product of every subsystem. Each
    # subsystem is differentiated by autograd; the chain rule over the DAG (a child's output
    # feeds several parents) is the sum below.
    outputs, vjps, loss, dheads = [], [], 0.0, []
    for t, term in enumerate(terms):
        parts = [outputs[ch] for ch in term["children"]]
        if term["genes"]:
            parts.append(x_genes[:, term["genes"]])
        x = np.concatenate(parts, axis=1) if parts else np.zeros((batch, 0))
        vjp, (h, head) = make_vjp(subsystem)(params[t] + (x,))
        outputs.append(h)
        vjps.append(vjp)
        weight = 1.0 if t == len(terms) - 1 else aux_weight
        term_loss, dhead = value_and_grad(mse)(head)
        loss += weight * term_loss
        dheads.append(weight * dhead)
    prediction = head

    # Backward in reverse order.
    dh = [np.zeros_like(h) for h in outputs]
    grads = [None] * len(terms)
    for t in reversed(range(len(terms))):
        d = vjps[t]((dh[t], dheads[t]))
        grads[t] = d[:5]
        dx, col = d[5], 0
        for ch in terms[t]["children"]:
            width = terms[ch]["width"]
            dh[ch] = dh[ch] + dx[:, col:col + width]
            col += width

    flat_grads = np.concatenate([g.ravel() for term in grads for g in term])
    flat_grads.astype("<f8").tofile(os.path.join(case, "grads.f64"))
    with open(os.path.join(case, "reference.json"), "w") as f:
        json.dump({"loss": float(loss), "prediction": prediction.ravel().tolist()}, f)


if __name__ == "__main__":
    main(sys.argv[1])
