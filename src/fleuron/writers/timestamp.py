"""The one timestamp stamped into a book's outputs, so that the same input gives the same bytes."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os

from ..errors import FleuronError
from ..messages import _
from ..model import Metadata

log = logging.getLogger("fleuron")


@functools.lru_cache(maxsize=16)  # one timestamp (and at most one warning) per book and process
def release_time(meta: Metadata) -> dt.datetime:
    """The one timestamp stamped into outputs, so that the same input gives the same bytes:
    the front matter's `date`, else `SOURCE_DATE_EPOCH`, else now (with a warning)."""
    if meta.date is not None:
        return dt.datetime(meta.date.year, meta.date.month, meta.date.day, tzinfo=dt.UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            stamp = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise FleuronError(_("SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds", epoch=epoch)) from None
        if stamp.year < 1000:  # ebooks write four-digit years
            raise FleuronError(_("SOURCE_DATE_EPOCH={epoch!r} is before the year 1000", epoch=epoch))
        return stamp
    log.warning(_("no 'date' in the front matter and no SOURCE_DATE_EPOCH: the build is stamped now"))
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
