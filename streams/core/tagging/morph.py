"""English inflection for trigger words: enough morphology to turn a lemma list into surface forms.

>>> sorted(verb_forms("accuse"))
['accuse', 'accused', 'accuses', 'accusing']
>>> sorted(verb_forms("call for"))
['call for', 'called for', 'calling for', 'calls for']
>>> sorted(verb_forms("expel"))
['expel', 'expeled', 'expeling', 'expelled', 'expelling', 'expels']
>>> sorted(noun_forms("strike"))
['strike', 'strikes']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

_VOWELS = set("aeiou")


def _doubles(word: str) -> bool:
    """Short consonant-vowel-consonant words double their last letter (ban -> banned)."""
    return (
        len(word) <= 4
        and len(word) >= 3
        and word[-1] not in _VOWELS | set("wxy")
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )


def _regular(word: str) -> list[str]:
    if word.endswith(("s", "sh", "ch", "x", "z")):
        third = word + "es"
    elif word.endswith("y") and word[-2:-1] not in _VOWELS:
        third = word[:-1] + "ies"
    else:
        third = word + "s"
    if word.endswith("ee"):
        return [third, word + "d", word + "ing"]
    if word.endswith("e"):
        return [third, word + "d", word[:-1] + "ing"]
    if word.endswith("y") and word[-2:-1] not in _VOWELS:
        return [third, word[:-1] + "ied", word + "ing"]
    stem = word + word[-1] if _doubles(word) else word
    forms = [third, stem + "ed", stem + "ing"]
    if stem == word and len(word) > 4 and _cvc(word):
        # a longer word doubles when its last syllable is stressed (expelled, admitted, regretted,
        # permitted) and a final l always doubles in British spelling (cancelled): both forms are
        # listed, the one that is no word never matches
        forms += [word + word[-1] + "ed", word + word[-1] + "ing"]
    return forms


def _cvc(word: str) -> bool:
    """Ends in consonant-vowel-consonant, the shape that may double its last letter."""
    return word[-1] not in _VOWELS | set("wxy") and word[-2] in _VOWELS and word[-3] not in _VOWELS


def verb_forms(lemma: str, irregular: Mapping[str, Sequence[str]] | None = None) -> set[str]:
    """The lemma and its -s, past and -ing forms, inflecting the first word of a phrase."""
    head, _, rest = lemma.partition(" ")
    forms = {head, *_regular(head), *(irregular or {}).get(head, ())}
    return {f"{form} {rest}" if rest else form for form in forms}


def noun_forms(noun: str) -> set[str]:
    """The noun and its plural (the last word of a phrase is pluralised)."""
    if noun.endswith(("s", "sh", "ch", "x", "z")):
        plural = noun + "es"
    elif noun.endswith("y") and noun[-2:-1] not in _VOWELS:
        plural = noun[:-1] + "ies"
    else:
        plural = noun + "s"
    return {noun, plural}
