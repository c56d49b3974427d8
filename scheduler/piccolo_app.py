import os

from piccolo.conf.apps import AppConfig

from scheduler.tables import (
    CalendarFeed,
    DigestClaim,
    FollowUp,
    FollowUpCause,
    FollowUpRule,
    FollowUpSeries,
    JobRun,
)

APP_CONFIG = AppConfig(
    app_name="scheduler",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        FollowUpSeries,
        FollowUp,
        FollowUpCause,
        FollowUpRule,
        DigestClaim,
        CalendarFeed,
        JobRun,
    ],
    migration_dependencies=["partner_portal.partners.piccolo_app"],
    commands=[],
)
