"""ElevenLabs agent tests (simulation, tool-call and response tests) built from our personas' runs.

`record` plays each persona through the real stack, `build` turns a persona and its run into test
bodies, `validate` checks them with the SDK's request models and the API's own rules, and `remote`
pushes, diffs and runs them through the official SDK.
"""
