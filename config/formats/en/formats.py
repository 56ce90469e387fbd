"""How the shop writes dates and times in English: one format for pages, emails, exports and the admin.

Templates use the names, not literal formats: {{ when|date:"DATETIME_FORMAT" }}, {{ day|date }}; Python uses
django.utils.formats.date_format(timezone.localtime(when), "DATETIME_FORMAT").
"""

DATE_FORMAT = "j F Y"  # 29 November 2026
DATETIME_FORMAT = "j F Y, H:i"  # 29 November 2026, 16:08
SHORT_DATE_FORMAT = "j M Y"  # 29 Nov 2026 (tables)
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y"]
