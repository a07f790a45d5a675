"""Claims: the verdict rule, noise-stable text, the readable table, and the results file."""

import json

import pytest

from companion.claims import (AGREES, DISAGREES, MEASURED, NO_DISCRIMINATION, NO_MEASUREMENT, WITHIN_TOL, Claim,
                              ClaimsTable, load, publish, tally)

R = "stated reason"


def test_verdicts_with_an_interval():
    c = dict(quantity="q", measured=-2.9, ci=(-2.95, -2.85))
    assert Claim(**c, theory=-2.9).verdict == AGREES
    assert Claim(**c, theory=-3.0, tol=0.1, tol_reason=R).verdict == WITHIN_TOL
    assert Claim(**c, theory=-3.0, tol=0.01, tol_reason=R).verdict == DISAGREES
    assert Claim(quantity="q", measured=1.0).verdict == MEASURED
    assert Claim(quantity="q", measured=float("nan"), theory=1.0).verdict == NO_MEASUREMENT


def test_a_deterministic_measurement_agrees_within_the_methods_accuracy():
    assert Claim(quantity="q", measured=1.004, theory=1.0, tol=0.005, tol_reason=R).verdict == AGREES
    assert Claim(quantity="q", measured=1.006, theory=1.0, tol=0.005, tol_reason=R).verdict == DISAGREES


def test_an_interval_that_holds_prediction_and_rival_does_not_discriminate():
    c = dict(quantity="beta", measured=1.1, theory=1.0, rival=4 / 3)
    assert Claim(**c, ci=(0.9, 1.4)).verdict == NO_DISCRIMINATION
    assert Claim(**c, ci=(0.95, 1.2)).verdict == AGREES
    # the tolerance must not turn noise into agreement: it widens the interval for the rival too
    assert Claim(**c, ci=(0.95, 1.2), tol=0.2, tol_reason=R).verdict == NO_DISCRIMINATION
    assert Claim(quantity="b", measured=1.3, ci=(1.25, 1.36), theory=1.0, rival=4 / 3).verdict == DISAGREES


def test_bad_claims_are_refused():
    with pytest.raises(ValueError, match="tol_reason"):
        Claim(quantity="q", measured=1.0, theory=1.0, tol=0.1)
    with pytest.raises(ValueError, match="rival"):
        Claim(quantity="q", measured=1.0, rival=2.0)
    with pytest.raises(ValueError, match="ci"):
        Claim(quantity="q", measured=1.0, ci=(2.0, 1.0))


def test_text_is_rounded_so_float_noise_does_not_show():
    def table(m, lo, hi):
        return ClaimsTable([Claim(quantity="q", measured=m, ci=(lo, hi), theory=-3, tol=0.05, tol_reason=R)])
    a, b = table(-3.0012, -3.0101, -2.9923), table(-3.0013, -3.0102, -2.9924)
    assert repr(a) == repr(b) and a._repr_html_() == b._repr_html_()
    assert repr(table(-3.02, -3.03, -3.01)) != repr(a)


def test_exact_zero_prints_the_bound():
    row = Claim(quantity="odd", measured=3e-17, theory=0.0, tol=1e-12, tol_reason=R).row()
    assert row["measured [95% CI]"] == "< 1e-12" and row["verdict"] == AGREES
    assert Claim(quantity="x", measured=-0.001, digits=2).row()["measured [95% CI]"] == "0.00"


def test_tally_and_table_show_sources_reasons_and_exceptions():
    claims = [Claim(quantity=f"q{i}", measured=1.0, ci=(0.9, 1.1), theory=1.0, source="Thm 1") for i in range(7)]
    claims.append(Claim(quantity="odd one", measured=2.0, ci=(1.9, 2.1), theory=1.0, tol=0.01,
                        tol_reason="fit accuracy", source="Thm 1"))
    assert tally(claims) == "8 claims: 7 agree, 1 disagrees"
    text, page = repr(ClaimsTable(claims, "S")), ClaimsTable(claims, "S")._repr_html_()
    assert "8 claims: 7 agree, 1 disagrees" in text and "[1] Thm 1" in text and "[2] fit accuracy" in text
    assert "rival" not in text  # no claim has a rival: no empty column
    # long table collapsed behind the tally; the disagreement shown outside it
    assert page.index("odd one") < page.index("<details>") and "<summary>all 8 claims" in page
    assert "#f6d5c6" in page and "text-align:right" in page


def test_publish_and_load_round_trip(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPANION_RESULTS_DIR", raising=False)
    publish([Claim(quantity="a", measured=1.0)], page="p", section="s1")
    assert not list(tmp_path.iterdir())
    monkeypatch.setenv("COMPANION_RESULTS_DIR", str(tmp_path))
    publish([Claim(quantity="a", measured=1.0, theory=1.0)], page="p", section="s1")
    b = Claim(quantity="b", measured=2.0, ci=(1.5, 2.5), theory=3.0, rival=2.2, rival_source="SB")
    publish([b], page="p", section="s2")
    data = json.loads((tmp_path / "p.json").read_text())
    assert list(data["sections"]) == ["s1", "s2"]
    assert data["sections"]["s2"][0]["verdict"] == DISAGREES
    page, sections = load(tmp_path / "p.json")
    assert page == "p" and sections["s2"] == [b]
