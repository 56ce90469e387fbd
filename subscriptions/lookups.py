"""`pk__any_of=[...]`: "one of these ids" as a single array parameter on PostgreSQL.

The mailing engine filters by a thousand ids several times per batch; `__in` turns that into a thousand
placeholders that Django and psycopg build and parse on every query. On PostgreSQL this sends one array
(`id = ANY(%s)`); elsewhere (the SQLite demo) it falls back to an IN list.
"""

from django.db import models
from django.db.models import Lookup


@models.BigAutoField.register_lookup
class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [int(value) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
