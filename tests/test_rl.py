"""medlab.rl: the linear-quadratic formulas, and an environment that follows the Gymnasium API (chapter 15)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from medlab import rl


def test_bed_and_eqd2_textbook_values():
    # 30 x 2 Gy: BED3 = 60 (1 + 2/3) = 100 Gy; 2-Gy fractions have EQD2 equal to the physical dose
    assert rl.bed(60, 2, 3) == pytest.approx(100)
    assert rl.eqd2(60, 2, rl.LATE_ALPHA_BETA) == pytest.approx(60)
    assert rl.eqd2(60, 2, rl.TUMOUR_ALPHA_BETA) == pytest.approx(60)
    # 5 x 7.25 Gy: BED10 = 36.25 (1 + 0.725)
    assert rl.bed(36.25, 7.25, 10) == pytest.approx(62.53125)
    # larger fractions are worth more to late-responding tissue (low alpha/beta) than to tumour
    assert rl.eqd2(55, 2.75, 3) / 55 > rl.eqd2(55, 2.75, 10) / 55 > 1


def test_poisson_tcp_and_ntcp_midpoints():
    assert rl.poisson_tcp(1e7, math.log(math.log(2) / 1e7)) == pytest.approx(0.5)  # N0 SF = ln 2
    assert rl.ntcp_loglogistic(76.0, td50=76.0, gamma50=3.0) == pytest.approx(0.5)
    # gamma50 is the normalised slope at TD50: dNTCP/dD * TD50 = gamma50
    h = 1e-4
    slope = (rl.ntcp_loglogistic(76 + h, 76, 3) - rl.ntcp_loglogistic(76 - h, 76, 3)) / (2 * h)
    assert slope * 76 == pytest.approx(3.0, rel=1e-4)


def test_outcome_follows_the_linear_quadratic_model():
    p = rl.Radiobiology()
    alpha = 0.3
    out = rl.outcome(rl.fixed_schedule(30, 2.0), alpha, p)
    assert out["days"] == 39 == rl.calendar_day(29)  # six weeks, Monday to Friday
    log_sf = -alpha * rl.bed(60, 2, p.alpha_beta_tumour) + math.log(2) * (39 - p.kickoff_days) / p.doubling_days
    assert out["log10_sf"] == pytest.approx(log_sf / math.log(10))
    assert out["tcp"] == pytest.approx(math.exp(-p.clonogens * math.exp(log_sf)))
    assert out["late_eqd2"] == pytest.approx(60)
    assert out["p_plus"] == pytest.approx(out["tcp"] * (1 - out["ntcp"]))
    short = rl.outcome(rl.fixed_schedule(5, 7.25), alpha, p)
    assert short["days"] == 4 and short["log10_sf"] == pytest.approx(-alpha * rl.bed(36.25, 7.25, 10) / math.log(10))


def test_environment_passes_gymnasiums_and_sb3s_checkers():
    from gymnasium.utils.env_checker import check_env
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # no render modes: nothing to render
        check_env(rl.make_env())
        sb3_check_env(rl.make_env(), warn=False)


def test_rewards_sum_to_the_final_p_plus_and_match_run_schedule():
    env = rl.make_env()
    obs, info = env.reset(seed=3)
    assert env.observation_space.contains(obs)
    total, done, step = 0.0, False, 0
    while not done:
        obs, reward, terminated, truncated, info = env.step(3 if step < 20 else 0)  # 20 x 2.75 Gy, then stop
        total, done, step = total + reward, terminated or truncated, step + 1
    assert terminated and not truncated and step == 21
    assert total == pytest.approx(info["outcome"]["p_plus"])
    direct = rl.outcome(rl.fixed_schedule(20, 2.75), info["alpha"])
    played = rl.run_schedule(env, rl.fixed_schedule(20, 2.75), [info["alpha"]]).iloc[0]
    assert played["p_plus"] == pytest.approx(direct["p_plus"]) == pytest.approx(total)


def test_episode_is_truncated_at_the_maximum_course():
    env = rl.make_env(rl.Radiobiology(max_fractions=4), alpha=0.3)
    env.reset(seed=0)
    flags = [env.step(1)[2:4] for _ in range(4)]
    assert flags[-1] == (False, True) and all(f == (False, False) for f in flags[:-1])


def test_patients_differ_and_seeds_reproduce():
    env = rl.make_env()
    a = [env.reset(seed=s)[1]["alpha"] for s in (0, 1, 0)]
    assert a[0] == a[2] != a[1]
    assert rl.make_env(alpha=0.25).reset(seed=5)[1]["alpha"] == 0.25


def test_policy_function_and_bad_input():
    env = rl.make_env()
    df = rl.run_schedule(env, lambda obs: 2 if obs[0] < 30 / 40 else 0, [0.3, 0.35])
    assert list(df["fractions"]) == [30, 30] and np.allclose(df["total_dose"], 60)
    with pytest.raises(rl.ScheduleError, match="not among"):
        rl.run_schedule(env, [2.2] * 3, [0.3])
    with pytest.raises(rl.ScheduleError, match="max_fractions"):
        rl.run_schedule(env, [2.0] * 41, [0.3])
    with pytest.raises(rl.ScheduleError):
        rl.outcome([-1.0], 0.3)
    with pytest.raises(rl.ScheduleError):
        env.step(99)
    with pytest.raises(rl.ScheduleError):
        rl.make_env(dose_levels=(0.0, 2.0))


def test_fixed_outcomes_equal_outcome_per_patient():
    p = rl.Radiobiology()
    alphas = np.array([0.22, 0.3, 0.36])
    for n, d in [(30, 2.0), (5, 7.25), (19, 2.75), (1, 1.8)]:
        fast = rl.fixed_outcomes(n, d, alphas, p)
        for a, (_, row) in zip(alphas, fast.iterrows(), strict=True):
            slow = rl.outcome(rl.fixed_schedule(n, d), a, p)
            for key, value in slow.items():
                assert row[key] == pytest.approx(value, rel=1e-9, abs=1e-12), (n, d, key)
    with pytest.raises(rl.ScheduleError):
        rl.fixed_outcomes(0, 2.0, alphas)
    with pytest.raises(rl.ScheduleError):
        rl.fixed_outcomes(5, 2.0, [-0.1])


def test_paired_difference_bootstraps_patients():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.2, 0.9, 400)  # large patient-to-patient spread, shared by both strategies
    gain = rng.normal(0.02, 0.01, 400)
    res = rl.paired_difference(base + gain, base, n_boot=2000, seed=1)
    assert res.n == 400 and res.mean == pytest.approx(gain.mean())
    assert res.low < gain.mean() < res.high
    se = gain.std(ddof=1) / np.sqrt(400)  # the interval is about mean +- 1.96 se of the *differences*
    assert res.high - res.low == pytest.approx(2 * 1.96 * se, rel=0.15)
    assert res.better + res.worse + res.tied == 400
    same = rl.paired_difference(base, base)
    assert same.mean == 0 and same.tied == 400
    assert rl.paired_difference(base + gain, base, seed=1) == res  # reproducible
    with pytest.raises(rl.ScheduleError, match="same patients"):
        rl.paired_difference(base, base[:-1])
    with pytest.raises(rl.ScheduleError):
        rl.paired_difference([0.1], [0.2])


def test_ppo_settings_are_read_from_the_agent():
    from stable_baselines3 import PPO

    agent = PPO("MlpPolicy", rl.make_env(), n_steps=64, batch_size=32, gamma=1.0, learning_rate=1e-3,
                ent_coef=0.01, device="cpu", seed=0)
    s = rl.ppo_settings(agent)
    assert s["n_steps"] == 64 and s["batch_size"] == 32 and s["gamma"] == 1.0 and s["ent_coef"] == 0.01
    assert s["clip_range"] == pytest.approx(0.2) and s["learning_rate"] == pytest.approx(1e-3)
    assert s["algorithm"] == "PPO" and s["activation"] == "Tanh"
    with pytest.raises(TypeError, match="PPO"):
        rl.ppo_settings(object())
