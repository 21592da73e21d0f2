from django import template
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def other_language(context) -> dict:
    """A plain link to this page in the other language: public pages set no cookie (no CSRF
    form), so shared caches may keep them."""
    request = context["request"]
    target = "en" if get_language() != "en" else "id"
    return {
        "code": target.upper(),
        "title": "English" if target == "en" else "Bahasa Indonesia",
        "url": translate_url(request.get_full_path(), target),
    }
