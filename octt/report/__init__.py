"""Results and their renderings: result.json (the one source), junit.xml, the terminal view,
the certificate (HTML and PDF), the full test report (HTML), and signatures over them."""
