import pytest

from tests.factories import UnitFactory, UserFactory  # noqa: F401

pytest_plugins = ("celery.contrib.pytest",)


@pytest.fixture
def tree(db):
    """A small three-level tree: one province, two districts, three communes with villages.

    D1 holds communes A and B, D2 holds commune C. Each commune has one village.
    """
    from fund_portal.models import UnitLevel

    province = UnitFactory(code="90", name="Tỉnh Thử Nghiệm", level=UnitLevel.PROVINCE, parent=None)
    d1 = UnitFactory(code="901", name="Huyện Một", level=UnitLevel.DISTRICT, parent=province)
    d2 = UnitFactory(code="902", name="Huyện Hai", level=UnitLevel.DISTRICT, parent=province)
    a = UnitFactory(code="90101", name="Xã An", level=UnitLevel.COMMUNE, parent=d1)
    b = UnitFactory(code="90102", name="Xã Bình", level=UnitLevel.COMMUNE, parent=d1)
    c = UnitFactory(code="90201", name="Xã Cường", level=UnitLevel.COMMUNE, parent=d2)
    villages = {
        key: UnitFactory(
            code=f"{commune.code}-01", name=f"Thôn 1 {commune.name}", level=UnitLevel.VILLAGE, parent=commune
        )
        for key, commune in (("a", a), ("b", b), ("c", c))
    }
    return {
        "province": province,
        "d1": d1,
        "d2": d2,
        "a": a,
        "b": b,
        "c": c,
        **{f"v{k}": v for k, v in villages.items()},
    }


@pytest.fixture(autouse=True)
def _public_cache_fresh():
    """Each test starts with an empty cache and reads the public figures version from its own database."""
    from django.core.cache import cache

    from public.cache import figures_version_forget

    cache.clear()
    figures_version_forget()
    yield
