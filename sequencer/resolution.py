"""Variant resolution: a vehicle's option codes -> the supplier part number per family -> the bin that holds it.

Rules come from the plant's master data as a table (family, all_of, none_of, part). A rule matches when all its
required codes are on the vehicle and none of its excluded ones. Exactly one rule per family may match; none
(for a required family) or several is an unresolvable vehicle: a deviation that blocks only its own slot.
What it must not do: raise the deviation or change anything (``sequencer.rules.picking`` and ``vehicles`` act on
what it resolves); it is built once from the plant and only answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sequencer.plant import PlantConfig


@dataclass(frozen=True, slots=True)
class _Rule:
    all_of: frozenset[str]
    none_of: frozenset[str]
    part: str
    qty: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolved:
    family: str
    part: str
    qty: int
    bin: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Unresolved:
    family: str
    reason: str


class Resolver:
    """Resolution tables built once from the plant config."""

    def __init__(self, plant: PlantConfig) -> None:
        self._rules: dict[str, list[_Rule]] = {f.id: [] for f in plant.families}
        for r in plant.options:
            self._rules[r.family].append(_Rule(frozenset(r.all_of), frozenset(r.none_of), r.part, r.qty))
        self._required = {f.id: f.required for f in plant.families}
        self._bin_of_part = {p.number: p.bin for p in plant.parts}
        self._family_of_part = {p.number: p.family for p in plant.parts}
        self.known_codes = frozenset(c for r in plant.options for c in (*r.all_of, *r.none_of))

    def resolve(
        self,
        options: tuple[str, ...],
        parts: tuple[tuple[str, str], ...],
        quantities: tuple[tuple[str, int], ...] = (),
    ) -> tuple[list[Resolved], list[Unresolved]]:
        """Resolve every family; parts named directly by the OEM win over option codes, in the quantity the OEM
        names (``quantities``: family -> count, 1 when left out)."""
        codes = frozenset(options)
        named = dict(parts)
        counts = dict(quantities)
        resolved: list[Resolved] = []
        unresolved: list[Unresolved] = []
        for family, rules in self._rules.items():
            outcome: Resolved | Unresolved | None
            if family in named:
                outcome = self._named(family, named[family], counts.get(family, 1))
            else:
                outcome = self._by_options(family, rules, codes)
            if isinstance(outcome, Resolved):
                resolved.append(outcome)
            elif outcome is not None:
                unresolved.append(outcome)
        for family in [f for f in named if f not in self._rules]:  # the broadcast's order, not a set's (hash seed)
            unresolved.append(Unresolved(family=family, reason=f"unknown part family {family!r}"))
        return resolved, unresolved

    def _named(self, family: str, part: str, qty: int) -> Resolved | Unresolved:
        if self._family_of_part.get(part) != family:
            return Unresolved(family=family, reason=f"part {part!r} is not a known {family} part")
        return Resolved(family=family, part=part, qty=qty, bin=self._bin_of_part[part])

    def _by_options(self, family: str, rules: list[_Rule], codes: frozenset[str]) -> Resolved | Unresolved | None:
        matches = [r for r in rules if r.all_of <= codes and not (r.none_of & codes)]
        if len(matches) == 1:
            r = matches[0]
            return Resolved(family=family, part=r.part, qty=r.qty, bin=self._bin_of_part[r.part])
        if len(matches) > 1:
            parts = ", ".join(sorted(r.part for r in matches))
            return Unresolved(family=family, reason=f"options match several {family} parts: {parts}")
        if self._required[family]:
            return Unresolved(family=family, reason=f"no {family} part for options {' '.join(sorted(codes))}")
        return None
