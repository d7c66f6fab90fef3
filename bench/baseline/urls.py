from __future__ import annotations

from django.urls import path

from bench.baseline import views

app_name = "bench_baseline"
urlpatterns = [path("bench/baseline/insert/", views.insert_one, name="insert")]
