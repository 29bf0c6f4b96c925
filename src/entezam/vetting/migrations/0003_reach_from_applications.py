from django.db import migrations


def reach_from_applications(apps, schema_editor):
    """Existing applications reach their people, as new ones will (personnel/reach.py)."""
    Application = apps.get_model("vetting", "Application")
    PersonReach = apps.get_model("personnel", "PersonReach")
    pairs = Application.objects.order_by().values_list("person_id", "institution_id").distinct()
    batch = []
    for person_id, institution_id in pairs.iterator(chunk_size=10_000):
        batch.append(
            PersonReach(
                person_id=person_id, institution_id=institution_id, source="vetting.application"
            )
        )
        if len(batch) >= 10_000:
            PersonReach.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    PersonReach.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("vetting", "0002_lean_indexes"),
        ("personnel", "0005_person_reach"),
    ]

    operations = [migrations.RunPython(reach_from_applications, migrations.RunPython.noop)]
