"""Developer scripts (recording, schema derivation); not part of the installed package."""
