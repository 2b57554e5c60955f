"""The test-case catalog: YAML cases and reusable states, loaded with line marks, and selection."""
