"""Writers that turn plain data from app/ into files: Excel (openpyxl), PDF (reportlab), QR, photo archives.

No Qt here; every writer writes to a temporary name beside the target and renames it when complete.
"""
