"""The words of the package's own dimensions and groups (ethnicity, Lao-Tai…).

A package that reports pupils by a grouping of its own (``enrolment_groups``) names its
dimensions and groups in ``group_names``: a row with a ``group`` names that group, a row
without one names the dimension itself, in English (``name_en``) and the country's language
(``name_local``). A dimension or group without a name reads as its id made readable
(``home_language`` → "Home language"). :class:`SplitWords` names every split of an
extract and its groups, built-in or the package's. Pure: no database, no Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Mapping

from lib.i18n import DEFAULT_LANG, lower_word, t
from lib.vocabulary import PARITY, TOTAL, Split


def readable(identifier: str) -> str:
    """An id as words: ``home_language`` → "Home language"."""
    words = str(identifier).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class GroupNames:
    """(dimension, group) → {lang: name}; the group "" is the dimension itself."""

    names: Mapping[tuple[str, str], Mapping[str, str]] = field(
        default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str | None, str, str | None]]
                  ) -> "GroupNames":
        """From ``(dimension, group, name_en, name_local)`` rows (group None or "" for the
        dimension's own name)."""
        names: dict[tuple[str, str], Mapping[str, str]] = {}
        for dimension, group, name_en, name_local in rows:
            words = {DEFAULT_LANG: str(name_en)}
            if name_local:
                words["local"] = str(name_local)
            names[(str(dimension), str(group or ""))] = MappingProxyType(words)
        return cls(MappingProxyType(names))

    def _name(self, key: tuple[str, str], fallback: str, lang: str) -> str:
        words = self.names.get(key)
        if not words:
            return readable(fallback)
        return words[DEFAULT_LANG] if lang == DEFAULT_LANG else words.get("local",
                                                                           words[DEFAULT_LANG])

    def dimension(self, dimension: str, lang: str = DEFAULT_LANG) -> str:
        """The dimension's name: "Ethnicity"."""
        return self._name((dimension, ""), dimension, lang)

    def group(self, dimension: str, group: str, lang: str = DEFAULT_LANG) -> str:
        """A group's name: "Lao-Tai"."""
        return self._name((dimension, group), group, lang)


@dataclass(frozen=True)
class SplitWords:
    """The words of every split of an extract, in any language: the built-in splits' from
    the catalogue (``split_picker.option.<id>``, ``split.<id>``, ``equity.group.<group>``),
    the package's dimensions' from its ``group_names``."""

    splits: Mapping[str, Split]
    names: GroupNames = field(default_factory=GroupNames)

    def _is_dimension(self, split: str) -> bool:
        found = self.splits.get(split)
        return bool(found and found.dimension)

    def label(self, split: str, lang: str) -> str:
        """A split's name on a button or a title: "Sex", "Ethnicity" ("" is no split)."""
        if self._is_dimension(split):
            return self.names.dimension(split, lang)
        return t(f"split_picker.option.{split or 'none'}", lang)

    def word(self, split: str, lang: str) -> str:
        """A split's name inside a sentence: "sex", "ethnicity"."""
        if self._is_dimension(split):
            return lower_word(self.names.dimension(split, lang)) if lang == DEFAULT_LANG \
                else self.names.dimension(split, lang)
        return t(f"split.{split}", lang)

    def group(self, split: str, group: str, lang: str) -> str:
        """A group's name: "Girls", "Lao-Tai", "Total", "Parity index"."""
        if self._is_dimension(split) and group not in (TOTAL, PARITY):
            return self.names.group(split, group, lang)
        return t(f"equity.group.{group}", lang)

    def groups_title(self, split: str, lang: str) -> str:
        """The title of the groups of a split without parity, side by side."""
        if self._is_dimension(split):
            return t("equity.groups.title.dimension", lang,
                     dimension=self.names.dimension(split, lang))
        return t(f"equity.groups.title.{split}", lang)
