"""How the shop writes dates and times in French (numbers: Django's own French formats, "1 234,50")."""

DATE_FORMAT = "j F Y"  # 29 novembre 2026
DATETIME_FORMAT = "j F Y à H:i"  # 29 novembre 2026 à 16:08
SHORT_DATE_FORMAT = "d/m/Y"  # 29/11/2026 (tables)
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # lundi
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]
