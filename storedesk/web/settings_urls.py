from django.urls import path

app_name = "settings"
urlpatterns: list = []
