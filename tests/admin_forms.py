"""Build the POST data a browser would send back for an admin change form."""


def _field_value(bound_field):
    value = bound_field.value()
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return value


def change_form_data(response):
    """Return the data of the admin change form (and its inlines) rendered in `response`."""
    context = response.context
    data = {}
    form = context["adminform"].form
    for name in form.fields:
        data[form.add_prefix(name)] = _field_value(form[name])
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = _field_value(management[name])
        for subform in formset.forms:
            for name in subform.fields:
                value = _field_value(subform[name])
                if value is False:
                    continue
                data[subform.add_prefix(name)] = value
    return {k: v for k, v in data.items() if v is not False}
