"""The CSV format of every list (`?format=csv`); the rows themselves are streamed by the view."""
import csv
import io

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """Render what reaches DRF's renderer in CSV form: only errors do (lists stream themselves)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["parameter", "message"])
        for key, messages in (data or {}).items():
            for message in messages if isinstance(messages, list) else [messages]:
                writer.writerow([key, str(message)])
        return out.getvalue().encode()
