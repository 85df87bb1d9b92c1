"""Money: the one place amounts are parsed, rounded and formatted.

Rounding rules, written down once:
- Amounts are `Decimal`, never floats, in the deployment's one currency
  (`settings.PAYOUTS_CURRENCY`, USD by default).
- The ledger keeps 4 decimal places (`LEDGER_PLACES`), like `Project.price_per_task`, so a
  price of 0.0125 per answer is paid exactly.
- Fees are computed on each amount they apply to (an assignment's price, a bonus), rounded
  half up to 4 places, and never less than `settings.PAYOUTS_FEE_MINIMUM`.
- Amounts people type (top-ups, bonuses, payouts) use the currency's minor unit
  (`settings.PAYOUTS_CURRENCY_PLACES`, 2 for USD): more decimals is an error, never rounded.
- A payout batch pays whole minor units, rounded down; the remainder stays in the balance.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

from apps.core.errors import DomainError

LEDGER_PLACES = 4
LEDGER_QUANTUM = Decimal(1).scaleb(-LEDGER_PLACES)  # 0.0001


class InvalidAmount(DomainError):
    code = "invalid_amount"
    message = "The amount is not valid."


def currency() -> str:
    return settings.PAYOUTS_CURRENCY


def _minor_quantum() -> Decimal:
    return Decimal(1).scaleb(-settings.PAYOUTS_CURRENCY_PLACES)


def ledger_round(amount: Decimal) -> Decimal:
    """`amount` at ledger precision, rounded half up."""
    return amount.quantize(LEDGER_QUANTUM, rounding=ROUND_HALF_UP)


def round_down_to_minor_unit(amount: Decimal) -> Decimal:
    """What a batch can pay out of `amount`: whole cents (for USD), rounded down."""
    return amount.quantize(_minor_quantum(), rounding=ROUND_DOWN)


def fee_for(amount: Decimal) -> Decimal:
    """The platform fee on `amount` (a price or a bonus): percent, at least the minimum."""
    percent_fee = ledger_round(amount * settings.PAYOUTS_FEE_PERCENT / Decimal(100))
    return max(percent_fee, ledger_round(settings.PAYOUTS_FEE_MINIMUM))


def parse_amount(
    value: object, *, field: str = "amount", currency_code: str | None = None
) -> Decimal:
    """A positive amount typed by a person, in the deployment's currency, or InvalidAmount
    naming `field`. Floats are refused: they cannot hold 0.1 exactly."""
    if currency_code is not None and currency_code.upper() != currency():
        raise InvalidAmount.on_field(
            "currency", f"Only {currency()} is accepted here, not {currency_code}."
        )
    if isinstance(value, float | bool) or value is None:
        raise InvalidAmount.on_field(field, 'Send the amount as a decimal string, e.g. "12.50".')
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidAmount.on_field(field, 'Enter a number, e.g. "12.50".') from None
    if not amount.is_finite():
        raise InvalidAmount.on_field(field, 'Enter a number, e.g. "12.50".')
    if amount <= 0:
        raise InvalidAmount.on_field(field, "The amount must be greater than zero.")
    places = settings.PAYOUTS_CURRENCY_PLACES
    if amount != amount.quantize(_minor_quantum(), rounding=ROUND_DOWN):
        raise InvalidAmount.on_field(
            field, f"Use at most {places} decimal places for {currency()}."
        )
    if amount >= Decimal(10) ** 12:
        raise InvalidAmount.on_field(field, "The amount is too large.")
    return amount.quantize(_minor_quantum())


def format_amount(amount: Decimal) -> str:
    return f"{amount.quantize(LEDGER_QUANTUM)}"
