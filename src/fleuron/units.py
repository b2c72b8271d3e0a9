"""The units of print, once: PDF's and CSS's points (1/72 in) and the inch, in millimetres."""

#: Millimetres in an inch.
INCH = 25.4
#: Millimetres in a point.
POINT = INCH / 72
#: Points in a millimetre.
MM = 72 / INCH
