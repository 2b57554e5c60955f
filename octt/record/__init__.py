"""The frame trace: every frame as its exact text, stamped before it is parsed; redaction; and
reading the trace back for reports."""
