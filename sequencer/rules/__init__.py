"""The core's rules: plain functions over one ``LineState``, one module per idea, in a chain.

Each module uses only the modules above it in this list (import-linter holds the order):

- ``racks``: slots by sequence position, racks closed at capacity, shipped, forgotten, watched against due time.
- ``devices``: a device's link and a printer's faults, one deviation per device at a time.
- ``stock``: a kept bin's stock (counted, drawn per pick), its low-stock call and the station's starvation forecast.
- ``picking``: a new vehicle's parts as picks, queued and lit at their station; what a pressed light does.
- ``vehicles``: change, cancel, hold and release of a vehicle in the sequence, and its completion.
- ``feeds``: what a broadcast does: where it belongs in its feed, its message function, gaps, silence.
- ``labelling``: what the printers report about labels (sending, printed, uncertain); a label on its part.
- ``manual``: a person's intents, checked, carried out and audited (``MANUAL_RULES``).

What this package must not do: I/O, clocks or randomness (the core's purity contract), or change a pick's or a
vehicle's status other than through ``sequencer.lifecycle``. ``sequencer.core`` is the one door into them.
"""
