#!/usr/bin/env python3
"""Compares SOCMap's rf interval with ranger's quantile regression forest on the same held-out folds.

Reads a finished run's patches.socp (centre-cell covariates of every site) and
evaluation/predictions.csv (fold, observed, rf prediction and bounds of every held-out sample),
fits ranger (quantreg = TRUE) per depth and fold on the other folds' samples, and prints the PICP
and mean width of the 90 % band by fifth of the predicted value for: SOCMap's rf band (as written),
ranger's Q0.05-Q0.95, and ranger's quantiles conformalised (CQR, Romano et al. 2019) with the
margin from the other folds' scores. Needs numpy and R with ranger (Debian: r-cran-ranger).

    python3 qrf_compare.py out/edgeroi
"""
import csv, json, struct, subprocess, sys, os, tempfile
import numpy as np

run = sys.argv[1]
level = 0.9
with open(os.path.join(run, "patches.socp"), "rb") as f:
    assert f.read(8) == b"SOCPATCH"
    n = struct.unpack("<Q", f.read(8))[0]
    h = json.loads(f.read(n))
p = h["patch_size"]; c = len(h["channels"])
patches = np.fromfile(os.path.join(run, "patches.socp"), dtype="<f4", count=int(np.prod(h["patches"]["shape"])),
                      offset=h["patches"]["offset"]).reshape(h["patches"]["shape"])
centre = patches[:, :, p // 2, p // 2]  # [sites][channels]
site_index = {s["id"]: i for i, s in enumerate(h["sites"])}

rows = list(csv.DictReader(open(os.path.join(run, "evaluation", "predictions.csv"))))
rows = [r for r in rows if r["rf"] not in ("", "nan")]
depths = [f"{a:g}-{b:g}cm" for a, b in h["depths"]]
tmp = tempfile.mkdtemp()
table = os.path.join(tmp, "samples.csv")
with open(table, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["row", "depth", "fold", "y"] + [f"x{k}" for k in range(c)])
    for i, r in enumerate(rows):
        w.writerow([i, r["depth"], r["fold"], r["observed"]] + list(centre[site_index[r["site"]]]))
out = os.path.join(tmp, "ranger.csv")
rscript = r'''
suppressMessages(library(ranger))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], check.names = FALSE)
out <- NULL
for (depth in unique(d$depth)) {
  dd <- d[d$depth == depth, ]
  x <- dd[, grepl("^x", names(dd)), drop = FALSE]
  for (k in sort(unique(dd$fold))) {
    tr <- dd$fold != k; te <- dd$fold == k
    best <- NULL; bestErr <- Inf
    for (m in c(5, 10, 20, 40, ncol(x))) for (leaf in c(10, 20, 50)) {
      f <- ranger(x = x[tr, ], y = dd$y[tr], num.trees = 200, mtry = min(m, ncol(x)), min.bucket = leaf, seed = 2025)
      if (f$prediction.error < bestErr) { bestErr <- f$prediction.error; best <- c(min(m, ncol(x)), leaf) }
    }
    f <- ranger(x = x[tr, ], y = dd$y[tr], num.trees = 500, mtry = best[1], min.bucket = best[2],
                quantreg = TRUE, keep.inbag = TRUE, seed = 2025)
    q <- predict(f, x[te, ], type = "quantiles", quantiles = c(0.05, 0.5, 0.95))$predictions
    m <- predict(f, x[te, ])$predictions
    out <- rbind(out, data.frame(row = dd$row[te], mean = m, q05 = q[, 1], q50 = q[, 2], q95 = q[, 3]))
  }
}
write.csv(out, args[2], row.names = FALSE)
'''
subprocess.run(["Rscript", "-e", rscript, table, out], check=True)
ranger = {int(r["row"]): r for r in csv.DictReader(open(out))}

def fifths(pred, lo, hi, y):
    order = np.argsort(pred, kind="stable")
    groups = np.array_split(order, 5)
    inside = (y >= lo) & (y <= hi)
    return [(inside[g].mean(), (hi - lo)[g].mean()) for g in groups], inside.mean(), (hi - lo).mean()

print(f"{'depth':<10} {'band':<22} {'PICP':>6} {'width':>7}  PICP by fifth of the predicted value (low to high)")
for depth in depths:
    idx = [i for i, r in enumerate(rows) if r["depth"] == depth]
    if not idx: continue
    y = np.array([float(rows[i]["observed"]) for i in idx])
    fold = np.array([int(rows[i]["fold"]) for i in idx])
    ours = (np.array([float(rows[i]["rf"]) for i in idx]), np.array([float(rows[i]["rf_q05"]) for i in idx]),
            np.array([float(rows[i]["rf_q95"]) for i in idx]))
    rm = np.array([float(ranger[i]["mean"]) for i in idx])
    lo = np.array([float(ranger[i]["q05"]) for i in idx]); hi = np.array([float(ranger[i]["q95"]) for i in idx])
    # CQR: each fold's margin is the conformal quantile of the other folds' scores.
    score = np.maximum(lo - y, y - hi)
    margin = np.empty_like(y)
    for k in np.unique(fold):
        s = np.sort(score[fold != k]); n = len(s)
        margin[fold == k] = s[min(n - 1, int(np.ceil((n + 1) * level)) - 1)]
    for name, (pred, l, u) in [("socmap rf (log conf.)", ours), ("ranger QRF", (rm, lo, hi)),
                               ("ranger QRF + CQR", (rm, lo - margin, hi + margin))]:
        f5, picp, width = fifths(pred, l, u, y)
        print(f"{depth:<10} {name:<22} {picp:6.3f} {width:7.3f}  " + " ".join(f"{a:.3f}" for a, _ in f5))
