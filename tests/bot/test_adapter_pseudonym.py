import hashlib
import hmac

import pytest

from bot.pseudonym import pseudonymise


def test_pseudonym_is_truncated_hmac_over_platform_and_id() -> None:
    # arrange
    key = b"k" * 32
    expected = hmac.new(key, b"whatsapp:31600000001", hashlib.sha256).hexdigest()[:32]
    # act
    result = pseudonymise("whatsapp", "31600000001", key)
    # assert
    assert result == expected
    assert len(result) == 32
    assert "31600000001" not in result


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("telegram", 42, b"k" * 32), ("whatsapp", 42, b"k" * 32)),
        (("telegram", 42, b"k" * 32), ("telegram", 43, b"k" * 32)),
        (("telegram", 42, b"k" * 32), ("telegram", 42, b"j" * 32)),
    ],
)
def test_pseudonym_differs_by_platform_id_and_key(a: tuple, b: tuple) -> None:
    assert pseudonymise(*a) != pseudonymise(*b)


def test_pseudonym_is_stable() -> None:
    assert pseudonymise("telegram", 42, b"key") == pseudonymise("telegram", "42", b"key")


def test_empty_key_is_refused() -> None:
    with pytest.raises(ValueError):
        pseudonymise("telegram", 42, b"")
