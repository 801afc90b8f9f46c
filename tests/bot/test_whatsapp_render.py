from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram.callback_ids import CallbackIds
from bot.whatsapp.render import render
from shared.messages import Button, OutgoingMessage, utf16_length

titles = st.text(min_size=1, max_size=60).filter(lambda t: t.strip())
buttons = st.lists(
    st.builds(Button, title=titles, payload=st.text(min_size=1, max_size=400).map(lambda p: "/" + p)),
    max_size=15,
)
messages = st.lists(
    st.builds(OutgoingMessage, text=st.text(max_size=6000), buttons=buttons.map(tuple)), max_size=4
)


def _fits(text: str, limit: int) -> bool:
    return 0 < utf16_length(text) <= limit


@settings(max_examples=150, deadline=None)
@given(messages)
def test_rendered_objects_respect_meta_limits(batch: list[OutgoingMessage]) -> None:
    for obj in render(batch, CallbackIds(), "Kies een optie:", "Kies een optie"):
        if obj["type"] == "text":
            assert _fits(obj["text"]["body"], 4096)
            continue
        interactive = obj["interactive"]
        assert _fits(interactive["body"]["text"], 1024)
        action = interactive["action"]
        if interactive["type"] == "button":
            replies = [b["reply"] for b in action["buttons"]]
            assert 1 <= len(replies) <= 3
            assert all(_fits(r["title"], 20) and _fits(r["id"], 256) for r in replies)
            assert len({r["id"] for r in replies}) == len(replies)
        else:
            assert interactive["type"] == "list"
            assert _fits(action["button"], 20)
            rows = [row for section in action["sections"] for row in section["rows"]]
            assert 1 <= len(rows) <= 10
            assert all(_fits(r["title"], 24) and _fits(r["id"], 200) for r in rows)
            assert len({r["id"] for r in rows}) == len(rows)


def test_three_short_buttons_are_reply_buttons() -> None:
    message = OutgoingMessage("Vraag?", tuple(Button(t, f"/{t}") for t in ("Ja", "Nee", "Weet niet")))
    [obj] = render([message], CallbackIds(), "Kies:", "Kies")
    assert obj["interactive"]["type"] == "button"


def test_a_long_title_turns_buttons_into_a_list() -> None:
    message = OutgoingMessage("Vraag?", (Button("Praat met een medewerker", "/medewerker"),))
    [obj] = render([message], CallbackIds(), "Kies:", "Kies")
    assert obj["interactive"]["type"] == "list"
    assert obj["interactive"]["action"]["sections"][0]["rows"][0]["title"] == "Praat met een medewerker"


def test_long_text_with_buttons_sends_text_first() -> None:
    message = OutgoingMessage("zin " * 400, (Button("Ja", "/affirm"),))
    objs = render([message], CallbackIds(), "Kies:", "Kies")
    assert [o["type"] for o in objs] == ["text", "interactive"]


def test_texts_are_merged_into_one_message() -> None:
    objs = render([OutgoingMessage("Een."), OutgoingMessage("Twee.")], CallbackIds(), "K", "K")
    assert objs == [{"type": "text", "text": {"preview_url": False, "body": "Een.\n\nTwee."}}]
