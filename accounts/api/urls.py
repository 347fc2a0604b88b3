from django.urls import path

from accounts.api import views

urlpatterns = [
    path("users/me", views.MeView.as_view(), name="user-me"),
    path("users/me/calendar-feed", views.CalendarFeedView.as_view(), name="user-calendar-feed"),
    path("auth/tokens", views.TokenListView.as_view(), name="token-list"),
    path("auth/tokens/<str:token_key>", views.TokenDetailView.as_view(), name="token-detail"),
]
