import pytest

from tests.deploy.layout import lay_out_image


@pytest.fixture(scope="session")
def image_workdir(tmp_path_factory):
    """The files the image holds, laid out from the Dockerfile's COPY lines: its WORKDIR."""
    return lay_out_image(tmp_path_factory.mktemp("image-root"))
