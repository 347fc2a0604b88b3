"""The signed-in user, and API tokens for scripts.

Tokens are django-rest-knox tokens: the database keeps a SHA-512 digest and a
15-character lookup prefix (`token_key`), never the token; each expires
(settings.REST_KNOX TOKEN_TTL) and can be revoked by its owner. Creating one takes a
username and password through django.contrib.auth.authenticate(request=...), so
django-axes counts failures and locks the username/IP out like the login page does.
"""
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import audit
from accounts.calendar_feeds import calendar_feed_issue, calendar_feed_revoke
from core.api.base import GovernmentBriefSerializer, StrictSerializer


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.SerializerMethodField()
    email = serializers.EmailField()
    role = serializers.CharField()
    government = GovernmentBriefSerializer(allow_null=True)
    time_zone = serializers.CharField(help_text="IANA zone the pages show times in; the API always speaks UTC.")

    def get_full_name(self, user) -> str:
        return user.get_full_name() or user.username


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="The signed-in user: role, government and time zone")
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class LoginSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField(help_text="The token's first characters: its name for listing and revoking.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    current = serializers.SerializerMethodField(help_text="Whether this request was made with this token.")

    def get_current(self, token) -> bool:
        auth = self.context.get("request").auth if self.context.get("request") else None
        return isinstance(auth, AuthToken) and auth.digest == token.digest


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(help_text="Shown once, never stored: send it as `Authorization: Token <token>`.")


def _own_live_tokens(user):
    now = timezone.now()
    return AuthToken.objects.filter(user=user).exclude(expiry__lt=now).order_by("-created")


class TokenListView(APIView):
    public_methods = ("POST",)

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_authenticators(self):
        # Logging in with a password must not need (or be refused for) a stale token.
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(responses=TokenSerializer(many=True), summary="My API tokens (without their secret)")
    def get(self, request):
        tokens = _own_live_tokens(request.user)
        return Response(TokenSerializer(tokens, many=True, context={"request": request}).data)

    @extend_schema(request=LoginSerializer, responses={201: NewTokenSerializer}, auth=[],
                   summary="Create an API token with username and password",
                   description="Failed attempts are counted per username and address; after "
                               "settings.AXES_FAILURE_LIMIT of them the pair is locked out (429).")
    def post(self, request):
        body = LoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper: axes records the attempt on it.
        user = authenticate(request=request._request, username=body.validated_data["username"],
                            password=body.validated_data["password"])
        if user is None or not user.is_active:
            raise ValidationError({"non_field_errors": [_("Unknown username or wrong password.")]})
        with transaction.atomic():
            limit = knox_settings.TOKEN_LIMIT_PER_USER
            if limit is not None and _own_live_tokens(user).select_for_update().count() >= limit:
                raise ValidationError({"non_field_errors": [
                    _("You hold %(n)d live tokens already; revoke one first.") % {"n": limit}]})
            token_row, token = AuthToken.objects.create(user=user)
        # Token logins bypass login(), so user_logged_in never fires for them.
        audit.record(audit.AuditKind.LOGIN_SUCCEEDED, request=request._request, actor=user, via="api_token")
        data = {"token": token, "token_key": token_row.token_key, "created": token_row.created,
                "expiry": token_row.expiry, "current": False}
        return Response(NewTokenSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: OpenApiResponse(description="All your tokens are revoked.")},
                   summary="Revoke all my tokens", operation_id="auth_tokens_revoke_all")
    def delete(self, request):
        AuthToken.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenDetailView(APIView):
    @extend_schema(responses={204: OpenApiResponse(description="Revoked.")}, summary="Revoke one of my tokens", operation_id="auth_tokens_revoke")
    def delete(self, request, token_key: str):
        deleted, _rows = AuthToken.objects.filter(user=request.user, token_key=token_key).delete()
        if not deleted:
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)



class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Shown once: subscribe to it in a calendar; it is the feed's only key.")


class CalendarFeedView(APIView):
    @extend_schema(request=None, responses={201: CalendarFeedSerializer},
                   summary="Create or regenerate my calendar feed URL",
                   description="Answers the secret URL once; regenerating makes the previous URL answer 404.")
    def post(self, request):
        token = calendar_feed_issue(user=request.user)
        # By name: the feed view lives above accounts (it reads coordination's selectors).
        url = settings.SITE_URL.rstrip("/") + reverse("calendar-feed", kwargs={"token": token})
        return Response(CalendarFeedSerializer({"url": url}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Revoked: the URL answers 404.")},
                   summary="Revoke my calendar feed URL")
    def delete(self, request):
        # Idempotent: revoking what is already revoked (or was never made) leaves the same state.
        calendar_feed_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
