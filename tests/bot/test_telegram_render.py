from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram.callback_ids import MAX_CALLBACK_BYTES, CallbackIds
from bot.telegram.render import MAX_TEXT_LENGTH, render
from shared.messages import Button, OutgoingMessage, split_text, utf16_length

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=12_000)
buttons = st.lists(
    st.builds(Button, title=st.text(min_size=1, max_size=40), payload=st.text(min_size=1, max_size=300)),
    max_size=12,
)
messages = st.lists(st.builds(OutgoingMessage, text=texts, buttons=buttons.map(tuple)), max_size=5)


def _visible(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=150, deadline=None)
@given(texts, st.integers(min_value=2, max_value=5000))
def test_split_parts_fit_and_lose_only_whitespace(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(0 < utf16_length(part) <= limit for part in parts)
    assert _visible("".join(parts)) == _visible(text)


@settings(max_examples=100, deadline=None)
@given(messages)
def test_rendered_messages_respect_telegram_limits(batch: list[OutgoingMessage]) -> None:
    ids = CallbackIds()
    rendered = render(batch, ids, "Kies:")
    for message in rendered:
        assert 0 < utf16_length(message.text) <= MAX_TEXT_LENGTH
        for _label, data in message.keyboard:
            assert len(data.encode()) <= MAX_CALLBACK_BYTES
    sent_payloads = [ids.payload_for(data) for message in rendered for _l, data in message.keyboard]
    all_payloads = [button.payload for message in batch for button in message.buttons]
    # every button is offered, and every callback id resolves to its own payload
    assert sent_payloads == all_payloads


def test_keyboard_only_on_last_part_of_split_text() -> None:
    message = OutgoingMessage(text="woord " * 2000, buttons=(Button("Ja", "/affirm"),))
    rendered = render([message], CallbackIds(), "Kies:")
    assert len(rendered) == 3
    assert [bool(m.keyboard) for m in rendered] == [False, False, True]


def test_buttons_without_text_get_the_choose_text() -> None:
    rendered = render([OutgoingMessage(buttons=(Button("Ja", "/affirm"),))], CallbackIds(), "Kies:")
    assert rendered[0].text == "Kies:"


def test_emoji_count_double_towards_the_limit() -> None:
    parts = split_text("\U0001f600" * 3000, MAX_TEXT_LENGTH)
    assert [utf16_length(part) for part in parts] == [4096, 1904]
