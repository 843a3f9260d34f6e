# Overrides Django's Indonesian formats; everything not set here comes from Django's own.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H.i"
