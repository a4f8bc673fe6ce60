"""The urgent-incident banner's data for the portal and the admin (see `children.incidents`)."""


def incidents(request) -> dict:
    return {}
