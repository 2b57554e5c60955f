"""How the CSMS is made to act: a person at a prompt, a trigger API over HTTP, or nobody."""
