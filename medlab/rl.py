"""A toy simulation of fractionated radiotherapy, as a Gymnasium environment for reinforcement learning.

**Not clinical guidance.** Every parameter here is illustrative; the model
leaves out almost everything that decides a real treatment plan (dose
distributions, organ volumes, tumour biology, imaging, patient preference).

The radiobiology:

- the **linear-quadratic model**: a fraction of ``d`` Gy leaves a surviving
  fraction ``exp(-(alpha d + beta d^2))``; ``n`` fractions give the
  biologically effective dose ``BED = n d (1 + d / (alpha/beta))``
  (:func:`bed`) and the dose in 2-Gy fractions with the same effect,
  ``EQD2 = BED / (1 + 2 / (alpha/beta))`` (:func:`eqd2`). Tumours and
  early-responding tissues have a high alpha/beta (about 10 Gy), late-responding
  normal tissues a low one (about 3 Gy) (Fowler, Br J Radiol 1989; Joiner & van
  der Kogel, Basic Clinical Radiobiology);
- **tumour repopulation**: after a kick-off time the surviving clonogens
  double every ``doubling_days``, which the log cell kill must outpace;
- **Poisson tumour control probability**: ``TCP = exp(-N0 * SF)``, the chance
  that no clonogen survives (:func:`poisson_tcp`);
- a **toxicity proxy**: a log-logistic normal-tissue complication probability
  of the late-tissue EQD2 (:func:`ntcp_loglogistic`), and the probability of
  complication-free tumour control ``P+ = TCP (1 - NTCP)``.

:func:`make_env` builds a Gymnasium environment that lets an agent choose each treatment day's dose (or
stop) for a simulated patient whose radiosensitivity ``alpha`` is drawn from a
population; :func:`run_schedule` plays a fixed schedule in the same
environment, so fixed schedules and learned policies are scored on the same
patients; :func:`fixed_outcomes` computes a constant schedule's outcomes for
many patients at once. :func:`paired_difference` compares two strategies on
the same simulated patients with a bootstrap over patients, and
:func:`ppo_settings` lists the settings of a Stable-Baselines3 PPO agent for
the record. ``gymnasium`` is imported inside :func:`make_env` (it is in the
``deploy`` extra); stable-baselines3 is used by the chapter.

Introduced in the chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import MedlabError

TUMOUR_ALPHA_BETA = 10.0
"""alpha/beta of tumours and early-responding tissue, Gy (Fowler, Br J Radiol 1989)."""

LATE_ALPHA_BETA = 3.0
"""alpha/beta of late-responding normal tissue, Gy (Fowler, Br J Radiol 1989)."""


class AgentTypeError(MedlabError, TypeError):
    """An object passed where a Stable-Baselines3 PPO agent is needed (also a ``TypeError``)."""


class ScheduleError(MedlabError, ValueError):
    """A fractionation schedule or parameter the simulation cannot use (negative dose, too many fractions)."""


def bed(total_dose: float | np.ndarray, dose_per_fraction: float | np.ndarray,
        alpha_beta: float) -> float | np.ndarray:
    """Biologically effective dose ``D (1 + d / (alpha/beta))`` of ``D`` Gy in fractions of ``d`` Gy.

    Introduced in the chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    return total_dose * (1 + np.asarray(dose_per_fraction) / alpha_beta)


def eqd2(total_dose: float | np.ndarray, dose_per_fraction: float | np.ndarray,
         alpha_beta: float) -> float | np.ndarray:
    """Equivalent dose in 2-Gy fractions: ``BED / (1 + 2 / (alpha/beta))``.

    Introduced in the chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    return bed(total_dose, dose_per_fraction, alpha_beta) / (1 + 2 / alpha_beta)


def poisson_tcp(clonogens: float, log_surviving_fraction: float | np.ndarray) -> float | np.ndarray:
    """Poisson tumour control probability ``exp(-N0 * SF)``, from ``ln SF``.

    Introduced in the chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    return np.exp(-clonogens * np.exp(log_surviving_fraction))


def ntcp_loglogistic(dose: float | np.ndarray, td50: float, gamma50: float) -> float | np.ndarray:
    """Log-logistic complication probability ``1 / (1 + (TD50 / D)^(4 gamma50))``.

    ``TD50`` is the dose with a 50 % complication probability and ``gamma50``
    the normalised slope there. Introduced in the chapter "From notebook to
    clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    d = np.maximum(np.asarray(dose, dtype=float), 1e-9)
    return 1 / (1 + (td50 / d) ** (4 * gamma50))


@dataclass(frozen=True)
class Radiobiology:
    """The parameters of the simulation (illustrative values, not fitted to any tumour or organ).

    ``alpha_mean`` and ``alpha_cv``: tumour radiosensitivity (Gy^-1), drawn per
    patient from a normal distribution with this mean and coefficient of
    variation (truncated at 0.05); ``clonogens``: clonogens at the start;
    ``kickoff_days`` and ``doubling_days``: accelerated repopulation;
    ``td50`` (Gy, EQD2 of late tissue) and ``gamma50``: the toxicity proxy;
    ``sparing``: the normal tissue's dose per fraction as a share of the
    tumour's; ``max_fractions``: treatment days before the episode ends.
    """

    alpha_mean: float = 0.3
    alpha_cv: float = 0.1
    clonogens: float = 1e7
    alpha_beta_tumour: float = TUMOUR_ALPHA_BETA
    alpha_beta_late: float = LATE_ALPHA_BETA
    kickoff_days: float = 28.0
    doubling_days: float = 3.0
    td50: float = 76.0
    gamma50: float = 3.0
    sparing: float = 1.0
    max_fractions: int = 40

    def as_dict(self) -> dict[str, float]:
        """The parameters as a plain dict (for the chapter's record)."""
        return asdict(self)


def calendar_day(fraction_index: int | np.ndarray) -> int | np.ndarray:
    """Calendar day of the ``k``-th fraction (0-based) given Monday to Friday, starting on a Monday.

    Introduced in the chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    return fraction_index + 2 * (fraction_index // 5)


def outcome(doses: Sequence[float], alpha: float, params: Radiobiology = Radiobiology()) -> dict[str, float]:
    """TCP, NTCP, ``P+`` and the doses of a course of daily ``doses`` (Gy) for a tumour with this ``alpha``.

    Overall time is the calendar day of the last fraction (five fractions a
    week). Introduced in the chapter "From notebook to clinic"
    (chapters/15_from_notebook_to_clinic.ipynb).
    """
    d = np.asarray(doses, dtype=float)
    if d.ndim != 1 or (d < 0).any():
        raise ScheduleError(f"doses must be a list of non-negative Gy per fraction, got {doses!r}")
    beta = alpha / params.alpha_beta_tumour
    n = int((d > 0).sum())
    days = float(calendar_day(len(d) - 1)) if len(d) else 0.0
    repop = math.log(2) * max(0.0, days - params.kickoff_days) / params.doubling_days
    log_sf = -float((alpha * d + beta * d**2).sum()) + repop
    dn = params.sparing * d
    late_bed = float((dn * (1 + dn / params.alpha_beta_late)).sum())
    late_eqd2 = late_bed / (1 + 2 / params.alpha_beta_late)
    tcp = float(poisson_tcp(params.clonogens, min(log_sf, 50.0)))
    ntcp = float(ntcp_loglogistic(late_eqd2, params.td50, params.gamma50))
    return {"fractions": n, "total_dose": float(d.sum()), "days": days,
            "tumour_bed": float((d * (1 + d / params.alpha_beta_tumour)).sum()),
            "late_eqd2": late_eqd2, "log10_sf": log_sf / math.log(10), "tcp": tcp, "ntcp": ntcp,
            "p_plus": tcp * (1 - ntcp)}


DOSE_LEVELS: tuple[float, ...] = (1.8, 2.0, 2.75, 3.5, 5.0, 7.25)
"""The doses per fraction in Gy that the agent may choose from.

Those of the fixed schedules the chapter compares, and more.
"""


class _Fractionation:
    """The simulation behind :func:`make_env`, without Gymnasium (which is imported only there)."""

    def __init__(self, params: Radiobiology, dose_levels: Sequence[float], alpha: float | None):
        if any(x <= 0 for x in dose_levels):
            raise ScheduleError(f"dose levels must be positive Gy, got {tuple(dose_levels)}")
        if params.max_fractions < 1:
            raise ScheduleError(f"max_fractions must be at least 1, got {params.max_fractions}")
        self.params, self.dose_levels, self.fixed_alpha = params, tuple(float(x) for x in dose_levels), alpha
        self.doses: list[float] = []
        self.alpha = params.alpha_mean
        self._p_plus = 0.0

    def _draw_alpha(self) -> float:
        if self.fixed_alpha is not None:
            return float(self.fixed_alpha)
        a = self.np_random.normal(self.params.alpha_mean, self.params.alpha_cv * self.params.alpha_mean)
        return float(max(a, 0.05))

    def _state(self) -> tuple[np.ndarray, dict[str, float]]:
        out = outcome(self.doses, self.alpha, self.params) if self.doses else {
            "tumour_bed": 0.0, "late_eqd2": 0.0, "tcp": 0.0, "ntcp": 0.0, "p_plus": 0.0}
        obs = np.array([len(self.doses) / self.params.max_fractions, out["tumour_bed"] / 100,
                        out["late_eqd2"] / self.params.td50, out["tcp"], out["ntcp"]], dtype=np.float32)
        return np.clip(obs, 0.0, 2.0), out

    def _start(self, options: dict[str, Any] | None) -> tuple[np.ndarray, dict[str, Any]]:
        self.doses = []
        self.alpha = float(options["alpha"]) if options and "alpha" in options else self._draw_alpha()
        self._p_plus = 0.0
        obs, _ = self._state()
        return obs, {"alpha": self.alpha}

    def step(self, action: int):
        """Give today's dose (or stop); return ``obs, reward, terminated, truncated, info``."""
        action = int(action)
        if not 0 <= action <= len(self.dose_levels):
            raise ScheduleError(f"action {action} is not one of 0..{len(self.dose_levels)} (0 stops treatment)")
        stop = action == 0
        if not stop:
            self.doses.append(self.dose_levels[action - 1])
        obs, out = self._state()
        reward = out["p_plus"] - self._p_plus
        self._p_plus = out["p_plus"]
        terminated = stop
        truncated = not stop and len(self.doses) >= self.params.max_fractions
        info: dict[str, Any] = {"alpha": self.alpha}
        if terminated or truncated:
            info["outcome"] = outcome(self.doses, self.alpha, self.params)
        return obs, float(reward), terminated, truncated, info


@functools.cache
def _env_class() -> type:
    import gymnasium as gym
    from gymnasium import spaces

    class FractionationEnv(_Fractionation, gym.Env):
        metadata: dict[str, Any] = {"render_modes": []}

        def __init__(self, params: Radiobiology, dose_levels: Sequence[float], alpha: float | None):
            _Fractionation.__init__(self, params, dose_levels, alpha)
            self.action_space = spaces.Discrete(len(self.dose_levels) + 1)
            self.observation_space = spaces.Box(0.0, 2.0, shape=(5,), dtype=np.float32)

        def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
            gym.Env.reset(self, seed=seed)
            return self._start(options)

    FractionationEnv.__module__ = __name__
    FractionationEnv.__doc__ = make_env.__doc__
    return FractionationEnv


def make_env(params: Radiobiology = Radiobiology(), dose_levels: Sequence[float] = DOSE_LEVELS,
             alpha: float | None = None):
    """A Gymnasium environment: one simulated patient per episode, one step per treatment day (Monday to Friday).

    Actions (``Discrete``): ``0`` ends the treatment; ``i > 0`` gives
    ``dose_levels[i - 1]`` Gy today. The episode also ends after
    ``params.max_fractions`` days. The patient's radiosensitivity ``alpha`` is
    drawn from ``params`` at each reset (or fixed by ``alpha``, or by
    ``reset(options={"alpha": a})``). Observation (``Box``, 5 values, roughly in
    [0, 1]): the share of the maximum course given, the tumour BED so far /
    100 Gy, the late-tissue EQD2 so far / ``td50``, and the TCP and NTCP if
    treatment stopped now. Giving the agent the current TCP, and through it
    the tumour's radiosensitivity, assumes a perfect response biomarker: a
    generous simplification.

    Reward: the change in ``P+ = TCP (1 - NTCP)`` (if treatment stopped
    now) over the step, so an episode's rewards sum to the final ``P+``.
    At the end of an episode ``info["outcome"]`` holds :func:`outcome`.
    Introduced in the chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    return _env_class()(params, dose_levels, alpha)


def run_schedule(env: Any, policy: Sequence[float] | Callable[[np.ndarray], int],
                 alphas: Sequence[float]) -> pd.DataFrame:
    """Play ``policy`` for each patient radiosensitivity in ``alphas``; one row of :func:`outcome` per patient.

    ``policy`` is either a fixed schedule (a list of daily doses, each one of
    ``env.dose_levels``) or a function from observation to action (e.g.
    ``lambda obs: int(model.predict(obs, deterministic=True)[0])`` for a
    stable-baselines3 model). Introduced in the chapter "From notebook to
    clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    if not callable(policy):
        doses = [float(x) for x in policy]
        unknown = sorted({x for x in doses if not any(math.isclose(x, lv) for lv in env.dose_levels)})
        if unknown:
            raise ScheduleError(f"doses {unknown} are not among the environment's levels {env.dose_levels}")
        if len(doses) > env.params.max_fractions:
            raise ScheduleError(f"{len(doses)} fractions exceed max_fractions={env.params.max_fractions}")
        actions = [1 + next(i for i, lv in enumerate(env.dose_levels) if math.isclose(x, lv)) for x in doses]
    rows = []
    for a in alphas:
        obs, _ = env.reset(options={"alpha": float(a)})
        step, done, info = 0, False, {}
        while not done:
            if callable(policy):
                action = int(policy(obs))
            else:
                action = actions[step] if step < len(actions) else 0
            obs, _, terminated, truncated, info = env.step(action)
            done, step = terminated or truncated, step + 1
        rows.append({"alpha": float(a), **info["outcome"]})
    return pd.DataFrame(rows)


def fixed_schedule(fractions: int, dose: float) -> list[float]:
    """``fractions`` daily doses of ``dose`` Gy (e.g. ``fixed_schedule(30, 2.0)``).

    Introduced in the chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    if fractions < 1 or dose <= 0:
        raise ScheduleError(f"a schedule needs at least one fraction of a positive dose, got {fractions} x {dose}")
    return [float(dose)] * int(fractions)


def fixed_outcomes(fractions: int, dose: float, alphas: Sequence[float] | np.ndarray,
                   params: Radiobiology = Radiobiology()) -> pd.DataFrame:
    """:func:`outcome` of ``fractions`` x ``dose`` Gy for every radiosensitivity in ``alphas``, vectorised.

    The same numbers as calling :func:`outcome` once per patient with
    :func:`fixed_schedule`, computed for all patients at once, which makes a
    search over hundreds of constant schedules fast. One row per patient.
    Introduced in the chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    if fractions < 1 or dose <= 0:
        raise ScheduleError(f"a schedule needs at least one fraction of a positive dose, got {fractions} x {dose}")
    a = np.asarray(alphas, dtype=float)
    if a.ndim != 1 or (a <= 0).any():
        raise ScheduleError("alphas must be a 1-D list of positive radiosensitivities (Gy^-1)")
    n, d = int(fractions), float(dose)
    days = float(calendar_day(n - 1))
    repop = math.log(2) * max(0.0, days - params.kickoff_days) / params.doubling_days
    log_sf = -n * (a * d + a / params.alpha_beta_tumour * d**2) + repop
    dn = params.sparing * d
    late_eqd2 = n * dn * (1 + dn / params.alpha_beta_late) / (1 + 2 / params.alpha_beta_late)
    tcp = poisson_tcp(params.clonogens, np.minimum(log_sf, 50.0))
    ntcp = float(ntcp_loglogistic(late_eqd2, params.td50, params.gamma50))
    return pd.DataFrame({"alpha": a, "fractions": n, "total_dose": n * d, "days": days,
                         "tumour_bed": n * d * (1 + d / params.alpha_beta_tumour), "late_eqd2": late_eqd2,
                         "log10_sf": log_sf / math.log(10), "tcp": tcp, "ntcp": ntcp, "p_plus": tcp * (1 - ntcp)})


@dataclass(frozen=True)
class PairedDifference:
    """Mean of ``a - b`` over the same patients, with a percentile bootstrap interval over patients.

    ``better``, ``worse`` and ``tied`` count the patients for whom ``a`` is
    above, below or equal to ``b`` (ties within ``1e-9``). Introduced in the
    chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """

    mean: float
    low: float
    high: float
    level: float
    n: int
    better: int
    worse: int
    tied: int

    def as_dict(self) -> dict[str, float]:
        """The comparison as a plain dict (for the chapter's record)."""
        return asdict(self)


def paired_difference(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, n_boot: int = 2000,
                      level: float = 0.95, seed: int = 0) -> PairedDifference:
    """Compare two strategies scored on the same patients: mean paired difference ``a - b`` and its interval.

    ``a[i]`` and ``b[i]`` must be the same simulated patient. The interval
    resamples *patients* (the unit that was drawn) with replacement,
    ``n_boot`` times, and takes the percentiles of the mean difference; the
    pairing removes the patient-to-patient variation both strategies share,
    which is why it is much narrower than comparing two separate means.
    Introduced in the chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ScheduleError(f"paired values must be two 1-D arrays of the same patients, got shapes {x.shape} "
                            f"and {y.shape}")
    if len(x) < 2 or not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ScheduleError("a paired comparison needs at least 2 patients and finite values")
    if not 0 < level < 1 or int(n_boot) < 1:
        raise ScheduleError(f"need 0 < level < 1 and n_boot >= 1, got level={level}, n_boot={n_boot}")
    diff = x - y
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(diff), size=(int(n_boot), len(diff)))
    boots = diff[idx].mean(axis=1)
    low, high = np.quantile(boots, [(1 - level) / 2, (1 + level) / 2])
    return PairedDifference(float(diff.mean()), float(low), float(high), float(level), len(diff),
                            int((diff > 1e-9).sum()), int((diff < -1e-9).sum()), int((np.abs(diff) <= 1e-9).sum()))


def ppo_settings(agent: Any) -> dict[str, Any]:
    """The settings of a Stable-Baselines3 PPO agent that decide what it learns, as plain values.

    Rollout length ``n_steps``, minibatch size, epochs per update, discount
    ``gamma``, GAE ``gae_lambda``, clipping range, learning rate, entropy and
    value-loss weights, gradient-norm limit, and the policy network's layers
    and activation. Schedules (a learning rate or clip range that changes
    during training) are reported at the start of training. Introduced in the
    chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    needed = ("n_steps", "batch_size", "n_epochs", "gamma", "gae_lambda", "clip_range", "learning_rate",
              "ent_coef", "vf_coef", "max_grad_norm", "policy")
    missing = [k for k in needed if not hasattr(agent, k)]
    if missing:
        raise AgentTypeError(f"expected a stable_baselines3 PPO agent; {type(agent).__name__} lacks {missing}: pass "
                             "the agent that stable_baselines3.PPO(...) returned")

    def value(v: Any) -> Any:
        return float(v(1.0)) if callable(v) else v

    policy = agent.policy
    return {"algorithm": type(agent).__name__, "policy": type(policy).__name__,
            "net_arch": repr(getattr(policy, "net_arch", None)),
            "activation": getattr(getattr(policy, "activation_fn", None), "__name__", "unknown"),
            "n_steps": int(agent.n_steps), "batch_size": int(agent.batch_size), "n_epochs": int(agent.n_epochs),
            "gamma": float(agent.gamma), "gae_lambda": float(agent.gae_lambda),
            "clip_range": value(agent.clip_range), "learning_rate": value(agent.learning_rate),
            "ent_coef": float(agent.ent_coef), "vf_coef": float(agent.vf_coef),
            "max_grad_norm": float(agent.max_grad_norm),
            "normalize_advantage": bool(getattr(agent, "normalize_advantage", True))}


__all__ = ["TUMOUR_ALPHA_BETA", "LATE_ALPHA_BETA", "AgentTypeError", "ScheduleError", "bed", "eqd2", "poisson_tcp",
           "ntcp_loglogistic", "Radiobiology", "calendar_day", "outcome", "DOSE_LEVELS", "make_env", "run_schedule",
           "fixed_schedule", "fixed_outcomes", "PairedDifference", "paired_difference", "ppo_settings"]
