#!/usr/bin/env python3
"""Regenerates fixtures/litellm-cost/: sample calls priced by LiteLLM's own `completion_cost`.

The tests compare TokenLedger's price of each call with LiteLLM's; LiteLLM is not a test dependency.
Run it with LiteLLM installed in any Python (e.g. `python3 -m venv /tmp/ll && /tmp/ll/bin/pip install
litellm && /tmp/ll/bin/python scripts/litellm-cost-fixture.py`). It writes:
  catalogue.json     the catalogue entries of the sampled models, from LiteLLM's bundled price map
  calls.jsonl        the calls as routing-log lines
  litellm-costs.json LiteLLM's version and its completion_cost of each call (repr of the float)
"""
import importlib.metadata
import json
import os
import sys
import warnings

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
warnings.filterwarnings("ignore")
import litellm  # noqa: E402
from litellm import completion_cost  # noqa: E402
from litellm.types.utils import (CompletionTokensDetailsWrapper, ModelResponse,  # noqa: E402
                                 PromptTokensDetailsWrapper, ServerToolUse, Usage)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "litellm-cost")

# (request id, model, input tokens, output tokens, extras) — extras use the routing log's field names.
CALLS = [
    ("ll-01", "claude-sonnet-4-5", 10000, 2000, {"web_search_calls": 2}),
    ("ll-02", "claude-opus-4-6", 10000, 2000, {"web_search_calls": 3}),
    ("ll-03", "gemini-2.5-flash", 10000, 2000, {"audio_input_tokens": 4000}),
    ("ll-04", "gpt-realtime", 3000, 1500, {"audio_input_tokens": 2000, "audio_output_tokens": 1000}),
    ("ll-05", "gpt-image-1", 1200, 4160, {"image_input_tokens": 1000, "image_output_tokens": 4160}),
    ("ll-06", "gpt-4o", 1000, 200, {}),
    ("ll-07", "gemini-2.5-flash", 300000, 2000, {"audio_input_tokens": 100000}),
    ("ll-08", "claude-opus-4-6", 10000, 2000, {"web_search_calls": 1, "inference_geo": "us"}),
    ("ll-09", "claude-opus-4-6", 10000, 2000, {"inference_geo": "us"}),
]


def usage(prompt, completion, extras):
    pd, cd = {}, {}
    audio_in, image_in = extras.get("audio_input_tokens", 0), extras.get("image_input_tokens", 0)
    audio_out, image_out = extras.get("audio_output_tokens", 0), extras.get("image_output_tokens", 0)
    if audio_in or image_in:
        pd = {"audio_tokens": audio_in, "image_tokens": image_in, "text_tokens": prompt - audio_in - image_in}
    if audio_out or image_out:
        cd = {"audio_tokens": audio_out, "image_tokens": image_out, "text_tokens": completion - audio_out - image_out}
    u = Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion,
              prompt_tokens_details=PromptTokensDetailsWrapper(**pd) if pd else None,
              completion_tokens_details=CompletionTokensDetailsWrapper(**cd) if cd else None)
    if "web_search_calls" in extras:
        u.server_tool_use = ServerToolUse(web_search_requests=extras["web_search_calls"])
    if "inference_geo" in extras:
        u.inference_geo = extras["inference_geo"]
    return u


def main():
    os.makedirs(OUT, exist_ok=True)
    price_map = os.path.join(os.path.dirname(litellm.__file__), "model_prices_and_context_window_backup.json")
    catalogue = json.load(open(price_map))
    models = sorted({c[1] for c in CALLS})
    with open(os.path.join(OUT, "catalogue.json"), "w") as f:
        json.dump({m: catalogue[m] for m in models}, f, indent=1, sort_keys=True)
        f.write("\n")
    costs = {}
    with open(os.path.join(OUT, "calls.jsonl"), "w") as f:
        for i, (rid, model, prompt, completion, extras) in enumerate(CALLS):
            line = {"timestamp": "2026-11-02T10:00:%02d.000Z" % i, "request_id": rid, "model": model,
                    "input_tokens": prompt, "output_tokens": completion, **extras}
            f.write(json.dumps(line) + "\n")
            response = ModelResponse(model=model, choices=[{"message": {"role": "assistant", "content": "x"}}])
            response.usage = usage(prompt, completion, extras)
            costs[rid] = repr(completion_cost(completion_response=response, model=model))
    with open(os.path.join(OUT, "litellm-costs.json"), "w") as f:
        json.dump({"litellm": importlib.metadata.version("litellm"), "completion_cost_usd": costs}, f, indent=1)
        f.write("\n")
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
