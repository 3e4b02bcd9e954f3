#!/usr/bin/env python3
"""An independent reference of ironcell's objectives in NumPy + autograd, for the parity test
crates/ironcell-models/tests/loss_parity.rs. Written from the equations, not from ironcell's
code:

  regression (per label, over observed rows, then weighted):  mse = e^2,
    huber = e^2/2 if |e| <= delta else delta (|e| - delta/2),  log-cosh = log cosh e
  logistic (the same averaging): -(y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))), y in {0, 1}
  soft labels: q_k = Gaussian mass of N(y, (sigma * width of y's bin)^2) in bin k (outer bins
    open); loss = mean over observed rows of -sum_k q_k log softmax(z)_k
  CORAL: mean over observed rows of sum_k BCE(z_k, [y > t_k])
  CORN: sum over tasks k and rows observed and above t_{k-1} of BCE(z_k, [y > t_k]), over
    the number of such (row, task) pairs
  ordinal entropy: groups = bins; centers = group means of the features;
    L_d = -sum_{g != h} w_gh |c_g - c_h| / (G (G - 1)), w = |mean label difference| / max;
    L_t = mean_i |z_i - c_{g(i)}|
  Rank-N-Contrast: s_ij = -|z_i - z_j| / tau;
    mean over i != j of -log(exp s_ij / sum_{k != i, |y_i - y_k| >= |y_i - y_j|} exp s_ik)

    python3 losses_reference.py CASE.json OUT.json

CASE.json holds the inputs; OUT.json gets each loss's value and its gradient with respect to
the predictions, logits or features.
"""
import json
import math
import sys

import autograd.numpy as np
from autograd import value_and_grad


def observed(target):
    mask = ~np.isnan(target)
    return mask.astype(float), np.where(mask, target, 0.0)


def regression(kind, delta, target, weights):
    mask, t = observed(target)

    def f(pred):
        e = (pred - t) * mask
        if kind == "mse":
            per = e ** 2
        elif kind == "huber":
            a = np.abs(e)
            per = np.where(a <= delta, 0.5 * a ** 2, delta * (a - 0.5 * delta))
        else:
            per = np.log(np.cosh(e))
        per = per * mask
        means = np.sum(per, axis=0) / np.maximum(np.sum(mask, axis=0), 1.0)
        return np.sum(means * weights)

    return f


def bin_of(edges, y):
    inner = edges[1:-1]
    return int(sum(1 for t in inner if t <= y))


def gaussian(edges, y, sigma):
    k = len(edges) - 1
    if not math.isfinite(y):
        return [0.0] * k
    b = bin_of(edges, y)
    s = sigma * (edges[b + 1] - edges[b])
    cdf = lambda x: 0.5 * (1.0 + math.erf((x - y) / (s * math.sqrt(2.0))))
    out = []
    for i in range(k):
        upper = 1.0 if i == k - 1 else cdf(edges[i + 1])
        lower = 0.0 if i == 0 else cdf(edges[i])
        out.append(upper - lower)
    return out


def log_softmax(z):
    m = np.max(z, axis=1, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))


def soft(values, edges, sigma):
    q = np.array([gaussian(edges, y, sigma) for y in values])
    mask = np.array([1.0 if math.isfinite(y) else 0.0 for y in values])

    def f(z):
        per = -np.sum(log_softmax(z) * q, axis=1)
        return np.sum(per * mask) / max(np.sum(mask), 1.0)

    return f, q


def levels(values, edges):
    inner = edges[1:-1]
    y = np.array([[1.0 if (math.isfinite(v) and v > t) else 0.0 for t in inner] for v in values])
    mask = np.array([1.0 if math.isfinite(v) else 0.0 for v in values])
    return y, mask


def logistic(target, weights):
    mask, y = observed(target)

    def f(z):
        per = bce(z, y) * mask
        means = np.sum(per, axis=0) / np.maximum(np.sum(mask, axis=0), 1.0)
        return np.sum(means * weights)

    return f


def bce(z, y):
    log_p = -np.logaddexp(0.0, -z)
    log_not_p = -np.logaddexp(0.0, z)
    return -(y * log_p + (1.0 - y) * log_not_p)


def coral(values, edges):
    y, mask = levels(values, edges)

    def f(z):
        return np.sum(np.sum(bce(z, y), axis=1) * mask) / max(np.sum(mask), 1.0)

    return f


def corn(values, edges):
    y, mask = levels(values, edges)
    n, k = y.shape
    used = np.concatenate([mask[:, None], y[:, :-1] * mask[:, None]], axis=1)

    def f(z):
        return np.sum(bce(z, y) * used) / max(np.sum(used), 1.0)

    return f


def norm(v):
    return np.sqrt(np.maximum(np.sum(v ** 2, axis=-1), 1e-12))


def ordinal_entropy(labels, edges):
    groups = [bin_of(edges, y) for y in labels]
    present = sorted(set(groups))
    g = len(present)
    n = len(labels)
    member = np.zeros((n, g))
    for i, b in enumerate(groups):
        member[i, present.index(b)] = 1.0
    counts = np.sum(member, axis=0)
    mean_label = np.array([np.sum(member[:, a] * np.array(labels)) / counts[a] for a in range(g)])
    w = np.abs(mean_label[:, None] - mean_label[None, :])
    w = w / max(np.max(w), 1e-300)

    def diversity(z):
        c = np.dot(member.T, z) / counts[:, None]
        d = norm(c[:, None, :] - c[None, :, :])
        return -np.sum(d * w) / (g * (g - 1))

    def tightness(z):
        c = np.dot(member.T, z) / counts[:, None]
        return np.mean(norm(z - np.dot(member, c)))

    return diversity, tightness


def rank_n_contrast(labels, tau):
    y = np.array(labels)
    n = len(y)

    def f(z):
        total = 0.0
        d = norm(z[:, None, :] - z[None, :, :])
        s = -d / tau
        for i in range(n):
            for j in range(n):
                if i == j:
                    continue
                dij = abs(y[i] - y[j])
                ks = [k for k in range(n) if k != i and abs(y[i] - y[k]) >= dij]
                terms = np.array([s[i, k] for k in ks])
                m = np.max(terms)
                total = total - (s[i, j] - m - np.log(np.sum(np.exp(terms - m))))
        return total / (n * (n - 1))

    return f


def main(case_path, out_path):
    with open(case_path) as fh:
        case = json.load(fh)
    nan = lambda xs: [float("nan") if x is None else x for x in xs]
    n, labels = case["rows"], case["labels"]
    pred = np.array(case["prediction"]).reshape(n, labels)
    target = np.array(nan(case["target"])).reshape(n, labels)
    weights = np.array(case["weights"])
    out = {}
    for kind in ["mse", "huber", "log_cosh"]:
        v, g = value_and_grad(regression(kind, case["delta"], target, weights))(pred)
        out[kind] = {"value": float(v), "grad": np.ravel(g).tolist()}
    calls = np.array(nan(case["calls"])).reshape(n, labels)
    v, g = value_and_grad(logistic(calls, weights))(pred)
    out["logistic"] = {"value": float(v), "grad": np.ravel(g).tolist()}
    values = nan(case["values"])
    edges = case["edges"]
    k = len(edges) - 1
    logits = np.array(case["logits"]).reshape(len(values), k)
    f, q = soft(values, edges, case["sigma"])
    v, g = value_and_grad(f)(logits)
    out["soft"] = {"value": float(v), "grad": np.ravel(g).tolist(), "targets": np.ravel(q).tolist()}
    ordinal = np.array(case["ordinal_logits"]).reshape(len(values), k - 1)
    for name, make in [("coral", coral), ("corn", corn)]:
        v, g = value_and_grad(make(values, edges))(ordinal)
        out[name] = {"value": float(v), "grad": np.ravel(g).tolist()}
    feature_labels = case["feature_labels"]
    z = np.array(case["features"]).reshape(len(feature_labels), case["dim"])
    diversity, tightness = ordinal_entropy(feature_labels, edges)
    for name, fn in [("diversity", diversity), ("tightness", tightness)]:
        v, g = value_and_grad(fn)(z)
        out[name] = {"value": float(v), "grad": np.ravel(g).tolist()}
    v, g = value_and_grad(rank_n_contrast(feature_labels, case["tau"]))(z)
    out["rnc"] = {"value": float(v), "grad": np.ravel(g).tolist()}
    with open(out_path, "w") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
