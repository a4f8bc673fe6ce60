"""Refusals people read outside a page are Vietnamese too: an import command that cannot open its file."""

import pytest
from django.core.management import CommandError, call_command

from tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "command,make,said",
    [
        ("import_children", lambda folder: folder / "khong-co.xlsx", "không có tệp này"),
        ("import_donors", lambda folder: folder, "đây là một thư mục, không phải tệp"),
        ("import_donations", lambda folder: folder / "khong-co" / "ds.csv", "không có tệp này"),
    ],
)
def test_an_import_command_says_in_vietnamese_why_it_cannot_open_the_file(
    tmp_path, tree, command, make, said
):
    staff(tree["d1"], username="canbo_huyen")
    path = make(tmp_path)
    with pytest.raises(CommandError) as refused:
        call_command(command, str(path), "--user", "canbo_huyen")
    message = str(refused.value)
    assert message == f"Không đọc được {path}: {said}", message
    assert "No such file" not in message and "directory" not in message
