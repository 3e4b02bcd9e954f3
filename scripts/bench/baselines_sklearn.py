"""scikit-learn on the exact features, targets and folds `ironcell bench baselines` used.

Reads DIR/x.f32 (row-major float32, n x d), DIR/y.f64, DIR/spec.json ({"cols", "folds":
[[test indices], ...], "train": [[train indices], ...], "models": [...], "params": {...}}),
fits each model on each fold's training rows with the same hyper-parameters, and prints one
JSON object: {"results": [{"model", "fold", "seconds", "pearson", "spearman", "r2", "mse",
"n_train", "n_test"}], "versions": {...}}; each fold's predictions go to
DIR/pred_MODEL_FOLD.f64 (float64). Written for ironcell's benchmark; MIT OR Apache-2.0.
"""
import json
import sys
import time

import numpy as np
import scipy.stats
import sklearn
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import ElasticNet
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR


def model(kind, p, rows):
    if kind == "rf":
        q = p["rf"]
        # ironcell draws max_samples clamped to [1, rows] per tree; scikit-learn refuses
        # values outside that range, so it gets the same clamp.
        max_samples = q.get("max_samples")
        if max_samples is not None and q["bootstrap"]:
            max_samples = min(max(max_samples, 1), rows)
        else:
            max_samples = None
        return RandomForestRegressor(
            n_estimators=q["trees"], max_depth=q["max_depth"],
            min_samples_split=q["min_samples_split"], min_samples_leaf=q["min_samples_leaf"],
            max_features=q["max_features"], bootstrap=q["bootstrap"], n_jobs=2,
            max_samples=max_samples,
            random_state=q["seed"])
    if kind == "gbt":
        q = p["gbt"]
        return HistGradientBoostingRegressor(
            max_iter=q["rounds"], learning_rate=q["learning_rate"],
            max_leaf_nodes=q["max_leaves"], max_depth=q["max_depth"],
            min_samples_leaf=q["min_samples_leaf"], l2_regularization=q["l2"],
            early_stopping=False, random_state=q["seed"])
    if kind == "enet":
        q = p["enet"]
        return ElasticNet(alpha=q["alpha"], l1_ratio=q["l1_ratio"], max_iter=q["max_iterations"],
                          tol=q["tolerance"])
    if kind == "svr":
        q = p["svr"]
        return SVR(C=q["c"], epsilon=q["epsilon"], gamma=q["gamma"] or "scale")
    raise ValueError(kind)


def main(directory):
    spec = json.load(open(f"{directory}/spec.json"))
    x = np.fromfile(f"{directory}/x.f32", dtype=np.float32).reshape(-1, spec["cols"])
    y = np.fromfile(f"{directory}/y.f64", dtype=np.float64)
    results = []
    for kind in spec["models"]:
        standardize = kind in spec["standardized"]
        for fold, (train, test) in enumerate(zip(spec["train"][kind], spec["folds"])):
            xtr, xte = x[train], x[test]
            if standardize:
                scaler = StandardScaler().fit(xtr)
                xtr, xte = scaler.transform(xtr), scaler.transform(xte)
            m = model(kind, spec["params"], len(train))
            start = time.perf_counter()
            m.fit(xtr, y[train])
            seconds = time.perf_counter() - start
            p = m.predict(xte)
            # The caller may score the predictions itself (bench accuracy's bootstrap).
            np.asarray(p, dtype=np.float64).tofile(f"{directory}/pred_{kind}_{fold}.f64")
            t = y[test]
            results.append({
                "model": kind, "fold": fold, "seconds": seconds,
                "pearson": float(np.corrcoef(t, p)[0, 1]) if np.std(p) > 0 else float("nan"),
                "spearman": float(scipy.stats.spearmanr(t, p)[0]) if np.std(p) > 0 else float("nan"),
                "r2": float(r2_score(t, p)), "mse": float(mean_squared_error(t, p)),
                "n_train": len(train), "n_test": len(test),
            })
            print(f"scikit-learn {kind} fold {fold + 1}: {seconds:.2f} s", file=sys.stderr)
    versions = {"sklearn": sklearn.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}
    print(json.dumps({"results": results, "versions": versions}))


if __name__ == "__main__":
    main(sys.argv[1])
