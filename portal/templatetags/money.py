from __future__ import annotations

from django import template

from recuperation.money import fen_to_yuan, format_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """``{{ amount_fen|yuan }}`` → ``¥1,234.50``."""
    return format_yuan(fen)


@register.filter
def yuan_plain(fen: int | None) -> str:
    """``{{ amount_fen|yuan_plain }}`` → ``1234.50`` (for inputs and exports)."""
    return str(fen_to_yuan(fen))


@register.filter
def pct(rate) -> str:
    """A 0–1 rate as a percentage with one decimal: ``0.4123`` → ``41.2%``."""
    if rate is None:
        return "—"
    return f"{float(rate) * 100:.1f}%"
