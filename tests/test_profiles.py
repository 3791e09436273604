"""Profiles resolve from the parameters cell, with the environment winning."""

import pytest

from medlab.errors import MedlabError
from medlab.runtime.profiles import PROFILES, ProfileError, get_profile, resolve_profile_name


def test_parameter_used_without_env(monkeypatch):
    monkeypatch.delenv("MEDLAB_PROFILE", raising=False)
    assert resolve_profile_name("smoke") == "smoke"
    assert resolve_profile_name(None) == "full"


def test_env_overrides_parameter(monkeypatch):
    monkeypatch.setenv("MEDLAB_PROFILE", "smoke")
    assert resolve_profile_name("full") == "smoke"
    assert get_profile("paper").name == "smoke"


def test_unknown_profile_names_the_choices(monkeypatch):
    monkeypatch.delenv("MEDLAB_PROFILE", raising=False)
    with pytest.raises(ProfileError, match="smoke, full, paper") as info:
        resolve_profile_name("fast")
    assert isinstance(info.value, MedlabError) and isinstance(info.value, ValueError)
    monkeypatch.setenv("MEDLAB_PROFILE", "huge")
    with pytest.raises(ValueError, match=r"\$MEDLAB_PROFILE"):
        resolve_profile_name("full")


def test_overrides_ignore_none(monkeypatch):
    monkeypatch.delenv("MEDLAB_PROFILE", raising=False)
    p = get_profile("full", max_epochs=None, batch_size=32)
    assert p.max_epochs == PROFILES["full"].max_epochs and p.batch_size == 32


def test_profiles_scale_up():
    smoke, full, paper = PROFILES["smoke"], PROFILES["full"], PROFILES["paper"]
    assert smoke.max_epochs < full.max_epochs < paper.max_epochs
    assert smoke.train_size is not None and full.train_size is None
    assert paper.max_epochs == 100  # MedMNIST v2's protocol
