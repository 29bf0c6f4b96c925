import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def copy_institution_scopes(apps, schema_editor):
    """Existing reach rows take their institution's province and supervising unit."""
    Institution = apps.get_model("institutions", "Institution")
    PersonReach = apps.get_model("personnel", "PersonReach")
    institution = Institution.objects.filter(pk=OuterRef("institution_id"))
    PersonReach.objects.update(
        province_id=Subquery(institution.values("province_id")[:1]),
        supervising_unit_id=Subquery(institution.values("supervising_unit_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0001_initial"),
        ("institutions", "0002_date_ranges"),
        ("personnel", "0007_list_order_indexes"),
        # Its data step writes reach rows of the model as it was before these columns.
        ("vetting", "0003_reach_from_applications"),
    ]

    operations = [
        migrations.AddField(
            model_name="personreach",
            name="province",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="geo.province",
            ),
        ),
        migrations.AddField(
            model_name="personreach",
            name="supervising_unit",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="geo.policeunit",
            ),
        ),
        migrations.RunPython(copy_institution_scopes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="personreach",
            name="province",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="geo.province",
            ),
        ),
        migrations.AlterField(
            model_name="personreach",
            name="supervising_unit",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="geo.policeunit",
            ),
        ),
        migrations.AddIndex(
            model_name="personreach",
            index=models.Index(fields=["province", "person"], name="person_reach_by_province"),
        ),
        migrations.AddIndex(
            model_name="personreach",
            index=models.Index(fields=["supervising_unit", "person"], name="person_reach_by_unit"),
        ),
        migrations.AddIndex(
            model_name="employment",
            index=models.Index(
                condition=Q(end_date__isnull=True),
                fields=["institution", "person"],
                name="employment_current_staff",
            ),
        ),
    ]
