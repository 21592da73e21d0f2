"""factory_boy factories for the domain models."""

from datetime import time

import factory
from django.contrib.auth import get_user_model

from cameras.models import Camera, Observation
from places.models import Kecamatan, LocalGovernment, Office, OpeningHours


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class LocalGovernmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalGovernment
        django_get_or_create = ("code",)

    code = "74.71"
    name = "Kendari"
    kind = LocalGovernment.Kind.KOTA
    time_zone = "Asia/Makassar"


class KecamatanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kecamatan

    local_government = factory.SubFactory(LocalGovernmentFactory)
    code = factory.Sequence(lambda n: f"74.71.{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Kecamatan {n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    kecamatan = factory.SubFactory(KecamatanFactory)
    code = factory.Sequence(lambda n: f"74.71.99.{1000 + n}")
    name = factory.Sequence(lambda n: f"Kelurahan {n}")


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    local_government = factory.SubFactory(LocalGovernmentFactory)
    office = None
    weekday = 0
    opens_at = time(7, 30)
    closes_at = time(16, 0)


class CameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Camera

    office = factory.SubFactory(OfficeFactory)
    local_government = factory.LazyAttribute(
        lambda camera: camera.office.kecamatan.local_government
    )
    kecamatan = factory.LazyAttribute(lambda camera: camera.office.kecamatan)
    name = "Ruang pelayanan"
    source_url = "http://127.0.0.1:9/snapshot.jpg"


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    camera = factory.SubFactory(CameraFactory)
