"""ElevenLabs tool JSON: generate from the gateway's tool schemas, export, validate, push and diff."""
