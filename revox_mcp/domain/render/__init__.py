"""Every tool's text: compact renderings of its output models, for the model to read. Pure functions.

The structured content carries the JSON; the text is a terser rendering of the same answer, so an
agent does not pay twice. One module per area: ``assistants`` (list_assistants, get_assistant),
``calls`` (list_calls, get_call, analyze_calls), ``diagnosis`` (diagnose_assistant,
compare_assistants), ``status`` (revox_status); ``tree`` holds what they share.
"""
