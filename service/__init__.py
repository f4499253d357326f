"""Salesforce tools for ElevenLabs voice agents: gateway, embedded org, tool JSON and call runner."""

__version__ = "0.1.0"
