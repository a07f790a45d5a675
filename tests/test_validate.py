import numpy as np
import pytest

from companion.validate import check_choice, check_float, check_int, check_int_list


def test_accepts_valid_values():
    assert check_int("L", np.int64(3), lo=1) == 3
    assert check_float("lam", 0, lo=0.0) == 0.0
    assert check_choice("profile", "smoke", ["book", "smoke"]) == "smoke"
    assert check_int_list("depths", [2, 3], lo=1) == (2, 3)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: check_int("d", 1, lo=2), r"d must be an integer >= 2; got 1"),
        (lambda: check_int("L", 2.5, lo=1), r"L must be an integer >= 1"),
        (lambda: check_int("L", True, lo=0), r"L must be an integer"),
        (lambda: check_float("sigma", 0.0, lo=0.0, lo_open=True), r"sigma must be a real number in \(0.0, inf\)"),
        (lambda: check_float("chi", float("nan"), lo=-1), r"chi must be a finite"),
        (lambda: check_choice("kernel", "rbf", ["ntk", "rf"]), r"kernel must be one of 'ntk', 'rf'; got 'rbf'"),
        (lambda: check_int_list("depths", [2, 0], lo=1), r"depths\[1\] must be an integer >= 1"),
        (lambda: check_int_list("depths", [], lo=1), r"depths must be a non-empty"),
    ],
)
def test_errors_name_parameter_and_range(call, message):
    with pytest.raises(ValueError, match=message):
        call()
