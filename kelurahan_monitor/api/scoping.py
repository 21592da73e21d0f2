"""Serializers that refuse references to another government's rows (every app's API uses it)."""

from rest_framework import serializers

from kelurahan_monitor import roles
from places.models import Kecamatan, Office


class ScopedSerializer(serializers.ModelSerializer):
    """Refuses references to offices or governments outside the user's scope."""

    def _user(self):
        return self.context["request"].user

    def validate_office(self, office: Office | None) -> Office | None:
        if office is not None and not roles.visible_offices(self._user()).filter(pk=office.pk):
            raise serializers.ValidationError("unknown office")
        return office

    def validate_kecamatan(self, kecamatan: Kecamatan | None) -> Kecamatan | None:
        if kecamatan is None:
            return None
        governments = roles.visible_governments(self._user())
        if not governments.filter(pk=kecamatan.local_government_id).exists():
            raise serializers.ValidationError("unknown kecamatan")
        return kecamatan

    def validate_local_government(self, government):
        visible = roles.visible_governments(self._user())
        if government is not None and not visible.filter(pk=government.pk).exists():
            raise serializers.ValidationError("unknown local government")
        return government
