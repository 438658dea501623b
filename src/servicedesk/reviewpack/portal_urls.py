"""The portal's review packs (included in `portal.urls`, so their names are `portal:...`)."""

from django.urls import path

from servicedesk.reviewpack import views

urlpatterns = [
    path("", views.portal_page, name="review-packs"),
    path("<slug:organisation>/<str:quarter>.pdf", views.portal_pdf, name="review-pack-pdf"),
]
