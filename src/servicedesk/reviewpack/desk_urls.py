"""The desk's review pack (included in `desk.urls`, so its names are `desk:...`)."""

from django.urls import path

from servicedesk.reviewpack import views

urlpatterns = [
    path("", views.desk_page, name="review-pack"),
    path("pdf/", views.desk_pdf, name="review-pack-pdf"),
]
