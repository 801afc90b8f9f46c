import pytest

from bot.whatsapp.signature import sign, verify_signature, verify_subscription

SECRET = b"app-secret"
BODY = b'{"object":"whatsapp_business_account","text":"Caf\\u00e9"}'


def test_valid_signature_verifies() -> None:
    assert verify_signature(SECRET, BODY, sign(SECRET, BODY))


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        (SECRET, BODY, None),
        (SECRET, BODY, ""),
        (SECRET, BODY, sign(b"other", BODY)),
        (SECRET, BODY + b" ", sign(SECRET, BODY)),
        (SECRET, BODY, sign(SECRET, BODY).replace("sha256=", "sha1=")),
        (SECRET, BODY, sign(SECRET, BODY)[:-2]),
        (b"", BODY, sign(b"", BODY)),
    ],
)
def test_bad_missing_or_unkeyed_signatures_fail_closed(secret: bytes, body: bytes, header: str | None) -> None:
    assert verify_signature(secret, body, header) is False


def test_subscription_echoes_challenge_only_for_right_token() -> None:
    assert verify_subscription(b"tok", "subscribe", "tok", "12345") == "12345"
    assert verify_subscription(b"tok", "subscribe", "tik", "12345") is None
    assert verify_subscription(b"", "subscribe", "", "12345") is None
    assert verify_subscription(b"tok", "subscribe", "tok", "<script>") is None
