from django.urls import path

from . import views

app_name = "credentials"

urlpatterns = [
    path("cards/", views.CardListView.as_view(), name="card_list"),
    path("cards/offline/", views.offline_check, name="offline_check"),
    path("cards/checks/", views.check_statistics, name="check_statistics"),
    path("cards/issue/", views.CardIssueView.as_view(), name="card_issue"),
    path("cards/<int:pk>/", views.CardDetailView.as_view(), name="card_detail"),
    path("cards/batch.pdf", views.CardBatchPdfView.as_view(), name="card_batch_pdf"),
    path("cards/<int:pk>/card.pdf", views.CardPdfView.as_view(), name="card_pdf"),
    path("cards/<int:pk>/replace/", views.CardReplaceView.as_view(), name="card_replace"),
    path("institutions/public/", views.public_register, name="public_register"),
]
