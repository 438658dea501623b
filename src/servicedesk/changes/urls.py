"""Routes of change management: the desk's Change panel and the portal's proposals."""

from django.urls import path

from servicedesk.changes import views

app_name = "changes"

urlpatterns = [
    path("desk/<str:number>/park/", views.desk_park, name="desk-park"),
    path("desk/<str:number>/decide/", views.desk_decide, name="desk-decide"),
    path("desk/<str:number>/propose/", views.desk_propose, name="desk-propose"),
    path("desk/<str:number>/proposals/<int:pk>/plan/", views.desk_plan, name="desk-plan"),
    path("desk/<str:number>/release/", views.desk_release, name="desk-release"),
    path("proposals/", views.portal_proposals, name="portal-proposals"),
    path("proposals/<int:pk>/", views.portal_proposal, name="portal-proposal"),
    path("proposals/<int:pk>/answer/", views.proposal_answer, name="proposal-answer"),
]
