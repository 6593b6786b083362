"""A provider named beside a model ("azure gpt-4o", "claude on bedrock", "on groq"): the host
whose price applies where genai-prices prices the model there, else the model's list price, said
in a note. A provider's name is never read as a model's."""

from __future__ import annotations

from bot.parsing.models import resolve
from bot.parsing.reading import Reading
from estimator import provider_ids

# Cloud platforms people name by their product, as genai-prices' provider ids.
_PRODUCTS = {"bedrock": "aws", "vertex": "google", "vertex-ai": "google", "vertexai": "google"}
# The model makers: "openai gpt-4o", "anthropic claude" name the brand, and its list price is
# the price already applied.
_MAKERS = {
    "openai", "anthropic", "google", "meta", "mistral", "deepseek", "x-ai", "cohere",
    "moonshotai", "zai", "zhipuai", "minimax", "perplexity",
}  # fmt: skip


def host_of(token: str) -> str | None:
    """The provider id `token` names ("azure", "bedrock" -> "aws"), or None."""
    if token in _PRODUCTS:
        return _PRODUCTS[token]
    return token if "/" not in token and token in provider_ids() else None


def settle_host(r: Reading) -> None:
    """The model as priced by the host named beside it, where genai-prices has that price."""
    named = list(dict.fromkeys(r.hosts))
    hosts = [h for h in named if h not in _MAKERS]
    model = r.values.get("model")
    if model is None and named and not hosts:  # "openai" alone: a maker, not a model
        r.notes.append(
            f"“{named[0]}” names who makes a model, not which one: name the model too; "
            "the stage's model is priced."
        )
        return
    if not hosts:
        return
    host = hosts[0]
    if model is None:
        r.notes.append(
            f"“{host}” names where a model runs: name the model too (e.g. “{host} gpt-4o”) "
            "for that host's price; the stage's model is priced at its list price."
        )
        return
    if "/" in model:
        return  # a host already named with the model ("groq/llama-3.3-70b-versatile")
    hosted = f"{host}/{model}"
    if resolve(hosted) == hosted:
        r.values["model"] = hosted
        r.models = [hosted if m == model else m for m in r.models]
        return
    r.notes.append(
        f"genai-prices has no {host} price for {model}, so it is priced at its list price."
    )
