"""Email addresses: one normalized form, look-alikes refused, and one mailbox per person.

`normalize_email` is the form addresses are stored and compared in (campaigns: one
signature per normalized address and campaign, which the database's unique constraint
sees). It applies NFKC (so full-width "ａ" is "a"), strips surrounding space,
lower-cases the local part and the domain, and turns punycode domain labels back into
Unicode so `bücher.example` and `xn--bcher-kva.example` are one address.

Addresses that could pass for another one are refused, each with its own message:
a label mixing alphabets (Latin "p" with a Cyrillic "а"), a label made only of
characters that look like Latin ones (Cyrillic "аррӏе"), non-Latin letters before the @,
and invisible characters.

`mailbox_key` goes one step further, for "is this the same person's inbox?" (pledges:
an ally may not confirm his own action through an alias). It drops a plus tag
(`name+anything@` is delivered to `name@` by nearly every provider) and, for the
providers listed in DOT_BLIND_DOMAINS only, the dots of the local part, and it maps
those providers' alias domains onto one (googlemail.com is gmail.com). The list is kept
small and explicit: other providers treat dots as part of the name.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Translated only when a message is shown.
_WHERE_LOCAL = gettext_lazy("name before the @")
_WHERE_DOMAIN = gettext_lazy("domain")
# Stateless: one instance serves every call.
_EMAIL_VALIDATOR = EmailValidator()

MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit minus the angle brackets
MAX_LOCAL_LENGTH = 64

# Characters of other scripts that are commonly mistaken for Latin letters (a small,
# deliberate subset of Unicode's confusables.txt: the ones that pass for a-z).
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k",
    "ӏ": "l", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "у": "y", "ԝ": "w", "х": "x",
    "ԍ": "g", "ү": "y",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "υ": "u", "χ": "x", "γ": "y", "ω": "w",
    # Armenian
    "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n", "զ": "q",
    # Latin letters that pass for others
    "ı": "i", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ʟ": "l",
}  # fmt: skip

# Scripts written together in one word (Japanese mixes Han, Hiragana and Katakana).
_SCRIPT_FAMILIES = {
    "CJK": "HAN",
    "HIRAGANA": "HAN",
    "KATAKANA": "HAN",
    "HANGUL": "HAN",
    "IDEOGRAPHIC": "HAN",
}


def _script(char: str) -> str | None:
    """The script of a letter ("LATIN", "CYRILLIC"...), None for digits and marks."""
    if not unicodedata.category(char).startswith("L"):
        return None
    try:
        first = unicodedata.name(char).split()[0]
    except ValueError:
        return "UNKNOWN"
    return _SCRIPT_FAMILIES.get(first, first)


def _script_name(script: str) -> str:
    return {
        "LATIN": _("Latin"),
        "CYRILLIC": _("Cyrillic"),
        "GREEK": _("Greek"),
        "ARMENIAN": _("Armenian"),
        "HAN": _("Chinese, Japanese or Korean"),
    }.get(script, script.title())


def _check_label(label: str, *, where: object) -> None:
    """Refuse a mixed-script label, or one made only of Latin look-alikes.

    An ASCII label always passes (its letters are all Latin, and every look-alike in
    CONFUSABLES is outside ASCII), so it is not looked at character by character.
    """
    if not label.isascii():
        _check_label_letters(label, where=where)


def _check_label_letters(label: str, *, where: object) -> None:
    scripts = {s for s in (_script(c) for c in label) if s is not None}
    if len(scripts) > 1:
        names = ", ".join(sorted(_script_name(s) for s in scripts))
        raise ValidationError(
            _(
                "This address mixes letters from different alphabets (%(scripts)s) in "
                "“%(part)s”, which is how look-alike addresses are made. Type it again "
                "using one alphabet."
            )
            % {"scripts": names, "part": label},
            code="mixed_script",
        )
    lookalikes = [c for c in label if c in CONFUSABLES]
    letters = [c for c in label if _script(c) is not None]
    if lookalikes and scripts != {"LATIN"} and len(lookalikes) == len(letters):
        char = lookalikes[0]
        raise ValidationError(
            _(
                "The %(where)s “%(part)s” is written with letters that only look like "
                "Latin ones (“%(char)s” is not “%(latin)s”). Type the address again "
                "on your keyboard."
            )
            % {"where": where, "part": label, "char": char, "latin": CONFUSABLES[char]},
            code="confusable",
        )
    if "LATIN" in scripts and lookalikes:
        char = lookalikes[0]
        raise ValidationError(
            _(
                "“%(char)s” in “%(part)s” looks like “%(latin)s” but is a different "
                "character. Type the address again on your keyboard."
            )
            % {"part": label, "char": char, "latin": CONFUSABLES[char]},
            code="confusable",
        )


def _unicode_domain(domain: str) -> str:
    labels = []
    for label in domain.split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError:
                raise ValidationError(
                    _("The part after the @ is not a valid domain name."),
                    code="invalid",
                ) from None
        labels.append(label)
    return ".".join(labels)


def normalize_email(raw: str) -> str:
    """The address in the form the unique constraint compares; ValidationError if unusable."""
    value = unicodedata.normalize("NFKC", raw or "").strip()
    if not value:
        raise ValidationError(_("Enter your email address."), code="required")
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValidationError(
            _(
                "This address is %(length)d characters long; an email address can have "
                "at most %(max)d."
            )
            % {"length": len(value), "max": MAX_EMAIL_LENGTH},
            code="too_long",
        )
    if any(unicodedata.category(c) in {"Cf", "Cc", "Zs", "Zl", "Zp"} for c in value):
        raise ValidationError(
            _(
                "This address contains a space or an invisible character. Type it again "
                "without copying and pasting."
            ),
            code="invisible",
        )
    if value.count("@") != 1:
        raise ValidationError(
            _("An email address has exactly one @, like name@example.org."),
            code="invalid",
        )
    local, domain = value.split("@")
    local, domain = local.lower(), _unicode_domain(domain.lower())
    if not local or not domain:
        raise ValidationError(
            _(
                "An email address has a name before the @ and a domain after it, like name@example.org."
            ),
            code="invalid",
        )
    if len(local) > MAX_LOCAL_LENGTH:
        raise ValidationError(
            _("The part before the @ can have at most %(max)d characters.")
            % {"max": MAX_LOCAL_LENGTH},
            code="too_long",
        )
    _check_label(local, where=_WHERE_LOCAL)
    for label in domain.split("."):
        _check_label(label, where=_WHERE_DOMAIN)
    if not local.isascii():
        raise ValidationError(
            _(
                "Use an address with only Latin letters, digits and . _ - + before the @: "
                "many mail systems can't deliver to other characters there."
            ),
            code="non_ascii_local",
        )
    address = f"{local}@{domain}"
    if len(address) > MAX_EMAIL_LENGTH:
        raise ValidationError(
            _("An email address can have at most %(max)d characters.")
            % {"max": MAX_EMAIL_LENGTH},
            code="too_long",
        )
    try:
        _EMAIL_VALIDATOR(address)
    except ValidationError:
        raise ValidationError(
            _("This is not a valid email address. Check it, e.g. name@example.org."),
            code="invalid",
        ) from None
    return address


# Providers that deliver `f.i.r.s.t@` to `first@`, each mapped to its canonical domain.
DOT_BLIND_DOMAINS: dict[str, str] = {
    "gmail.com": "gmail.com",
    "googlemail.com": "gmail.com",
}


def mailbox_key(raw: str) -> str:
    """The inbox an address delivers to, for comparing two addresses' owners.

    Case, plus tags, and dots where the provider ignores them (DOT_BLIND_DOMAINS) make
    no difference. Never raises: an address `normalize_email` refuses (one stored
    before the rules, say) is compared in its stripped, lower-cased form.
    """
    try:
        address = normalize_email(raw)
    except ValidationError:
        address = unicodedata.normalize("NFKC", raw or "").strip().lower()
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    local = local.split("+", 1)[0] or local
    canonical = DOT_BLIND_DOMAINS.get(domain)
    if canonical is not None:
        local = local.replace(".", "") or local
        domain = canonical
    return f"{local}@{domain}"
