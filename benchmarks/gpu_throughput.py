"""Training throughput of ResNet-18 (28) on a GPU: where the time goes, and what ``fit`` costs.

MedMNIST's protocol trains a ResNet-18 on 28-pixel images for 100 epochs. On a
GPU that is cheap arithmetic: one training step on one image costs about
1.3 GFLOP (forward and backward, counted below with
``torch.utils.flop_counter``), so the GPU is rarely the limit. This script
measures, on real data (the training split of ``pneumoniamnist_subset``,
through ``medlab.data``'s mirror or download):

1. **data loading alone**: iterating a ``DataLoader`` (and copying each batch
   to the GPU) without training, images per second;
2. **bare loop, classic**: a plain PyTorch loop, ``DataLoader`` with pinned
   memory, float32, the default Adam;
3. **bare loop, tuned**: the data resident on the GPU (one tensor, indexed per
   batch), bfloat16 autocast, channels-last, fused Adam;
4. **fit, tuned**: ``medlab.train.fit`` with the same settings
   (``make_loader(..., resident=True)``, ``amp``, ``channels_last=True``), no
   validation, to compare with (3): the overhead of ``fit``;
5. **fit with validation** each epoch (what the chapters do);
6. **the BreastMNIST protocol**: 100 epochs (Adam 1e-3, divided by 10 at
   epochs 50 and 75, batch 128, best validation AUC kept) for ``--seeds``
   seeds, total wall time and each seed's test AUC.

Each throughput figure is the median over ``--repeats`` timed epochs after a
warm-up epoch, with ``torch.cuda.synchronize`` before every clock read. Both
tuned loops see the same batches (the same ``RandomSampler`` and generator).

Usage (on a machine with a CUDA GPU, from the repository root)::

    MEDLAB_DATA_MIRROR=/path/to/mirror python benchmarks/gpu_throughput.py \
        --json benchmarks/results/gpu_throughput.jsonl

It is a measurement, not a test: it prints a table and exits 0. Without a
GPU it stops with a message (``--device cpu`` runs it anyway, slowly).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from medlab import train
from medlab.data import MedMNISTDataset
from medlab.metrics import classification_metrics
from medlab.models import build_model

DATASET = "pneumoniamnist_subset"
GOALS = {"images_per_s": 20_000, "fit_overhead_pct": 10.0, "protocol_s": 60.0}


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def flops_per_image(model: nn.Module, device: torch.device, batch: int = 128) -> float:
    """Forward + backward FLOPs of one training step, per image."""
    from torch.utils.flop_counter import FlopCounterMode

    m = copy.deepcopy(model).to(device)
    x = torch.randn(batch, 1, 28, 28, device=device)
    y = torch.randint(0, 2, (batch,), device=device)
    with FlopCounterMode(display=False) as counter:
        nn.functional.cross_entropy(m(x), y).backward()
    return counter.get_total_flops() / batch


def time_epochs(step_epoch, repeats: int, device: torch.device) -> list[float]:
    """Seconds of ``repeats`` calls of ``step_epoch`` after one warm-up call."""
    step_epoch()
    times = []
    for _ in range(repeats):
        sync(device)
        t0 = time.perf_counter()
        step_epoch()
        sync(device)
        times.append(time.perf_counter() - t0)
    return times


def bare_epoch(model, optimizer, batches, device, amp_dtype=None, channels_last=False):
    """One epoch of a plain training loop over ``batches`` (an iterable of (x, y))."""
    fmt = torch.channels_last if channels_last else torch.preserve_format
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for x, y in batches:
        x = x.to(device, non_blocking=True, memory_format=fmt)
        y = y.to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=amp_dtype, enabled=amp_dtype is not None):
            loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--seeds", type=int, default=5, help="seeds of the BreastMNIST protocol")
    p.add_argument("--epochs", type=int, default=100, help="epochs of the BreastMNIST protocol")
    p.add_argument("--compile", action="store_true", help="also time the tuned loop under torch.compile")
    p.add_argument("--json", metavar="PATH", help="append one JSON line with the results")
    args = p.parse_args(argv)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("error: no CUDA GPU here; pass --device cpu to run it anyway (slowly)", file=sys.stderr)
        return 2
    torch.backends.cudnn.benchmark = True
    bs = args.batch_size
    train_ds = MedMNISTDataset(DATASET, "train")
    n = len(train_ds)
    torch.manual_seed(0)
    initial = build_model("resnet18")
    gflop = flops_per_image(initial, device) / 1e9
    dtype = train.amp_dtype(device)
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else "none"
    print(f"ResNet-18 (28) | {DATASET} train {n} images | batch {bs} | {gpu} | torch {torch.__version__}")
    print(f"training cost: {gflop:.2f} GFLOP per image per step (forward + backward)")
    rows: dict[str, float] = {}

    def report(name: str, ips: float) -> None:
        rows[name] = ips
        print(f"  {name}: {ips:,.0f} images/s", flush=True)

    # 1. data loading alone
    dl = DataLoader(train_ds, batch_size=bs, shuffle=True, pin_memory=device.type == "cuda",
                    generator=torch.Generator().manual_seed(0))

    def load_only():
        for x, y in dl:
            x.to(device, non_blocking=True), y.to(device, non_blocking=True)

    report("data loading only (DataLoader + copy)", n / statistics.median(time_epochs(load_only, args.repeats, device)))

    # 2. bare classic
    m = copy.deepcopy(initial).to(device)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    report("bare loop: DataLoader, float32", n / statistics.median(
        time_epochs(lambda: bare_epoch(m, opt, dl, device), args.repeats, device)))

    # 3. bare tuned (resident, bf16, channels-last, fused Adam)
    resident = train.ResidentLoader(train_ds, bs, train=True, seed=0, device=device, channels_last=True)
    m = copy.deepcopy(initial).to(device).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3, fused=device.type == "cuda")
    bare_t = time_epochs(lambda: bare_epoch(m, opt, resident, device, dtype, True), args.repeats, device)
    report("bare loop: resident, AMP, channels-last", n / statistics.median(bare_t))

    # 3b. the same loop with torch.compile (kernel fusion; fewer, larger launches)
    if args.compile:
        mc = torch.compile(copy.deepcopy(initial).to(device).to(memory_format=torch.channels_last))
        optc = torch.optim.Adam(mc.parameters(), lr=1e-3, fused=device.type == "cuda")
        report("bare loop: resident, AMP, channels-last, torch.compile", n / statistics.median(
            time_epochs(lambda: bare_epoch(mc, optc, resident, device, dtype, True), args.repeats, device)))
    # 3c. the GPU's own limit for this model: batch 1024 (not the protocol's batch size)
    big = train.ResidentLoader(train_ds, 1024, train=True, seed=0, device=device, channels_last=True)
    mb = copy.deepcopy(initial).to(device).to(memory_format=torch.channels_last)
    optb = torch.optim.Adam(mb.parameters(), lr=1e-3, fused=device.type == "cuda")
    report("bare loop, batch 1024 (GPU-bound reference)", n / statistics.median(
        time_epochs(lambda: bare_epoch(mb, optb, big, device, dtype, True), args.repeats, device)))

    # 4. fit tuned, train only: one fit call per timed epoch (fit's per-call set-up included)
    m = copy.deepcopy(initial)
    fit_kw = dict(epochs=1, lr=1e-3, device=device, channels_last=True, progress=False, verbose=False)
    fit_t = time_epochs(lambda: train.fit(m, resident, None, **fit_kw), args.repeats, device)
    report("fit: resident, AMP, channels-last", n / statistics.median(fit_t))

    # 5. fit with validation each epoch
    val_ds = MedMNISTDataset(DATASET, "val")
    val_loader = train.make_loader(val_ds, 256, train=False, device=device, resident=True)
    m = copy.deepcopy(initial)
    fitv_t = time_epochs(lambda: train.fit(m, resident, val_loader, **fit_kw), args.repeats, device)
    report("fit + validation (AUC) each epoch", n / statistics.median(fitv_t))
    overhead = 100 * (statistics.median(fit_t) / statistics.median(bare_t) - 1)

    # 6. the BreastMNIST protocol
    b_train = MedMNISTDataset("breastmnist", "train")
    b_val = MedMNISTDataset("breastmnist", "val")
    b_test = MedMNISTDataset("breastmnist", "test")
    vl = train.make_loader(b_val, 256, train=False, device=device, resident=True)
    tl_test = train.make_loader(b_test, 256, train=False, device=device, resident=True)
    aucs = []
    sync(device)
    t0 = time.perf_counter()
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        net = build_model("resnet18")
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, fused=device.type == "cuda")
        sched = torch.optim.lr_scheduler.MultiStepLR(optimizer, [args.epochs // 2, 3 * args.epochs // 4], 0.1)
        loader = train.make_loader(b_train, 128, train=True, seed=seed, device=device, resident=True)
        train.fit(net, loader, vl, epochs=args.epochs, device=device, optimizer=optimizer, scheduler=sched,
                  monitor="val_auc", channels_last=True, progress=False, verbose=False)
        y, prob = train.predict(net, tl_test, device)
        aucs.append(classification_metrics(y, prob)["auc"])
    sync(device)
    protocol_s = time.perf_counter() - t0

    width = max(map(len, rows)) + 2
    print(f"\n{'loop':<{width}} {'images/s':>10} {'TFLOP/s':>8}")
    for name, ips in rows.items():
        tf = "" if name.startswith("data") else f"{ips * gflop / 1e3:8.1f}"
        print(f"{name:<{width}} {ips:>10,.0f} {tf:>8}")
    best = rows["fit: resident, AMP, channels-last"]
    print(f"\nfit vs tuned bare loop: {overhead:+.1f} % (goal <= {GOALS['fit_overhead_pct']:g} %)")
    print(f"fit throughput: {best:,.0f} images/s (goal >= {GOALS['images_per_s']:,})")
    print(f"BreastMNIST protocol: {args.seeds} seeds x {args.epochs} epochs in {protocol_s:.1f} s "
          f"(goal < {GOALS['protocol_s']:g} s); test AUC {np.mean(aucs):.3f} "
          f"± {np.std(aucs, ddof=1) if len(aucs) > 1 else 0:.3f}")
    if args.json:
        line = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "gpu": gpu, "torch": torch.__version__, "amp_dtype": str(dtype), "batch_size": bs,
            "gflop_per_image": round(gflop, 3), "images_per_s": {k: round(v) for k, v in rows.items()},
            "fit_overhead_pct": round(overhead, 2), "protocol_seconds": round(protocol_s, 1),
            "protocol_seeds": args.seeds, "protocol_epochs": args.epochs,
            "protocol_test_auc": [round(a, 4) for a in aucs], "goals": GOALS,
        }
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as fh:
            fh.write(json.dumps(line) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
