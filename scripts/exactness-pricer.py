#!/usr/bin/env python3
"""Prices routing-log JSON Lines from a price book, independently of TokenLedger's own code.

    scripts/exactness-pricer.py [--prices BOOK.yaml] [--tsv-dir DIR] FILE...

Reads the files in the order given, the way `tokenledger import FILE...` does: one request per line,
deduplicated by `request_id` (the first occurrence wins; a later copy with the same content is a
duplicate, one with different content a conflict), each distinct request priced with the entry of its
model in force on its UTC day. Prints a JSON summary: lines read, rejects by reason, duplicates,
conflicts, distinct requests, priced and unpriced requests, the exact total in picodollars, and the same
per model name and per UTC day. With --tsv-dir it also writes summary.tsv, by-model.tsv and by-day.tsv
there, for `scripts/exactness` to compare with the database.

Written from the documents (docs/routing-log.md, docs/price-book.md), with nothing taken from the
Swift sources but the rules they state:

- Money is integer picodollars (10^-12 USD). A rate of `d` dollars per 1M tokens is `d * 10^6`
  picodollars per token, exact (at most six decimals). A call costs

      (input - cached - write5m - write1h) * input + cached * cached_input + write5m * cache_write_5m
      + write1h * cache_write_1h + (output - reasoning) * output + reasoning * reasoning

  with no rounding. A card's missing component is derived: on the standard card, cache reads and
  5-minute writes at the input rate, 1-hour writes at the 5-minute rate, reasoning at the output rate;
  on a tier card (batch, flex, priority), from the standard card scaled by the tier's input (or output)
  ratio, rounded half to even to the picodollar per token; a tier without a card is billed at the
  standard card; above `long_context.above_input_tokens` the long-context card of the tier, else the
  standard long-context card scaled by the tier's discount, else the normal card.
- Batch wins over the service tier. `auto`, `standard`, `scale` (and `on_demand`) are the default tier.
- Model names: exact key or alias; then a known provider prefix removed from the log's name or from the
  book's; then a dated snapshot suffix (-YYYYMMDD, -YYYY-MM-DD, @YYYYMMDD) removed. A rule that finds two
  models matches nothing. A request before its model's first effective day, or to an unknown model, is
  unpriced (counted apart, never $0).

Only the standard library and PyYAML; no floating point touches a count or an amount.
"""

import argparse
import datetime
import gzip
import json
import os
import re
import sys
from decimal import Decimal, InvalidOperation, localcontext

import yaml

INT64_MAX = (1 << 63) - 1
MAX_TOKENS = 1_000_000_000
MAX_LINE = 8 << 20
MS_PER_DAY = 86_400_000
EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()

# --------------------------------------------------------------------------------------------- price book

TIERS = ("standard", "batch", "flex", "priority")
COMPONENTS = ("input", "cached_input", "cache_write_5m", "cache_write_1h", "output", "reasoning")
# Audio and image rates: optional on every card; None when the book does not know them.
MODALITIES = ("audio_input", "cached_audio_input", "audio_output", "image_input", "image_output")
IN_SIDE = ("audio_input", "cached_audio_input", "image_input")
ATTRIBUTES = ("speed", "inference_geo", "region")
NEUTRAL = {"", "standard", "normal", "default", "global", "none"}
BUILT_IN_PREFIXES = {"openai", "azure", "azure_ai", "anthropic", "google", "gemini", "vertex_ai", "mistral",
                     "deepseek", "openrouter", "bedrock"}


class BookError(Exception):
    pass


def scalar(node, what):
    if not isinstance(node, yaml.ScalarNode):
        raise BookError(f"line {node.start_mark.line + 1}: expected {what}")
    return node.value


def mapping(node, what):
    if not isinstance(node, yaml.MappingNode):
        raise BookError(f"line {node.start_mark.line + 1}: expected a mapping for {what}")
    out = {}
    for k, v in node.value:
        key = scalar(k, "a key")
        if key in out:
            raise BookError(f"line {k.start_mark.line + 1}: `{key}` given twice")
        out[key] = v
    return out


DECIMAL_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z", re.ASCII)


def rate(node, where):
    """Dollars per 1M tokens (the YAML scalar's own text) as integer picodollars per token."""
    text = scalar(node, "a number").strip()
    if not DECIMAL_TEXT.match(text) or text.startswith("-"):
        raise BookError(f"{where}: not a non-negative number: {text!r}")
    with localcontext() as ctx:
        ctx.prec = 100
        value = Decimal(text) * 1_000_000
        if value != value.to_integral_value():
            raise BookError(f"{where}: {text} is finer than one picodollar per token")
        return int(value)


def card(node, where, extra=()):
    m = mapping(node, where)
    for k in m:
        if k not in COMPONENTS and k not in MODALITIES and k not in extra:
            raise BookError(f"{where}: unknown key {k}")
    c = {k: rate(m[k], f"{where}.{k}") for k in COMPONENTS + MODALITIES if k in m}
    if "input" not in c or "output" not in c:
        raise BookError(f"{where}: a card needs input and output")
    return c, {k: m[k] for k in extra if k in m}


def day_number(text):
    y, mo, d = (int(p) for p in text.split("-"))
    return datetime.date(y, mo, d).toordinal() - EPOCH_ORDINAL


def load_book(path):
    with open(path, encoding="utf-8") as f:
        root = yaml.compose(f)
    top = mapping(root, "the file")
    entries = []
    for i, item in enumerate(top["prices"].value):
        where = f"prices[{i}]"
        m = mapping(item, where)
        aliases = [scalar(a, "an alias").strip() for a in m["aliases"].value] if "aliases" in m else []
        cards = {("standard", False): card(m["per_million_tokens"], f"{where}.per_million_tokens")[0]}
        for tier in TIERS[1:]:
            if tier in m:
                cards[(tier, False)] = card(m[tier], f"{where}.{tier}")[0]
        threshold = None
        if "long_context" in m:
            long_card, extras = card(m["long_context"], f"{where}.long_context", ("above_input_tokens",) + TIERS[1:])
            threshold = int(scalar(extras["above_input_tokens"], "a token count").replace("_", ""))
            cards[("standard", True)] = long_card
            for tier in TIERS[1:]:
                if tier in extras:
                    cards[(tier, True)] = card(extras[tier], f"{where}.long_context.{tier}")[0]
        fees = {}
        if "tool_fees_per_1000" in m:
            for tool, v in mapping(m["tool_fees_per_1000"], f"{where}.tool_fees_per_1000").items():
                fees[tool] = dollars(v, f"{where}.tool_fees_per_1000.{tool}", 1000)
        per_image = dollars(m["per_image"], f"{where}.per_image", 1) if "per_image" in m else None
        modifiers = {}
        if "modifiers" in m:
            for j, node in enumerate(m["modifiers"].value):
                mm = mapping(node, f"{where}.modifiers[{j}]")
                attr = [a for a in ATTRIBUTES if a in mm]
                if len(attr) != 1 or "factor" not in mm:
                    raise BookError(f"{where}.modifiers[{j}]: one attribute and a factor")
                factor = Decimal(scalar(mm["factor"], "a factor").strip())
                num, den = factor.as_integer_ratio()
                modifiers[(attr[0], scalar(mm[attr[0]], "a value").strip().lower())] = (num, den)
        entries.append({
            "fees": fees,
            "per_image": per_image,
            "modifiers": modifiers,
            "model": scalar(m["model"], "a model").strip(),
            "provider": scalar(m["provider"], "a provider").strip(),
            "aliases": aliases,
            "day": day_number(scalar(m["effective_from"], "a day").strip()),
            "cards": cards,
            "threshold": threshold,
        })
    return entries


def dollars(node, where, per):
    """Dollars per `per` uses as integer picodollars per use (exact)."""
    text = scalar(node, "a number").strip()
    if not DECIMAL_TEXT.match(text) or text.startswith("-"):
        raise BookError(f"{where}: not a non-negative number: {text!r}")
    with localcontext() as ctx:
        ctx.prec = 100
        value = Decimal(text) * 10**12 / per
        if value != value.to_integral_value():
            raise BookError(f"{where}: finer than one picodollar per use")
        return int(value)


def half_even_div(n, d):
    q, r = divmod(n, d)
    if 2 * r > d or (2 * r == d and q % 2 == 1):
        q += 1
    return q


def scaled(r, num, den):
    return half_even_div(r * num, den)


def resolve_alone(c):
    w5 = c.get("cache_write_5m", c["input"])
    cached = c.get("cached_input", c["input"])
    audio = c.get("audio_input")
    return {"input": c["input"], "cached_input": cached, "cache_write_5m": w5,
            "cache_write_1h": c.get("cache_write_1h", w5), "output": c["output"],
            "reasoning": c.get("reasoning", c["output"]),
            # A cached audio read costs the cached input rate unless given; image input the input rate.
            "audio_input": audio, "cached_audio_input": c.get("cached_audio_input", None if audio is None else cached),
            "audio_output": c.get("audio_output"), "image_input": c.get("image_input", c["input"]),
            "image_output": c.get("image_output")}


def resolve_over(c, base):
    """A tier card's missing components: the base's, scaled by the card's input (or output) ratio."""
    def s_in(r):
        return r if base["input"] <= 0 else scaled(r, c["input"], base["input"])

    def s_out(r):
        return r if base["output"] <= 0 else scaled(r, c["output"], base["output"])
    out = {k: (c[k] if k in c else (None if base.get(k) is None else (s_in if k in IN_SIDE else s_out)(base[k])))
           for k in MODALITIES}
    return {**out, "input": c["input"],
            "cached_input": c["cached_input"] if "cached_input" in c else s_in(base["cached_input"]),
            "cache_write_5m": c["cache_write_5m"] if "cache_write_5m" in c else s_in(base["cache_write_5m"]),
            "cache_write_1h": c["cache_write_1h"] if "cache_write_1h" in c else s_in(base["cache_write_1h"]),
            "output": c["output"],
            "reasoning": c["reasoning"] if "reasoning" in c else s_out(base["reasoning"])}


def resolved_card(entry, tier, long):
    cards = entry["cards"]
    std = resolve_alone(cards[("standard", False)])
    short = std if tier == "standard" else (resolve_over(cards[(tier, False)], std) if (tier, False) in cards else std)
    if not long:
        return short
    if (tier, True) in cards:
        return resolve_over(cards[(tier, True)], short)
    if tier != "standard" and ("standard", True) in cards:
        lng = resolve_over(cards[("standard", True)], std)
        out = {k: (lng[k] if std[k] <= 0 else scaled(lng[k], short[k], std[k])) for k in COMPONENTS}
        for k in MODALITIES:
            if lng.get(k) is None or short.get(k) is None or std.get(k) is None or std[k] <= 0:
                out[k] = lng.get(k)
            else:
                out[k] = scaled(lng[k], short[k], std[k])
        return out
    return short


def normalize(name):
    return name.strip(" \t\n\r").lower()


def days_in(month, year):
    if month == 2:
        return 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


def snapshot_base(name):
    """The name without a trailing release date (years 2000-2099), or None."""
    u = name.encode("utf-8")
    n = len(u)

    def digits(a, b):
        s = u[a:b]
        return int(s) if s.isdigit() and all(48 <= c <= 57 for c in s) else None

    def plausible(y, m, d):
        return 2000 <= y <= 2099 and 1 <= m <= 12 and 1 <= d <= days_in(m, y)
    if n > 11 and u[n - 11] == 0x2D and u[n - 6] == 0x2D and u[n - 3] == 0x2D:
        y, m, d = digits(n - 10, n - 6), digits(n - 5, n - 3), digits(n - 2, n)
        if None not in (y, m, d) and plausible(y, m, d):
            return u[:n - 11].decode("utf-8", "replace")
    if n > 9 and u[n - 9] in (0x2D, 0x40):
        y, m, d = digits(n - 8, n - 4), digits(n - 4, n - 2), digits(n - 2, n)
        if None not in (y, m, d) and plausible(y, m, d):
            return u[:n - 9].decode("utf-8", "replace")
    return None


class Book:
    """Model names to models, and each model's dated entries."""

    def __init__(self, entries):
        by_model = {}
        for e in sorted(entries, key=lambda e: (e["model"], e["day"])):
            by_model.setdefault(e["model"], []).append(e)   # the file allows one entry per model and day
        self.models = sorted(by_model)
        self.history = [by_model[m] for m in self.models]
        self.prefixes = set(BUILT_IN_PREFIXES)
        names = []
        for slot, model in enumerate(self.models):
            aliases, providers = [], []
            for e in self.history[slot]:
                aliases += [a for a in e["aliases"] if a not in aliases]
                providers += [e["provider"]] if e["provider"] not in providers else []
            names.append((model, aliases))
            self.prefixes.update(normalize(p) for p in providers)
            for n in [model] + aliases:
                n = normalize(n)
                if "/" in n and not n.startswith("/"):
                    self.prefixes.add(n[:n.index("/")])
        # Each map: name -> ("model", slot, is_alias) or ("ambiguous",).
        self.verbatim, self.normalized, self.bare = {}, {}, {}
        for slot, (model, _) in enumerate(names):
            self._add(self.verbatim, model, slot, False)
            self._add(self.normalized, normalize(model), slot, False)
        for slot, (_, aliases) in enumerate(names):
            for a in aliases:
                if self._alias_or_none(self.verbatim.get(a)):
                    self._add(self.verbatim, a, slot, True)
                n = normalize(a)
                if self._alias_or_none(self.normalized.get(n)):
                    self._add(self.normalized, n, slot, True)
        for slot, (model, aliases) in enumerate(names):
            for name in [model] + aliases:
                for form in self.stripped(normalize(name)):
                    self._add(self.bare, form, slot, False)
        self.memo = {}
        self.cards = {}

    @staticmethod
    def _alias_or_none(t):
        return t is None or t[0] == "ambiguous" or t[2]

    @staticmethod
    def _add(m, name, slot, alias):
        t = m.get(name)
        if t is None:
            m[name] = ("model", slot, alias)
        elif t[0] == "model" and t[1] != slot:
            m[name] = ("ambiguous", {t[1], slot})
        elif t[0] == "ambiguous":
            t[1].add(slot)

    def stripped(self, name):
        out, rest = [], name
        while "/" in rest:
            i = rest.index("/")
            if rest[:i] not in self.prefixes:
                break
            rest = rest[i + 1:]
            if not rest:
                break
            out.append(rest)
        return out

    def match(self, name):
        """The model slot of a name from a log, or None."""
        if name in self.memo:
            return self.memo[name]
        slot = self._match(name)
        self.memo[name] = slot
        return slot

    def _match(self, name):
        t = self.verbatim.get(name)
        if t is not None:
            return t[1] if t[0] == "model" else None
        n = normalize(name)
        if not n:
            return None
        t = self.normalized.get(n)
        if t is not None:
            return t[1] if t[0] == "model" else None
        forms = [n] + self.stripped(n)
        for form in forms[1:]:
            t = self.normalized.get(form)
            if t is not None:
                return t[1] if t[0] == "model" else None
        for form in forms:
            t = self.bare.get(form)
            if t is not None:
                return t[1] if t[0] == "model" else None
        for form in forms:
            base = snapshot_base(form)
            if base is None:
                continue
            t = self.normalized.get(base) or self.bare.get(base)
            if t is not None:
                return t[1] if t[0] == "model" else None
        return None

    def cost(self, model, day, call):
        """Picodollars, or None when unpriced."""
        slot = self.match(model)
        if slot is None:
            return None
        entry = None
        for e in self.history[slot]:
            if e["day"] <= day:
                entry = e
        if entry is None:
            return None
        inp, cached, w5, w1h, out, reasoning, tier, extras = call
        long = entry["threshold"] is not None and inp > entry["threshold"]
        key = (id(entry), tier, long)
        c = self.cards.get(key)
        if c is None:
            c = self.cards[key] = resolved_card(entry, tier, long)
        if min(inp, cached, w5, w1h, out, reasoning) < 0 or cached + w5 + w1h > inp or reasoning > out:
            return None
        if extras is None:
            parts = [(inp - cached - w5 - w1h) * c["input"], cached * c["cached_input"], w5 * c["cache_write_5m"],
                     w1h * c["cache_write_1h"], (out - reasoning) * c["output"], reasoning * c["reasoning"]]
            total = 0
            for p in parts:
                total += p
                if p > INT64_MAX or total > INT64_MAX:
                    return None
            return total
        return self.cost_with_extras(entry, c, inp, cached, w5, w1h, out, reasoning, extras)

    @staticmethod
    def cost_with_extras(entry, c, inp, cached, w5, w1h, out, reasoning, e):
        """docs/price-book.md, "Charges beyond text tokens": audio and image tokens come out of the text
        counts they are part of and are priced at their own rates; images and tool uses at their fees; the
        attribute multipliers apply to the token parts, rounded half to even once."""
        audio_in, cached_audio, audio_out, image_in, image_out, images, tools, attrs = e
        uncached_audio = audio_in - cached_audio
        text_uncached = inp - cached - w5 - w1h - uncached_audio - image_in
        text_cached = cached - cached_audio
        text_out = out - reasoning - audio_out - image_out
        if min(text_uncached, text_cached, text_out, uncached_audio) < 0:
            return None
        needed = [(uncached_audio, c["audio_input"]), (cached_audio, c["cached_audio_input"]), (image_in, c["image_input"]),
                  (audio_out, c["audio_output"]), (image_out, c["image_output"])]
        if any(n > 0 and r is None for n, r in needed):
            return None
        if images > 0 and entry["per_image"] is None:
            return None
        if any(n > 0 and t not in entry["fees"] for t, n in tools.items()):
            return None
        num, den = 1, 1
        for a, v in attrs.items():
            if v is None or v in NEUTRAL:
                continue
            if (a, v) not in entry["modifiers"]:
                return None
            n, d = entry["modifiers"][(a, v)]
            num, den = num * n, den * d
        tokens = (text_uncached * c["input"] + text_cached * c["cached_input"] + w5 * c["cache_write_5m"]
                  + w1h * c["cache_write_1h"] + text_out * c["output"] + reasoning * c["reasoning"]
                  + sum(n * r for n, r in needed if n > 0))
        q, r = divmod(tokens * num, den)
        if 2 * r > den or (2 * r == den and q % 2 == 1):
            q += 1
        total = q + images * (entry["per_image"] or 0) + sum(n * entry["fees"][t] for t, n in tools.items() if n > 0)
        return total if total <= INT64_MAX else None


# --------------------------------------------------------------------------------------------- the log


class Reject(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def no_constants(text):
    raise ValueError(f"{text} is not JSON")


DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=no_constants)


def integer(v):
    """A token count, attempt or latency: an integer, or a number or string holding one."""
    if type(v) is int:
        if -(1 << 63) <= v <= INT64_MAX:
            return v
        raise Reject("out_of_range")
    if v is None:
        return None
    if isinstance(v, bool) or isinstance(v, (dict, list)):
        raise Reject("wrong_type")
    if isinstance(v, int):
        d = v
    else:
        if isinstance(v, str):
            if v == "":
                return None
            if not DECIMAL_TEXT.match(v):
                raise Reject("wrong_type")
            v = Decimal(v)
        with localcontext() as ctx:
            ctx.prec = 200
            if v != v.to_integral_value():
                raise Reject("out_of_range")
            d = int(v)
    if not -(1 << 63) <= d <= INT64_MAX:
        raise Reject("out_of_range")
    return d


def decimal_value(v):
    if v is None or v == "":
        return None
    if isinstance(v, bool) or isinstance(v, (dict, list)):
        raise Reject("wrong_type")
    if isinstance(v, str):
        if not DECIMAL_TEXT.match(v):
            raise Reject("wrong_type")
        return Decimal(v)
    return Decimal(v)


def scaled_half_even(d, power):
    """d * 10^power rounded half to even, in integer arithmetic."""
    sign, digits, exponent = d.as_tuple()
    if not isinstance(exponent, int):
        raise Reject("wrong_type")
    n = int("".join(map(str, digits))) if digits else 0
    shift = exponent + power
    n = n * 10 ** shift if shift >= 0 else half_even_div(n, 10 ** -shift)
    return -n if sign else n


def text(v):
    if type(v) is str:
        return v or None
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, Decimal)):
        return str(v)
    if isinstance(v, str):
        return v
    raise Reject("wrong_type")


def enum(v, names):
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise Reject("wrong_type")
    value = names.get(v.lower())
    if value is None:
        raise Reject("unknown_value")
    return value


KINDS = {k: k for k in ("primary", "retry", "fallback", "classifier", "validation")}
STATUSES = {k: k for k in ("ok", "error", "timeout", "rate_limited", "invalid_output")}
OUTCOMES = {k: k for k in ("completed", "failed", "abandoned")}
SERVICE_TIERS = {"default": "standard", "auto": "standard", "standard": "standard", "scale": "standard",
                 "on_demand": "standard", "flex": "flex", "flex_discount": "flex", "priority": "priority",
                 "priority_on_demand": "priority"}

ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2}))?(?:[.,](\d+))?"
                 r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?\Z", re.ASCII)
VALID_MS = (0, 253_402_300_799_999)


def epoch(value):
    if value < 0:
        return None
    if value < 100_000_000_000:
        ms = value * 1000
    elif value < 100_000_000_000_000:
        ms = value
    elif value < 100_000_000_000_000_000:
        ms = value // 1000
    else:
        ms = value // 1_000_000
    return ms if VALID_MS[0] <= ms <= VALID_MS[1] else None


def iso_ms(s):
    m = ISO.match(s)
    if not m:
        return None
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    if not (1 <= mo <= 12 and 1 <= d <= days_in(mo, y)):
        return None
    ms = 0
    offset = 0
    if m[4] is not None:
        hh, mm, ss = int(m[4]), int(m[5]), int(m[6] or 0)
        if hh >= 24 or mm >= 60 or ss >= 61:
            return None
        ms = hh * 3_600_000 + mm * 60_000 + min(ss, 59) * 1000
        if m[7]:
            ms += int((m[7] + "00")[:3])      # beyond milliseconds: dropped
        if m[9]:
            oh, om = int(m[10]), int(m[11])
            if oh >= 24 or om >= 60:
                return None
            offset = (oh * 60 + om) * (-1 if m[9] == "-" else 1)
    elif len(s) != 10:
        return None
    if y < 1:
        return None
    days = datetime.date(y, mo, d).toordinal() - EPOCH_ORDINAL
    value = days * MS_PER_DAY + ms - offset * 60_000
    return value if VALID_MS[0] <= value <= VALID_MS[1] else None


def timestamp(v, current):
    if v is None:
        return current
    if isinstance(v, bool) or isinstance(v, (dict, list)):
        raise Reject("wrong_type")
    if isinstance(v, str):
        t = iso_ms(v)
        if t is not None:
            return t
        if v.isdigit() and v.isascii():
            t = epoch(int(v)) if int(v) <= INT64_MAX else None
            if t is not None:
                return t
        raise Reject("invalid_timestamp")
    try:
        n = integer(v)
    except Reject:
        raise Reject("invalid_timestamp")
    t = epoch(n)
    if t is None:
        raise Reject("invalid_timestamp")
    return t


TIME_KEYS = ("ts", "time", "timestamp")
NAME_KEYS = ("action_id", "workflow", "team", "user_id", "user_segment", "project", "api_key_id", "provider", "tier",
             "fallback_reason", "fallback_from")
SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(v):
    """Whether a `\\u` escape left half of a surrogate pair (a pair becomes one character)."""
    if isinstance(v, str):
        return SURROGATE.search(v) is not None
    if isinstance(v, dict):
        return any(lone_surrogate(k) or lone_surrogate(x) for k, x in v.items())
    if isinstance(v, list):
        return any(lone_surrogate(x) for x in v)
    return False


def parse(line):
    """One line as (request_id, content, pricing fields); raises Reject."""
    try:
        obj = DECODER.decode(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise Reject("invalid_utf8")
    except (ValueError, RecursionError):
        raise Reject("malformed_json")
    if not isinstance(obj, dict):
        raise Reject("malformed_json")
    if b"\\u" in line and lone_surrogate(obj):
        raise Reject("invalid_utf8")
    g = obj.get
    ts = None
    for k in obj:                      # ts, time and timestamp are aliases; the last one given wins
        if k in TIME_KEYS:
            ts = timestamp(obj[k], ts)
    request_id = text(g("request_id"))
    model = text(g("model"))
    inp = integer(g("input_tokens"))
    if inp is None:
        inp = integer(g("prompt_tokens"))
    out = integer(g("output_tokens"))
    if out is None:
        out = integer(g("completion_tokens"))
    cached, w5, w1h, reasoning = (integer(g(k)) for k in ("cached_input_tokens", "cache_write_tokens",
                                                           "cache_write_1h_tokens", "reasoning_tokens"))
    usage = g("usage")
    if usage is not None:
        if not isinstance(usage, dict):
            raise Reject("wrong_type")
        u = {}
        for k, v in usage.items():
            if k in ("input_tokens", "prompt_tokens"):
                u["input"] = integer(v)
            elif k in ("output_tokens", "completion_tokens"):
                u["output"] = integer(v)
            elif k in ("cached_input_tokens", "cache_read_input_tokens"):
                u["cached"] = integer(v)
            elif k in ("cache_write_tokens", "cache_creation_input_tokens"):
                u["w5"] = integer(v)
            elif k == "cache_write_1h_tokens":
                u["w1h"] = integer(v)
            elif k == "reasoning_tokens":
                u["reasoning"] = integer(v)
            elif k in ("prompt_tokens_details", "input_tokens_details") and isinstance(v, dict):
                if "cached_tokens" in v:
                    u["cached"] = integer(v["cached_tokens"])
            elif k in ("completion_tokens_details", "output_tokens_details") and isinstance(v, dict):
                if "reasoning_tokens" in v:
                    u["reasoning"] = integer(v["reasoning_tokens"])
        inp = inp if inp is not None else u.get("input")
        out = out if out is not None else u.get("output")
        cached = cached if cached is not None else u.get("cached")
        w5 = w5 if w5 is not None else u.get("w5")
        w1h = w1h if w1h is not None else u.get("w1h")
        reasoning = reasoning if reasoning is not None else u.get("reasoning")
    extras = parse_extras(obj, usage if isinstance(usage, dict) else {})
    names = tuple([text(g(k)) for k in NAME_KEYS])
    attempt = integer(g("attempt"))
    kind = enum(g("kind"), KINDS)
    status = enum(g("status"), STATUSES) or "ok"
    outcome = enum(g("action_outcome"), OUTCOMES)
    latency = integer(g("latency_ms"))
    batch = g("batch")
    if batch is None or batch == "" or batch in ("false", "False", "FALSE") or (type(batch) is int and batch == 0):
        batch = False
    elif batch is True or batch in ("true", "True", "TRUE") or (type(batch) is int and batch == 1):
        batch = True
    elif batch is False:
        pass
    else:
        raise Reject("wrong_type")
    service_tier = enum(g("service_tier"), SERVICE_TIERS) or "standard"
    quality = decimal_value(g("quality_score"))
    if quality is not None:
        quality = scaled_half_even(quality, 9)
        if not 0 <= quality <= 1_000_000_000:
            raise Reject("out_of_range")
    gateway = decimal_value(g("cost_usd"))
    if gateway is not None:
        gateway = scaled_half_even(gateway, 12)
        if abs(gateway) >= 1 << 100:
            raise Reject("out_of_range")
    metadata = g("metadata")
    if metadata is not None:
        metadata = repr(metadata)

    if not request_id:
        raise Reject("missing_field")
    if ts is None:
        raise Reject("missing_field")
    if not model:
        raise Reject("missing_field")
    if inp is None or out is None:
        raise Reject("missing_field")
    if attempt is not None and not 1 <= attempt <= 10_000:
        raise Reject("out_of_range")
    if kind is None:
        kind = "fallback" if names[10] is not None else ("retry" if (attempt or 1) > 1 else "primary")
    cached, w5, w1h, reasoning = cached or 0, w5 or 0, w1h or 0, reasoning or 0
    counts = (inp, out, cached, w5, w1h, reasoning)
    if min(counts) < 0:
        raise Reject("negative_tokens")
    if max(counts) > MAX_TOKENS:
        raise Reject("out_of_range")
    if cached + w5 + w1h > inp:
        raise Reject("cached_exceeds_input")
    if reasoning > out:
        raise Reject("reasoning_exceeds_output")
    if latency is not None and not 0 <= latency <= 7 * MS_PER_DAY:
        raise Reject("out_of_range")
    if extras is not None:
        audio_in, cached_audio, audio_out, image_in, image_out, images, tools, _ = extras
        xs = [audio_in, cached_audio, audio_out, image_in, image_out, images] + list(tools.values())
        if min(xs) < 0:
            raise Reject("negative_tokens")
        if max(xs) > MAX_TOKENS or cached_audio > audio_in or cached_audio > cached or audio_in + image_in > inp \
                or audio_out + image_out + reasoning > out:
            raise Reject("out_of_range")
    tier = "batch" if batch else service_tier
    content = hash((ts, model, names, attempt, kind, status, outcome, counts, batch, service_tier, latency,
                    quality, gateway if gateway is None or abs(gateway) <= INT64_MAX else None, metadata,
                    None if extras is None else repr(extras)))
    return request_id, content, ts, model, (inp, cached, w5, w1h, out, reasoning, tier, extras)


def parse_extras(obj, usage):
    """docs/routing-log.md, "Charges beyond text tokens": top-level fields win over the `usage` object's."""
    def count(v):
        return integer(v) or 0
    u = {}
    for details, pairs in (("prompt_tokens_details", (("audio_tokens", "audio_input_tokens"), ("image_tokens", "image_input_tokens"))),
                           ("input_tokens_details", (("audio_tokens", "audio_input_tokens"), ("image_tokens", "image_input_tokens"))),
                           ("completion_tokens_details", (("audio_tokens", "audio_output_tokens"), ("image_tokens", "image_output_tokens"))),
                           ("output_tokens_details", (("audio_tokens", "audio_output_tokens"), ("image_tokens", "image_output_tokens")))):
        d = usage.get(details)
        if isinstance(d, dict):
            for src, dst in pairs:
                if src in d:
                    u[dst] = count(d[src])
    tools = {}
    stu = usage.get("server_tool_use")
    if isinstance(stu, dict):
        for k, v in stu.items():
            if k.endswith("_requests") and count(v):
                tools[k[:-len("_requests")]] = count(v)
    top_tools = obj.get("tool_calls")
    if top_tools is not None:
        if not isinstance(top_tools, dict):
            raise Reject("wrong_type")
        for k, v in top_tools.items():
            n = count(v)
            if n:
                tools[k] = n
    web = obj.get("web_search_calls")
    if web is not None:
        n = count(web)
        if n:
            tools["web_search"] = n
        else:
            tools.pop("web_search", None)
    vals = []
    for k in ("audio_input_tokens", "cached_audio_tokens", "audio_output_tokens", "image_input_tokens", "image_output_tokens", "images"):
        v = count(obj.get(k)) if obj.get(k) is not None else u.get(k)
        vals.append(v or 0)
    attrs = {}
    for a in ATTRIBUTES:
        v = obj.get(a)
        if v is None and a != "region":
            v = usage.get(a)
        attrs[a] = None if v is None else text(v)
    if not any(vals) and not tools and not any(attrs.values()):
        return None
    norm = {a: (None if v is None else v.strip(" \t\n\r").lower()) for a, v in attrs.items()}
    return (*vals, dict(sorted(tools.items())), norm)


def lines_of(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        for raw in f:
            yield raw


def blank(b):
    return not b.strip(b" \t\r\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--prices", default=os.path.join(here, "..", "Sources", "LedgerPricing", "Resources",
                                                     "default-prices.yaml"),
                    help="price book (default: the book shipped with TokenLedger)")
    ap.add_argument("--tsv-dir", help="also write summary.tsv, by-model.tsv and by-day.tsv here")
    args = ap.parse_args()

    try:
        book = Book(load_book(args.prices))
    except (OSError, BookError, KeyError, yaml.YAMLError) as e:
        print(f"exactness-pricer: {args.prices}: {e}", file=sys.stderr)
        return 2

    seen = {}                 # request_id -> hash of the content of its first occurrence
    rejects = {}
    lines = blank_lines = duplicates = conflicts = priced = unpriced = 0
    total = 0
    tokens = [0] * 6
    by_model = {}             # model name -> [requests, priced, unpriced, picodollars]
    by_day = {}               # UTC day number -> [requests, unpriced, picodollars]
    for path in args.files:
        for raw in lines_of(path):
            terminated = raw.endswith(b"\n")
            line = raw[:-1] if terminated else raw
            if line.endswith(b"\r"):
                line = line[:-1]
            if line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if blank(line):
                blank_lines += 1
                continue
            if len(line) > MAX_LINE:
                rejects["line_too_long"] = rejects.get("line_too_long", 0) + 1
                lines += 1
                continue
            try:
                request_id, content, ts, model, call = parse(line)
            except Reject as r:
                if not terminated:
                    rejects["truncated_line"] = rejects.get("truncated_line", 0) + 1
                    continue
                lines += 1
                rejects[r.reason] = rejects.get(r.reason, 0) + 1
                continue
            lines += 1
            first = seen.get(request_id)
            if first is not None:
                if first == content:
                    duplicates += 1
                else:
                    conflicts += 1
                continue
            seen[request_id] = content
            day = ts // MS_PER_DAY
            cost = book.cost(model, day, call)
            m = by_model.get(model)
            if m is None:
                m = by_model[model] = [0, 0, 0, 0]
            d = by_day.get(day)
            if d is None:
                d = by_day[day] = [0, 0, 0]
            m[0] += 1
            d[0] += 1
            inp, cached, w5, w1h, out, reasoning, _, _ = call
            for i, v in enumerate((inp, out, cached, w5, w1h, reasoning)):
                tokens[i] += v
            if cost is None:
                unpriced += 1
                m[2] += 1
                d[1] += 1
            else:
                priced += 1
                total += cost
                m[1] += 1
                m[3] += cost
                d[2] += cost

    token_names = ("input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens",
                   "cache_write_1h_tokens", "reasoning_tokens")
    summary = {
        "files": len(args.files),
        "lines": lines,
        "blank_lines": blank_lines,
        "rejected": sum(rejects.values()),
        "duplicates": duplicates,
        "conflicts": conflicts,
        "distinct": len(seen),
        "priced": priced,
        "unpriced": unpriced,
        "total_picos": total,
        "total_usd": f"{total // 10**12}.{total % 10**12:012d}",
    }
    summary.update(zip(token_names, tokens))
    report = dict(summary)
    report["rejects_by_reason"] = dict(sorted(rejects.items()))
    report["unpriced_models"] = {k: v[2] for k, v in sorted(by_model.items()) if v[2]}
    report["by_model"] = {k: {"requests": v[0], "priced": v[1], "unpriced": v[2], "picos": v[3]}
                          for k, v in sorted(by_model.items())}
    report["by_day"] = {str(datetime.date.fromordinal(k + EPOCH_ORDINAL)): {"requests": v[0], "unpriced": v[1],
                                                                           "picos": v[2]}
                        for k, v in sorted(by_day.items())}
    print(json.dumps(report, indent=1))
    if args.tsv_dir:
        os.makedirs(args.tsv_dir, exist_ok=True)
        with open(os.path.join(args.tsv_dir, "summary.tsv"), "w") as f:
            for k, v in summary.items():
                f.write(f"{k}\t{v}\n")
            for k, v in sorted(rejects.items()):
                f.write(f"reject_{k}\t{v}\n")
        with open(os.path.join(args.tsv_dir, "by-model.tsv"), "w") as f:
            for k, v in sorted(by_model.items()):
                f.write(f"{k}\t{v[0]}\t{v[2]}\t{v[3]}\n")
        with open(os.path.join(args.tsv_dir, "by-day.tsv"), "w") as f:
            for k, v in sorted(by_day.items()):
                f.write(f"{k}\t{v[0]}\t{v[1]}\t{v[2]}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
