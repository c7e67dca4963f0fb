"""Embedding localgov with an in-memory SQLite store: the README's tour, runnable.

Run: python examples/embed_sqlite.py
"""

from localgov import Localgov
from localgov.organisation import StaffMember
from localgov.requests import Applicant

app = Localgov(plugins=["cairo"])  # the core plus the Cairo governorate plugin
print(app.catalogue.service("building_permit").name.ar)  # استخراج رخصة بناء

clerk = StaffMember("clerk-1", "منى", "zeitoun", {"front_desk_clerk"})
checker = StaffMember("docs-1", "كريم", "zeitoun", {"document_checker"})
engine = app.engine("sqlite://", staff=[clerk, checker])  # or "sqlite://", or PostgreSQL

request = engine.submit(
    "building_permit",
    unit="zeitoun",
    channel="front_desk",
    service_point="zeitoun_tc",
    actor=clerk,
    applicant=Applicant("27803140123452", "محمد أحمد عبد الرحمن", "01012345678"),
    form={
        "applicant_capacity": "owner",
        "parcel_reference": "ZTN/12/4",
        "site_address": "١٢ شارع طومان باي",
        "floors": "5",
        "height_m": "16.5",
        "built_area": "240",
        "building_use": "residential",
        "estimated_cost": "2500000",
    },
)
print(request.id, request.due_date)  # CZTN-2600001-3 and the date on the working-day calendar
engine.act(request.id, "request_missing", checker, comment="ownership proof missing")
