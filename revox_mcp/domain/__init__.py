"""Pure functions over Revox data: facts, redaction, summaries, diagnostics, budgets. No I/O, no mcp, no httpx."""
