"""Django's JSON serializer, keeping datetimes to the microsecond.

DjangoJSONEncoder cuts microseconds to milliseconds, so a dumpdata/loaddata round trip would
change every timestamp (and a restore would not reproduce the database). Registered for the
"json" format in SERIALIZATION_MODULES; reading is unchanged.
"""
import datetime

from django.core.serializers.json import Deserializer, DjangoJSONEncoder  # noqa: F401 (re-exported)
from django.core.serializers.json import Serializer as DjangoSerializer


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(DjangoSerializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactEncoder)
        super()._init_options()
