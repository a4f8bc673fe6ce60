"""Pages of the donations app, one module per noun: the public donation with VietQR (donate), the
officers' money pages in the portal (money), a donor's own donations (my_donations). Import from the
noun module; this package has no facade.
"""
