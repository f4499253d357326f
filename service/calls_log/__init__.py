"""Post-call logging: ElevenLabs post-call webhooks become one Salesforce Task per conversation.

`signature` checks `ElevenLabs-Signature`, `events` reads the three event types, `outbox` keeps
accepted events durably until they land, `ledger` remembers which records a conversation touched,
`task` builds the Task, `deliver` sends it with retries, `route` is the webhook endpoint.
"""
