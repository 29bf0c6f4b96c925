from django import forms

from .models import County, PoliceUnit, Province


class PoliceUnitForm(forms.ModelForm):
    class Meta:
        model = PoliceUnit
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "parent",
            "province",
            "county",
            "phone",
            "address",
            "latitude",
            "longitude",
            "is_active",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible_units = PoliceUnit.objects.visible_to(user)
        self.fields["parent"].queryset = PoliceUnit.objects.filter(
            kind__in=["hq", "provincial_command", "station"]
        ).filter(pk__in=visible_units.values("pk")) | PoliceUnit.objects.filter(kind="hq")
        self.fields["province"].queryset = Province.objects.filter(
            pk__in=visible_units.values("province")
        )
        self.fields["county"].queryset = County.objects.filter(
            province__in=self.fields["province"].queryset
        ).select_related("province")
