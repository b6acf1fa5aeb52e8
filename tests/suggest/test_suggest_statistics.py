"""Statistics read exactly as printed: Ng 2018 and Huang 2016, and the forms they take."""

from __future__ import annotations

import pytest

from gbkg.kg.suggest.statistics import meta, number, results

NG = (
    "There was no significant difference in mood between the treatment and placebo group "
    "post-intervention as the standardized mean difference (SMD) was −0.128 "
    "(95% CI −0.261 to 0.00463, P=0.059)."
)
HUANG = (
    "Probiotics had an effect on the population aged under 60 (MD = −0.43, 95% CI "
    "(−0.72–−0.13), p = 0.005), while it had no effect on people aged over 65 (MD = −0.18, "
    "95% CI (−0.47–0.11), p = 0.22)."
)


def test_ng_2018_exactly() -> None:
    (result,) = results(NG)
    assert result.as_dict() == {
        "effect_measure": "SMD",
        "effect_size": -0.128,
        "ci_low": -0.261,
        "ci_high": 0.00463,
        "ci_level": 95.0,
        "p_value": 0.059,
    }
    assert result.significant() is False
    assert NG[result.ci_low.start : result.ci_low.end] == "−0.261"  # type: ignore[union-attr]
    assert NG[result.p.start : result.p.end] == "0.059"  # type: ignore[union-attr]


def test_huang_2016_two_results_in_one_sentence_with_en_dashes() -> None:
    under, over = results(HUANG)
    assert under.as_dict() == {
        "effect_measure": "MD",
        "effect_size": -0.43,
        "ci_low": -0.72,
        "ci_high": -0.13,
        "ci_level": 95.0,
        "p_value": 0.005,
    }
    assert over.as_dict() == {
        "effect_measure": "MD",
        "effect_size": -0.18,
        "ci_low": -0.47,
        "ci_high": 0.11,
        "ci_level": 95.0,
        "p_value": 0.22,
    }
    assert under.significant() is True and over.significant() is False


def test_a_measure_named_twice_is_one_result() -> None:
    text = "MD (depressive disorder) = −0.30, 95% CI (−0.51–−0.09), p = 0.005"
    (result,) = results(text)
    assert result.as_dict()["effect_size"] == -0.3
    assert (result.ci_low.value, result.ci_high.value) == (-0.51, -0.09)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("SMD −0.5 (95% CI −0.8 to −0.2)", -0.8, -0.2),
        ("SMD -0.5 (95% CI -0.8--0.2)", -0.8, -0.2),
        ("SMD -0.5, 95% CI: -0.80~-0.21", -0.8, -0.21),
        ("SMD –0.5 [95% CI –0.8 to –0.2]", -0.8, -0.2),
        ("MD -0.18 (95% CI -0.47-0.11)", -0.47, 0.11),
        ("OR 1.52 (1.10 to 2.10)", 1.1, 2.1),
        ("RR = 0·80 (95% CI 0·61–1·05)", 0.61, 1.05),
    ],
)
def test_interval_forms(text: str, low: float, high: float) -> None:
    (result,) = results(text)
    assert (result.ci_low.value, result.ci_high.value) == (low, high)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "value", "relation", "printed"),
    [
        ("P=0.059", 0.059, "=", "0.059"),
        ("p = 0.005", 0.005, "=", "0.005"),
        ("p < 0.01", 0.01, "<", "<0.01"),
        ("P<.001", 0.001, "<", "<0.001"),
        ("p ≤ 0.05", 0.05, "≤", "≤0.05"),
        ("p >= 0.05", 0.05, "≥", "≥0.05"),
        ("P = 0·03", 0.03, "=", "0.03"),
        ("p-value of 0.04", 0.04, "=", "0.04"),
    ],
)
def test_p_as_a_value_or_a_bound(text: str, value: float, relation: str, printed: str) -> None:
    (result,) = results(text)
    assert result.p is not None and result.p.value == value
    assert result.p_relation == relation
    assert result.p_text() == printed
    assert ("p_value" in result.as_dict()) is (relation == "=")


def test_significance_from_bounds_and_intervals() -> None:
    assert results("p < 0.01")[0].significant() is True
    assert results("p > 0.05")[0].significant() is False
    assert results("p < 0.1")[0].significant() is None  # a bound above 0.05 says nothing
    assert results("OR 1.3 (95% CI 0.9 to 1.8)")[0].significant() is False  # spans 1
    assert results("OR 1.3 (95% CI 1.1 to 1.8)")[0].significant() is True
    assert results("SMD 0.3 (95% CI 0.1 to 0.5)")[0].significant() is True


def test_heterogeneity_and_model() -> None:
    found = meta("I² = 89.9%, τ2 = 0.67, random-effects model")
    assert found.i_squared is not None and found.i_squared.value == 89.9
    assert found.tau_squared is not None and found.tau_squared.value == 0.67
    assert found.analysis_model is not None and found.analysis_model.value == "random"
    assert meta("a fixed-effects model").analysis_model.value == "fixed"  # type: ignore[union-attr]


def test_numbers() -> None:
    assert number("−0.30") == -0.3
    assert number("0·03") == 0.03
    assert number("1 192") == 1192
    assert number("1,349") == 1349
