from django.db import migrations

TOPICS = [
    ("newsletter", "Newsletter and special offers", "Our picks, sales and offers.",
     ["twice_weekly", "weekly", "monthly"], "twice_weekly", 10),
    ("new-brands-and-styles", "New brands and product styles", "Be first to hear when a brand or style arrives.",
     ["twice_weekly", "weekly", "monthly"], "weekly", 20),
    ("contests", "Contests and giveaways", "Chances to win, announced when a contest opens.",
     ["weekly", "monthly"], "monthly", 30),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("subscriptions", "Topic")
    for slug, name, description, allowed, default, position in TOPICS:
        Topic.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "allowed_frequencies": allowed,
                "default_frequency": default,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0002_preference_center")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
