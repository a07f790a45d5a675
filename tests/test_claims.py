"""Claims: verdict rule, noise-stable text, and the results file."""

import json

import pytest

from companion.claims import Claim, ClaimsTable, publish


def test_verdict_uses_interval_widened_by_tol():
    assert Claim(quantity="q", measured=-2.9, ci=(-2.95, -2.85), theory=-3.0, tol=0.1).verdict == "agrees"
    assert Claim(quantity="q", measured=-2.9, ci=(-2.95, -2.85), theory=-3.0, tol=0.01).verdict == "DISAGREES"
    assert Claim(quantity="q", measured=1.04, theory=1.0, tol=0.05).verdict == "agrees"
    assert Claim(quantity="q", measured=1.0).verdict == "measured"


def test_text_is_rounded_so_float_noise_does_not_show():
    a = ClaimsTable([Claim(quantity="q", measured=-3.0012, ci=(-3.0101, -2.9923), theory=-3, tol=0.05)])
    b = ClaimsTable([Claim(quantity="q", measured=-3.0013, ci=(-3.0102, -2.9924), theory=-3, tol=0.05)])
    assert repr(a) == repr(b) and a._repr_html_() == b._repr_html_()
    moved = ClaimsTable([Claim(quantity="q", measured=-3.02, ci=(-3.03, -3.01), theory=-3, tol=0.05)])
    assert repr(moved) != repr(a)


def test_exact_zero_prints_the_bound():
    row = Claim(quantity="odd", measured=3e-17, theory=0.0, tol=1e-12).row()
    assert row["measured [95% CI]"] == "< 1e-12" and row["verdict"] == "agrees"
    assert Claim(quantity="x", measured=-0.001, digits=2).row()["measured [95% CI]"] == "0.00"


def test_publish_writes_sections_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPANION_RESULTS_DIR", raising=False)
    publish([Claim(quantity="a", measured=1.0)], page="p", section="s1")
    assert not list(tmp_path.iterdir())
    monkeypatch.setenv("COMPANION_RESULTS_DIR", str(tmp_path))
    publish([Claim(quantity="a", measured=1.0, theory=1.0)], page="p", section="s1")
    publish([Claim(quantity="b", measured=2.0, ci=(1.5, 2.5), theory=3.0)], page="p", section="s2")
    data = json.loads((tmp_path / "p.json").read_text())
    assert list(data["sections"]) == ["s1", "s2"]
    assert data["sections"]["s2"][0]["verdict"] == "DISAGREES"
    assert data["sections"]["s2"][0]["ci"] == [1.5, 2.5]
