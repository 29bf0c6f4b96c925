from rest_framework.routers import SimpleRouter

from .api import CertificateViewSet, CourseViewSet, EnrolmentViewSet, SessionViewSet

router = SimpleRouter()
router.register("courses", CourseViewSet, basename="course")
router.register("sessions", SessionViewSet, basename="session")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("certificates", CertificateViewSet, basename="certificate")

urlpatterns = router.urls
