"""The run's result: the model the engine fills in (cases, findings, performance), the events
that carry it to the sinks, and its JSON form (result.json) written during the run and read back
for re-rendering. This room imports neither the engine nor the renderers: the engine writes it,
the renderers read it."""
