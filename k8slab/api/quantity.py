"""Resource quantities: `500m` CPU, `128Mi` memory, exactly as Kubernetes reads and writes them (notebook 02).

Every resource amount in the API is a *quantity* string: `cpu: 250m`,
`memory: 1Gi`, `ephemeral-storage: 2G`. This module is our copy of
apimachinery's `k8s.io/apimachinery/pkg/api/resource` (quantity.go, amount.go,
suffix.go), rewritten for reading. What it does, in Kubernetes' own terms:

**The grammar.** A quantity is a signed decimal number followed by a suffix:

    <quantity> ::= <sign>? <digits> [ "." <digits> ] <suffix>
    <suffix>   ::= <binarySI> | <decimalSI> | <decimalExponent>
    binarySI        Ki Mi Gi Ti Pi Ei          (powers of 1024: 1Ki = 1024)
    decimalSI       n u m "" k M G T P E       (powers of 1000: 1k = 1000, 1m = 0.001)
    decimalExponent e<n> or E<n>               (1e3 = 1000, 1.5E-3 = 0.0015)

**Exact values.** A quantity is never a float. We keep its value as a
`fractions.Fraction`, so `Quantity("1") == Quantity("1000m")` and
`Quantity("0.1") + Quantity("0.2") == Quantity("300m")` hold exactly.
Parsing rounds anything finer than a nano-unit *up* (away from zero) to the
next nano-unit: "if you ask for some resource, you get some" (`0.1n` is `1n`).
A binary quantity larger than 2^63-1 is capped there.

**The format family.** A quantity remembers which of the three families its
text used (`BinarySI`, `DecimalSI`, `DecimalExponent`) and prints itself in
the same family, in *canonical form*: no fractional digits, the largest suffix
that loses nothing. So `1.5` prints as `1500m`, `1024Mi` as `1Gi`, `0.5Gi` as
`512Mi`, `1000M` as `1G` and `1e3` stays `1e3`. A binary value that is not a
whole number, or lies strictly between -1024 and 1024, prints as DecimalSI
(`0.5Ki` is `512`).

**Kubernetes keeps your text when it already looks canonical.** Its parser
has a fast path that remembers the string it was given when the digits need
no rewriting: after dropping leading zeros, no leading `0` and no trailing
`000`, and a power of ten that is a multiple of 3. It checks digits, not
spelling, so `+1`, `0100`, `1E3` and `1.500` come back exactly as written (a
real API server stores and returns them that way). `str()` reproduces this;
`canonicalize()` always gives the canonical form.

`Value()` and `MilliValue()` round up, away from zero: `Quantity("1.5").value`
is 2 and `Quantity("0.5m").milli_value` is 1. The scheduler and the kubelet
work in these integers (millicores for CPU, bytes for memory).
"""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal
from enum import IntEnum, StrEnum
from fractions import Fraction
from typing import Any


class Format(StrEnum):
    """The three families a quantity can be written in (resource.Format)."""

    DecimalExponent = "DecimalExponent"  # 12e6
    BinarySI = "BinarySI"  # 12Mi (12 * 2^20)
    DecimalSI = "DecimalSI"  # 12M  (12 * 10^6)


class Scale(IntEnum):
    """Powers of ten with SI names, for `scaled_value` and `new_scaled_quantity` (resource.Scale)."""

    Nano = -9
    Micro = -6
    Milli = -3
    Kilo = 3
    Mega = 6
    Giga = 9
    Tera = 12
    Peta = 15
    Exa = 18


# The error texts of quantity.go, word for word.
ERR_FORMAT_WRONG = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"

#: The largest magnitude a BinarySI quantity may have after parsing (Go's max int64).
MAX_ALLOWED = 2**63 - 1

#: Exponents k8slab refuses (a deliberate limit, not Kubernetes'): Go keeps `1e1000000000` as a
#: mantissa and an exponent; an exact Python Fraction would need a billion digits.
MAX_EXPONENT = 10_000

_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}  # suffix -> power of 2
_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_SUFFIX_FOR_POWER_OF_1024 = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
_SUFFIX_FOR_POWER_OF_10 = {power: suffix for suffix, power in _DECIMAL_SUFFIXES.items()}

# sign, whole digits, fraction digits, suffix. Kubernetes scans the text by hand with the same
# shape; its error message quotes a looser regular expression (see ERR_FORMAT_WRONG).
_QUANTITY_SHAPE = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)")
_EXPONENT_SUFFIX = re.compile(r"[eE]([+-]?[0-9]+)")
_NANO = Fraction(1, 10**9)


class QuantityParseError(ValueError):
    """Text that is not a quantity. `reason` is Kubernetes' error; the message also names the text."""

    def __init__(self, text: str, reason: str):
        # "cannot parse '%v': %v" is how resource.MustParse reports a bad quantity.
        super().__init__(f"cannot parse '{text}': {reason}")
        self.text = text
        self.reason = reason


class Quantity:
    """An exact resource amount and the format family it prints in (resource.Quantity).

    `Quantity(value)` reads a value the way the API server decodes a quantity field:
    a string (surrounding whitespace is ignored, as Quantity.UnmarshalJSON does), an
    int, or a float (written as Go's JSON encoder writes it, then parsed). Use
    `parse_quantity(text)` for the strict parser (ParseQuantity), which refuses spaces.

    Quantities are immutable values: `+`, `-`, unary `-` and `* int` return new ones,
    and they compare (and hash) by their exact amount, whatever their format.
    """

    __slots__ = ("_amount", "_format", "_text")

    _amount: Fraction
    _format: Format
    _text: str | None

    def __init__(self, value: str | int | float | Quantity = 0):
        if isinstance(value, Quantity):
            parsed = value
        elif isinstance(value, str):
            parsed = parse_quantity(value.strip())
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"a quantity must be a string or a number, got {type(value).__name__}: {value!r}")
        elif isinstance(value, float) and not math.isfinite(value):
            raise QuantityParseError(str(value), ERR_FORMAT_WRONG)
        else:
            parsed = parse_quantity(_json_number(value))
        self._amount = parsed._amount
        self._format = parsed._format
        self._text = parsed._text

    @classmethod
    def _make(cls, amount: Fraction, format: Format, text: str | None = None) -> Quantity:
        quantity = object.__new__(cls)
        quantity._amount = amount
        quantity._format = format
        quantity._text = text
        return quantity

    # --- what it is -----------------------------------------------------------------------------

    @property
    def amount(self) -> Fraction:
        """The exact value (Quantity.AsDec)."""
        return self._amount

    @property
    def format(self) -> Format:
        """The family the quantity prints in."""
        return self._format

    @property
    def value(self) -> int:
        """The value rounded up, away from zero, to a whole number (Quantity.Value)."""
        return self.scaled_value(0)

    @property
    def milli_value(self) -> int:
        """The value in thousandths, rounded up, away from zero (Quantity.MilliValue): `0.5` -> 500."""
        return self.scaled_value(Scale.Milli)

    def scaled_value(self, scale: int) -> int:
        """The value in units of 10**scale, rounded up, away from zero (Quantity.ScaledValue)."""
        return _round_away_from_zero(self._amount / Fraction(10) ** scale)

    def is_zero(self) -> bool:
        return self._amount == 0

    def sign(self) -> int:
        """-1, 0 or 1."""
        return (self._amount > 0) - (self._amount < 0)

    def as_approximate_float(self) -> float:
        """The value as a float, for plots and percentages only (Quantity.AsApproximateFloat64)."""
        return float(self._amount)

    # --- how it prints --------------------------------------------------------------------------

    def canonicalize(self) -> str:
        """The canonical form in the quantity's format family (Quantity.CanonicalizeBytes)."""
        return _canonical(self._amount, self._format)

    def __str__(self) -> str:
        """What Kubernetes prints (Quantity.String): the text as parsed when it was kept, else canonical."""
        return self._text if self._text is not None else self.canonicalize()

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    # --- arithmetic: the result keeps the left operand's format, unless the left one is zero ------

    def __add__(self, other: Quantity | int) -> Quantity:
        right = _as_quantity(other)
        if right is None:
            return NotImplemented
        return _combine(self, right, self._amount + right._amount)

    def __radd__(self, other: int) -> Quantity:
        left = _as_quantity(other)  # lets sum(quantities) start from 0
        if left is None:
            return NotImplemented
        return _combine(left, self, left._amount + self._amount)

    def __sub__(self, other: Quantity | int) -> Quantity:
        right = _as_quantity(other)
        if right is None:
            return NotImplemented
        return _combine(self, right, self._amount - right._amount)

    def __rsub__(self, other: int) -> Quantity:
        left = _as_quantity(other)
        if left is None:
            return NotImplemented
        return _combine(left, self, left._amount - self._amount)

    def __neg__(self) -> Quantity:
        return Quantity._make(-self._amount, self._format)

    def __mul__(self, factor: int) -> Quantity:
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return Quantity._make(self._amount * factor, self._format)

    __rmul__ = __mul__

    # --- comparison: by exact amount (Quantity.Cmp) ---------------------------------------------

    def __eq__(self, other: object) -> bool:
        right = _as_quantity(other)
        return NotImplemented if right is None else self._amount == right._amount

    def __lt__(self, other: Quantity | int) -> bool:
        right = _as_quantity(other)
        return NotImplemented if right is None else self._amount < right._amount

    def __le__(self, other: Quantity | int) -> bool:
        right = _as_quantity(other)
        return NotImplemented if right is None else self._amount <= right._amount

    def __gt__(self, other: Quantity | int) -> bool:
        right = _as_quantity(other)
        return NotImplemented if right is None else self._amount > right._amount

    def __ge__(self, other: Quantity | int) -> bool:
        right = _as_quantity(other)
        return NotImplemented if right is None else self._amount >= right._amount

    def __hash__(self) -> int:
        return hash(self._amount)

    def __bool__(self) -> bool:
        return self._amount != 0


# --- building quantities from numbers (NewQuantity, NewMilliQuantity, NewScaledQuantity) --------


def new_quantity(value: int, format: Format = Format.DecimalSI) -> Quantity:
    """`value` whole units: new_quantity(1024, Format.BinarySI) prints as `1Ki`."""
    return Quantity._make(Fraction(_whole_number(value)), Format(format))


def new_milli_quantity(value: int, format: Format = Format.DecimalSI) -> Quantity:
    """`value` thousandths: new_milli_quantity(250) prints as `250m` (how usage in millicores is reported)."""
    return Quantity._make(Fraction(_whole_number(value), 1000), Format(format))


def new_scaled_quantity(value: int, scale: int) -> Quantity:
    """`value` * 10**scale, DecimalSI: new_scaled_quantity(3, Scale.Giga) prints as `3G`."""
    return Quantity._make(_whole_number(value) * Fraction(10) ** scale, Format.DecimalSI)


# --- parsing (ParseQuantity) ------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)  # the same few strings ("100m", "128Mi") are parsed over and over
def parse_quantity(text: str) -> Quantity:
    """Parse a quantity string exactly as Kubernetes' ParseQuantity does; no surrounding spaces allowed.

    Raises QuantityParseError (a ValueError) with Kubernetes' reason:
    ERR_FORMAT_WRONG for text of the wrong shape, ERR_SUFFIX for an unknown suffix
    (`1Ki5`, `0.1mi`) and ERR_NUMERIC for a suffix with no number (`Pi`).
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_quantity takes a string, got {type(text).__name__}: {text!r}")
    if text == "":
        raise QuantityParseError(text, ERR_FORMAT_WRONG)
    if text == "0":
        return Quantity._make(Fraction(0), Format.DecimalSI, "0")

    shape = _QUANTITY_SHAPE.fullmatch(text)
    if shape is None:
        raise QuantityParseError(text, ERR_FORMAT_WRONG)
    sign, whole_digits, fraction_digits, suffix = shape.groups(default="")
    base, exponent, format = _interpret_suffix(text, suffix)

    whole = whole_digits.lstrip("0") or "0"  # Kubernetes strips leading zeros before it counts digits
    fast = _takes_fast_path(format, exponent, whole, fraction_digits)
    if not fast and not (whole_digits or fraction_digits):
        raise QuantityParseError(text, ERR_NUMERIC)  # e.g. "Pi" or ".e-10": a suffix with no number

    # The exact value, then Kubernetes' two adjustments: round up to a nano-unit, cap binary values.
    digits = int(whole + fraction_digits)
    if base == 10:
        magnitude = _round_up_to_nano(digits, exponent - len(fraction_digits))
    else:
        magnitude = _ceil_to_nano(Fraction(digits * 2**exponent, 10 ** len(fraction_digits)))
    if format is Format.BinarySI:
        magnitude = min(magnitude, Fraction(MAX_ALLOWED))
        if 0 < magnitude < 1:
            format = Format.DecimalSI  # a fraction of a byte has no binary spelling
    amount = -magnitude if sign == "-" else magnitude

    kept_text = text if fast and _keeps_text(format, exponent, whole, fraction_digits) else None
    return Quantity._make(amount, format, kept_text)


def _interpret_suffix(text: str, suffix: str) -> tuple[int, int, Format]:
    """(base, exponent, format) of a suffix: "Mi" -> (2, 20, BinarySI), "e-3" -> (10, -3, DecimalExponent)."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], Format.DecimalSI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], Format.BinarySI
    exponent = _EXPONENT_SUFFIX.fullmatch(suffix)
    if exponent is None or not -(2**63) <= int(exponent.group(1)) < 2**63:  # Go's strconv.ParseInt
        raise QuantityParseError(text, ERR_SUFFIX)
    value = int(exponent.group(1))
    if abs(value) > MAX_EXPONENT:
        raise QuantityParseError(text, f"{ERR_SUFFIX}: k8slab supports exponents up to {MAX_EXPONENT}")
    return 10, value, Format.DecimalExponent


def _takes_fast_path(format: Format, exponent: int, whole: str, fraction_digits: str) -> bool:
    """Whether Kubernetes parses this text with its int64 fast path (and so may keep the text)."""
    if format is Format.BinarySI:
        if fraction_digits:
            return False
        # Kubernetes' estimate of the decimal digits an int64 has left after multiplying by 2**exponent.
        precision = 15 - len(whole) - exponent * 3 // 10 - 1
        return precision >= 0 and int(whole) * 2**exponent <= MAX_ALLOWED
    precision = 18 - len(whole) - len(fraction_digits)
    return precision >= 0 and exponent - len(fraction_digits) >= Scale.Nano


def _keeps_text(format: Format, exponent: int, whole: str, fraction_digits: str) -> bool:
    """Whether the fast path keeps the parsed text as the quantity's string (it "looks canonical")."""
    if format is Format.BinarySI:
        # A cheap test that rules out multiples of 1024 (`1024Ki` must become `1Mi`), and more.
        return int(whole) % 8 != 0
    shifted = whole + fraction_digits
    scale = exponent - len(fraction_digits)
    return scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"


def _round_up_to_nano(digits: int, exponent: int) -> Fraction:
    """digits * 10**exponent, rounded up to a multiple of 10**-9, computed without huge powers of ten."""
    if exponent >= Scale.Nano:
        return digits * Fraction(10) ** exponent
    shift = Scale.Nano - exponent  # how many digits fall below the nano-unit
    if digits == 0:
        return Fraction(0)
    if shift > len(str(digits)):
        return _NANO  # all of it is below a nano-unit: it rounds up to exactly 1n
    nanos = -(-digits // 10**shift)  # ceiling division
    return nanos * _NANO


def _ceil_to_nano(magnitude: Fraction) -> Fraction:
    return math.ceil(magnitude / _NANO) * _NANO


# --- printing (CanonicalizeBytes) -----------------------------------------------------------


def _canonical(amount: Fraction, format: Format) -> str:
    if amount == 0:
        return "0"
    if format is Format.BinarySI:
        if -1024 < amount < 1024 or amount.denominator != 1:
            format = Format.DecimalSI  # avoids rounding, and 0.5Ki reads better as 512
        else:
            mantissa, power = _split_powers(int(amount), 1024)
            if power < len(_SUFFIX_FOR_POWER_OF_1024):
                return f"{mantissa}{_SUFFIX_FOR_POWER_OF_1024[power]}"
            format = Format.DecimalExponent  # beyond Ei: no suffix left (as Kubernetes now does)
    mantissa, exponent = _decimal_mantissa_and_exponent(amount)
    if format is Format.DecimalSI and exponent in _SUFFIX_FOR_POWER_OF_10:
        return f"{mantissa}{_SUFFIX_FOR_POWER_OF_10[exponent]}"
    # DecimalExponent, or a DecimalSI value beyond `n`..`E` (Kubernetes falls back to `e` notation).
    return f"{mantissa}e{exponent}" if exponent else str(mantissa)


def _decimal_mantissa_and_exponent(amount: Fraction) -> tuple[int, int]:
    """amount = mantissa * 10**exponent, with a whole mantissa and the largest exponent that is a
    multiple of 3 (AsCanonicalBytes): 1.5 -> (1500, -3), 2000 -> (2, 3), 25000 -> (25, 3).
    """
    # How many decimal places the amount has: its denominator is 2**a * 5**b, so max(a, b).
    denominator, twos, fives = amount.denominator, 0, 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    if denominator != 1:
        raise ValueError(f"{amount} has no finite decimal form")
    places = max(twos, fives)
    mantissa, tens = _split_powers(int(amount * 10**places), 10)
    exponent = tens - places
    shift = exponent % 3  # lower the exponent to a multiple of 3, moving digits into the mantissa
    return mantissa * 10**shift, exponent - shift


def _split_powers(number: int, base: int) -> tuple[int, int]:
    """Remove every factor `base` from a non-zero number: (98304, 1024) -> (96, 1)."""
    power = 0
    while abs(number) >= base and number % base == 0:
        number //= base
        power += 1
    return number, power


# --- small helpers ----------------------------------------------------------------------------


def _round_away_from_zero(value: Fraction) -> int:
    return math.ceil(value) if value >= 0 else math.floor(value)


def _as_quantity(value: Any) -> Quantity | None:
    """The other operand of an operator: a Quantity, or an int read as a DecimalSI quantity."""
    if isinstance(value, Quantity):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return new_quantity(value)
    return None


def _combine(left: Quantity, right: Quantity, amount: Fraction) -> Quantity:
    # Quantity.Add/Sub: the result keeps the receiver's format, unless the receiver was zero.
    return Quantity._make(amount, right._format if left._amount == 0 else left._format)


def _whole_number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {type(value).__name__}: {value!r}")
    return value


def _json_number(value: int | float) -> str:
    """A number as Go's encoding/json writes it, which is the text ParseQuantity sees for `cpu: 0.5`."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    shortest = repr(value)  # the shortest digits that read back as the same float, as Go picks them
    if 1e-6 <= abs(value) < 1e21:
        return format(Decimal(shortest), "f")  # Go writes these positionally: 0.00001, not 1e-05
    return re.sub(r"e-0(\d)$", r"e-\1", shortest)  # and the others as 1e-7 (Python says 1e-07)
