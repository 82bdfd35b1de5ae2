"""The form of a key result's data source (the page of pacer/datasources/views.py): one
form for the three kinds; the fields of the other kinds are ignored. Rules are the
services'; this form only turns text into values (the headers' lines into pairs)."""

from typing import Any, cast

from django import forms

from pacer.datasources import services
from pacer.datasources.models import DataSource
from pacer.web.forms import PlainForm

MAX_HEADER_LINES = 40


class SourceForm(PlainForm):
    kind = forms.ChoiceField(choices=DataSource.Kind.choices, widget=forms.RadioSelect)
    url = forms.CharField(
        label="URL",
        required=False,
        max_length=2000,
        help_text="HTTP JSON: the address Pacer GETs. Tracker: a milestone or issue-search link.",
    )
    jsonpath = forms.CharField(
        label="JSONPath",
        required=False,
        max_length=500,
        help_text="The one value in the JSON answer, e.g. $.data.count",
    )
    headers = forms.CharField(
        label="Headers",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Sent with the request, one per line: Authorization: Bearer …",
    )
    forget_headers = forms.BooleanField(label="Remove the stored headers", required=False)
    database = forms.ChoiceField(label="Database", required=False)
    query = forms.CharField(
        label="Query",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One SELECT returning one number, e.g. SELECT count(*) FROM signups",
    )
    count = forms.ChoiceField(
        label="Count",
        required=False,
        choices=[("", "—"), *DataSource.Count.choices],
    )
    interval_minutes = forms.IntegerField(
        label="Read every (minutes)",
        initial=services.DEFAULT_INTERVAL,
        help_text=f"At least {services.MIN_INTERVAL} minutes.",
    )

    def __init__(
        self, *args: Any, databases: list[str], source: DataSource | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        none = "— no database is configured —" if not databases else "—"
        database = cast(forms.ChoiceField, self.fields["database"])
        database.choices = [("", none), *((name, name) for name in databases)]
        if source is not None and source.kind == DataSource.Kind.HTTP_JSON:
            self.fields[
                "url"
            ].help_text = (
                f"Stored: {source.url_masked}. Leave empty to keep it; it is never shown in full."
            )
            if source.header_names:
                names = ", ".join(source.header_names)
                self.fields[
                    "headers"
                ].help_text = f"Stored: {names} (values never shown). Leave empty to keep them."
        if source is None or not source.header_names:
            del self.fields["forget_headers"]

    def clean_headers(self) -> dict[str, str] | None:
        """{name: value}; None when left empty (the stored headers are kept)."""
        text = self.cleaned_data.get("headers") or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_HEADER_LINES:
            raise forms.ValidationError(f"at most {MAX_HEADER_LINES} lines")
        pairs: dict[str, str] = {}
        for line in lines:
            name, colon, value = line.partition(":")
            if not colon or not name.strip():
                raise forms.ValidationError(
                    f"write each header as Name: value (line {line[:40]!r})"
                )
            pairs[name.strip()] = value.strip()
        return pairs or None

    def config(self) -> dict[str, Any]:
        """The services' keyword arguments."""
        data = self.cleaned_data
        headers = {} if data.get("forget_headers") else data["headers"]
        return {
            "kind": data["kind"],
            "url": data["url"] or None,
            "headers": headers,
            "jsonpath": data["jsonpath"],
            "database": data["database"],
            "query": data["query"],
            "count": data["count"],
            "interval_minutes": data["interval_minutes"],
        }


def initial_of(source: DataSource | None) -> dict[str, Any]:
    """The stored source as the form's initial values (never the URL or headers of an HTTP
    source: they may hold tokens)."""
    if source is None:
        return {"kind": DataSource.Kind.HTTP_JSON, "interval_minutes": services.DEFAULT_INTERVAL}
    return {
        "kind": source.kind,
        "url": source.link_url,
        "jsonpath": source.jsonpath,
        "database": source.database,
        "query": source.query,
        "count": source.count,
        "interval_minutes": source.interval_minutes,
    }
