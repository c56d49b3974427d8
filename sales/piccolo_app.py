import os

from piccolo.conf.apps import AppConfig

from sales.tables import (
    CareEvent,
    CareReminder,
    CaseMessage,
    CasePhoto,
    DealRegistration,
    KnowledgeArticle,
    LedgerEntry,
    Opportunity,
    OpportunityTotal,
    RebateProgramme,
    RebateTier,
    SalesPolicy,
    ServiceCase,
    StageProbability,
)

APP_CONFIG = AppConfig(
    app_name="sales",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        StageProbability,
        Opportunity,
        SalesPolicy,
        DealRegistration,
        ServiceCase,
        KnowledgeArticle,
        CaseMessage,
        RebateProgramme,
        RebateTier,
        LedgerEntry,
        CareEvent,
        CareReminder,
        CasePhoto,
        OpportunityTotal,
    ],
    migration_dependencies=[
        "partner_portal.partners.piccolo_app",
        "partner_portal.catalog.piccolo_app",
    ],
    commands=[],
)
