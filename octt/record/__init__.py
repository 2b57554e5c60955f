"""The frame trace: every frame as its exact text, stamped before it is parsed; and redaction."""
