"""The units of print, once, each named by what it converts: PDF's and CSS's points (1/72 in),
millimetres and inches."""

#: Millimetres in an inch: `0.125 * MM_PER_INCH` is KDP's bleed in millimetres.
MM_PER_INCH = 25.4
#: Millimetres in a point: a PDF length (points) times this is millimetres.
MM_PER_POINT = MM_PER_INCH / 72
#: Points in a millimetre: a length in millimetres times this is points.
POINTS_PER_MM = 72 / MM_PER_INCH
