"""Routes of the coverage forms: the desk's decision and the portal's answer."""

from django.urls import path

from servicedesk.coverage import views

app_name = "coverage"

urlpatterns = [
    path("<str:number>/suggest", views.suggest, name="suggest"),
    path("<str:number>/decide", views.decide, name="decide"),
    path("<str:number>/answer", views.answer, name="answer"),
]
