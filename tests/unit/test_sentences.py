"""The core's sentences on a deviation: each rule's message is a template of ``sequencer.sentences.TEMPLATES`` filled
with its values, and the template and values travel with it (``RaiseDeviation``, the deviation, its view), so a
screen can say it in its language (tests/ui/test_languages.py) while the message stays English for the journal,
the log and the report."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from sequencer.commands import RaiseDeviation
from sequencer.core import Sequencer
from sequencer.events import Event
from sequencer.plant import PlantConfig
from sequencer.projection import deviation_view
from sequencer.sentences import TEMPLATES, Sentence, say
from sequencer.state import SequencerError
from tests.unit.test_core_golden import Chaos, recorded_plant, small_plant

# A deviation whose sentence is only data (a printer's own fault flags, ``zebra-1: head_open``) has no template.
WITHOUT_TEMPLATE = frozenset({"printer_fault"})


def raised_by_chaos(core: Sequencer, events: Iterable[Event]) -> list[RaiseDeviation]:
    raised: list[RaiseDeviation] = []
    for event in events:
        try:
            commands = core.handle(event)
        except SequencerError:  # the chaos driver sends refused events on purpose
            continue
        raised += [c for c in commands if isinstance(c, RaiseDeviation)]
    return raised


@pytest.mark.parametrize(("plant", "seed"), [(recorded_plant, 1), (lambda: small_plant("move"), 2)])
def test_every_sentence_a_rule_raises_is_its_template_filled_in(plant: Callable[[], PlantConfig], seed: int) -> None:
    chaos = Chaos(plant(), seed, None)
    raised = raised_by_chaos(chaos.core, chaos.events(2500))
    kinds = {c.kind for c in raised}
    assert len(kinds) > 15  # the stream raises most kinds: a check over a few would prove little
    for c in raised:
        if c.kind in WITHOUT_TEMPLATE:
            assert c.template == "" and c.params == ()
            continue
        assert c.template in TEMPLATES.values(), c
        assert Sentence(c.template, c.params).text == c.message
        assert all(isinstance(v, str | int | float) for _, v in c.params)
    open_one = next(iter(chaos.core.state.deviations.by_id.values()))
    view = deviation_view(open_one)
    assert (view.template, view.params, view.message) == (open_one.template, open_one.params, open_one.message)


def test_a_sentence_is_its_english_template_filled_in_and_names_only_templates_of_the_table() -> None:
    gap = say("gap", feed="L1", count=2, first=9994, last=9995)
    assert gap.text == "L1: 2 broadcast(s) missing, 9994..9995; resend requested"
    assert gap.template == TEMPLATES["gap"] and dict(gap.params) == {
        "feed": "L1",
        "count": 2,
        "first": 9994,
        "last": 9995,
    }
    with pytest.raises(KeyError):
        say("no such sentence", feed="L1")
