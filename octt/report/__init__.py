"""Results and their renderings: result.json (the one source), junit.xml, the terminal view."""
