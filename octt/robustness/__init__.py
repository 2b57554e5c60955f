"""The robustness profile: how a CSMS takes bad input, beyond the OCA test cases.

`classes` names the kinds of bad input and what OCPP-J 1.6 §4.2.3 asks the receiver to answer
to each (with the reasoning); `generator` derives the cases from the OCPP 1.6 JSON schemas of
every action a charge point sends (plus frame-level, direction and semantic inputs), as
`TestCase` values of profile `robustness` whose `send_raw` steps the engine runs. The profile
is off unless asked for (`--profile robustness`) and never part of the OCA verdicts.
"""
