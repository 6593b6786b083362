"""Put first on PYTHONPATH by benchmarks/replicas.py to run the bot on asyncio's own event loop
(the bot falls back to it when uvloop cannot be imported), beside the same code on uvloop."""

raise ImportError("the stock asyncio event loop, for comparison")
