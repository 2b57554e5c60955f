"""The engine: runs a plan of test cases against the CSMS and emits events for the sinks."""
