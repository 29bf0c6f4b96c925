from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    # pg_trgm indexes the normalised names; the operation does nothing on SQLite.
    operations = [TrigramExtension()]
