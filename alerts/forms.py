"""Page forms of the escalation engine: shapes only. Every rule (who may act, what a
rule's parameters may be, what a policy step needs) stays in alerts.services."""
import datetime as dt
import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from alerts.choices import Channel, Scope, Severity, StepTarget, Trigger
from alerts.models import EscalationPolicy
from alerts.services import BULK_VERBS
from coordination.forms import DateTimeInput
from coordination.models import Situation


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class AcknowledgeForm(NoteForm):
    pass


class ResolveForm(NoteForm):
    # Required here for the browser's sake; the service refuses an empty note too.
    note = forms.CharField(label=_("How was it resolved?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


SNOOZE_PRESETS = [("1h", _("1 hour")), ("4h", _("4 hours")), ("tomorrow", _("Tomorrow 09:00")),
                  ("week", _("One week")), ("custom", _("Until a time…"))]


def snooze_end(preset: str, now, zone) -> "dt.datetime | None":
    """The end of a preset snooze; "tomorrow" is 09:00 on the next day in the user's zone."""
    if preset == "1h":
        return now + dt.timedelta(hours=1)
    if preset == "4h":
        return now + dt.timedelta(hours=4)
    if preset == "week":
        return now + dt.timedelta(days=7)
    if preset == "tomorrow":
        local = now.astimezone(zone)
        return dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(9), tzinfo=zone)
    return None


class SnoozeForm(NoteForm):
    preset = forms.ChoiceField(label=_("Snooze for"), choices=SNOOZE_PRESETS, initial="4h")
    until = forms.DateTimeField(label=_("Or until"), widget=DateTimeInput, required=False,
                                help_text=_("In your time zone; used with “Until a time…”."))

    def __init__(self, *args, zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone or timezone.get_current_timezone()

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset == "custom":
            if not data.get("until"):
                self.add_error("until", _("Give the time the snooze ends."))
        elif preset:
            data["until"] = snooze_end(preset, timezone.now(), self.zone)
        return data


def owner_choices() -> list[tuple[str, str]]:
    """Computed once per page: the queue renders one reassign form per row."""
    users = User.objects.filter(is_active=True).order_by("username")
    return [("", _("Nobody"))] + [(str(u.pk), str(u)) for u in users]


class ReassignForm(NoteForm):
    owner = forms.ChoiceField(label=_("New owner"), required=False)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = choices if choices is not None else owner_choices()

    def clean_owner(self):
        value = self.cleaned_data.get("owner")
        return User.objects.filter(pk=value, is_active=True).first() if value else None


class GroupNoteForm(NoteForm):
    note = forms.CharField(label=_("Note for the timeline"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


ALERT_FORMS = {"acknowledge": AcknowledgeForm, "snooze": SnoozeForm, "resolve": ResolveForm,
               "reassign": ReassignForm, "note": GroupNoteForm}


class BulkForm(forms.Form):
    verb = forms.ChoiceField(choices=list(BULK_VERBS.items()))
    groups = forms.TypedMultipleChoiceField(coerce=int, choices=())
    note = forms.CharField(label=_("Note (needed to resolve)"), required=False, max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id: the service decides what exists for this user, and refuses the rest.
        ids = self.data.getlist("groups") if hasattr(self.data, "getlist") else []
        self.fields["groups"].choices = [(i, i) for i in ids]


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    trigger = forms.ChoiceField(label=_("Trigger"), choices=Trigger.choices)
    params = forms.CharField(
        label=_("Parameters (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('E.g. {"days": 7} for a deadline, {"amount": 5, "window_days": 14} for a rise, '
                    '{"min_level": "critical"} for a threshold.'))
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.WARNING)
    policy = forms.ModelChoiceField(label=_("Escalation policy"), queryset=EscalationPolicy.objects.none(),
                                    required=False, empty_label=_("None (record the alert only)"))
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices, initial=Scope.ALL)
    country_code = forms.CharField(label=_("Country code"), required=False, max_length=2,
                                   help_text=_("For a country scope."))
    situation = forms.ModelChoiceField(label=_("Situation"), queryset=Situation.objects.none(), required=False,
                                       help_text=_("For a one-situation scope."))
    cooldown_minutes = forms.IntegerField(label=_("Cool-down (minutes)"), initial=60, min_value=0)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, situations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = EscalationPolicy.objects.order_by("name")
        self.fields["situation"].queryset = situations

    def clean_params(self):
        text = (self.cleaned_data.get("params") or "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("Write the parameters as a JSON object.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Write the parameters as a JSON object."))
        return value


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    repeat_last_step = forms.BooleanField(label=_("Repeat the last step until acknowledged"), required=False)
    ack_reminder_hours = forms.IntegerField(
        label=_("Remind whoever acknowledged after (hours without progress)"), required=False, min_value=1,
        initial=24, help_text=_("Empty: never."))
    ack_lapse_hours = forms.IntegerField(
        label=_("Then let the acknowledgement lapse after (hours)"), required=False, min_value=1, initial=24,
        help_text=_("Escalation resumes at the next step. Empty: never."))


class StepForm(forms.Form):
    targets = forms.MultipleChoiceField(label=_("Notify"), choices=StepTarget.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    users = forms.ModelMultipleChoiceField(label=_("Named users"), queryset=User.objects.none(), required=False)
    channels = forms.MultipleChoiceField(label=_("Channels"), required=False, widget=forms.CheckboxSelectMultiple,
                                         choices=[(Channel.EMAIL, Channel.EMAIL.label),
                                                  (Channel.IN_APP, Channel.IN_APP.label)])
    wait_minutes = forms.IntegerField(label=_("Wait before the next step (minutes)"), required=False, initial=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = User.objects.filter(is_active=True).order_by("username")


# One blank row more than the policy has: that is how a step is added.
StepFormSet = forms.formset_factory(StepForm, extra=1, max_num=8)
