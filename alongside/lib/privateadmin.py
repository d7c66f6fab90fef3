"""What every Django admin screen of Alongside has in common: it shows no more than the
object it is about.

Django's delete confirmation lists every related object the deletion would remove, by
its `str()`: deleting an account would list his notifications ("a moderator approved
your post"), the concerns he raised, what he follows, and how many of each. That list
is a side channel around every rule of docs/privacy.md, so `PrivateDeletionMixin`
replaces it with the objects chosen for deletion and one line saying that what belongs
to them goes too. Protected objects and missing permissions still block the deletion,
named by a generic line, never listed.

Django also lets any changelist be filtered by any of the model's own fields through
the query string (`?recipient_email=dana@example.net`), whatever `list_filter` says:
an oracle that answers "was she asked?" without ever showing an address. A ModelAdmin
names such fields in `private_fields`, and lookups on them are refused (400).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    _Base = ModelAdmin[Any]
else:
    _Base = object


class PrivateDeletionMixin(_Base):
    """Delete confirmations (the delete page and the "delete selected" action) list
    only the chosen objects, never what would be removed with them; changelists
    can't be filtered by `private_fields`."""

    private_fields: tuple[str, ...] = ()

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        if lookup.split(LOOKUP_SEP, 1)[0] in self.private_fields:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_deleted_objects(
        self, objs: Sequence[Model] | QuerySet[Model], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        chosen = list(objs)
        _related, _counts, perms_needed, protected = super().get_deleted_objects(
            chosen, request
        )
        opts = self.model._meta
        to_delete = [f"{capfirst(opts.verbose_name)}: {obj}" for obj in chosen]
        to_delete.append(_("Everything that belongs to it is deleted with it."))
        model_count = {str(opts.verbose_name_plural): len(chosen)}
        if perms_needed:
            perms_needed = {_("records you may not delete")}
        if protected:
            protected = [
                _(
                    "Other records depend on it. Remove them first, from the pages "
                    "that manage them."
                )
            ]
        return to_delete, model_count, perms_needed, protected
