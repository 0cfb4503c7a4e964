"""Django's timesince units, repeated here so `makemessages` keeps them in our catalogs.

Django's own Thai catalog does not translate them, and the inbox shows "waiting 3 hours";
our catalog (first in LOCALE_PATHS) fills the gap. Nothing imports this module.
"""

from django.utils.translation import ngettext_lazy

TIMESINCE_UNITS = [
    ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
]
