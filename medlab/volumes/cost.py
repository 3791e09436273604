"""What a model costs on the CPU, measured: seconds per training step and per volume, and peak tensor memory.

``tracemalloc`` sees only Python's own allocations and ``getrusage`` only the
high-water mark of the whole process since it started, so neither measures
what one training step of a network needs. :func:`peak_tensor_memory` runs a
function under ``torch.profiler`` with ``profile_memory=True``, which logs
every allocation and release of tensor memory, and returns the largest total
of tensor bytes alive at once *beyond what existed before* (inputs, weights and
optimiser state that were already allocated are not counted; the activations
kept for the backward pass, the gradients and the temporaries are).
:func:`measure_cost` puts the three numbers of one model in a row.

Introduced in the chapter "3D volumes" (chapters/09_volumes_3d.ipynb).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from torch import nn


def seconds(fn: Callable[[], object], repeat: int = 3) -> float:
    """Median wall time of ``fn()`` over ``repeat`` calls, in seconds (after one untimed warm-up call).

    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for a while: the profiler's C++ side logs its start and stop there."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (some embedded interpreters): nothing to silence
        yield
        return
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def peak_tensor_memory(fn: Callable[[], object]) -> int:
    """The peak of CPU tensor memory allocated by ``fn()`` and alive at once, in bytes.

    Read from ``torch.profiler``'s memory events (allocations positive,
    releases negative), in time order; releases of memory allocated before
    the call can make the running total negative, so the peak is taken over
    the running total, floored at 0. Chapter 09 (chapters/09_volumes_3d.ipynb).
    """
    from torch.profiler import ProfilerActivity, profile

    with warnings.catch_warnings(), _quiet_native_stderr():
        warnings.simplefilter("ignore")
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True, record_shapes=False) as prof:
            fn()
        events = [(e.start_ns(), e.nbytes()) for e in prof.profiler.kineto_results.events()
                  if e.name() == "[memory]" and e.device_type() == torch.autograd.DeviceType.CPU]
    if not events:
        return 0
    events.sort()
    return int(max(0, np.cumsum([n for _, n in events]).max()))


def measure_cost(model: nn.Module, batch: torch.Tensor, target: torch.Tensor,
                 loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
                 infer: Callable[[], object] | None = None, repeat: int = 3) -> dict[str, Any]:
    """Parameters, seconds per training step on ``batch``, seconds per inference call, and peak memory.

    - ``train_step_s``: median time of forward, backward and an Adam step on
      ``batch`` (a copy of ``model`` is trained, so ``model`` is unchanged);
    - ``infer_s``: median time of ``infer()`` (default: the model in eval mode
      on the first item of ``batch``, without gradients);
    - ``train_peak_mib``: :func:`peak_tensor_memory` of one training step, in MiB.

    The random numbers the training steps draw (dropout) come from a fork of
    torch's random state, so the caller's is left as it was.
    Chapter 09 (chapters/09_volumes_3d.ipynb).
    """
    with torch.random.fork_rng(devices=[]):
        return _measure_cost(model, batch, target, loss_fn, infer, repeat)


def _measure_cost(model: nn.Module, batch: torch.Tensor, target: torch.Tensor,
                  loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None,
                  infer: Callable[[], object] | None, repeat: int) -> dict[str, Any]:
    import copy

    net = copy.deepcopy(model).train()
    loss_fn = loss_fn or nn.functional.cross_entropy
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        loss_fn(net(batch), target).backward()
        opt.step()

    train_s = seconds(step, repeat)  # the warm-up also creates Adam's state, so the peak below excludes it
    opt.zero_grad(set_to_none=True)
    peak = peak_tensor_memory(step)
    evaluator = copy.deepcopy(model).eval()

    def default_infer() -> None:
        with torch.no_grad():
            evaluator(batch[:1])

    infer_s = seconds(infer or default_infer, repeat)
    return {"parameters": int(sum(p.numel() for p in model.parameters())), "train_step_s": train_s,
            "infer_s": infer_s, "train_peak_mib": peak / 2**20}


__all__ = ["seconds", "peak_tensor_memory", "measure_cost"]
