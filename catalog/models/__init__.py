from .catalog_entries import CatalogEntry
from .children import FAQ, AccountabilityCase, Fee, LegalBasis, Material, ResponsibilityStage
from .departments import Department, scoped_department_ids, scoped_departments
from .items import QUALITY_FIELDS, HandlingArea, ServiceItem

__all__ = [
    "FAQ",
    "QUALITY_FIELDS",
    "AccountabilityCase",
    "CatalogEntry",
    "Department",
    "Fee",
    "HandlingArea",
    "LegalBasis",
    "Material",
    "ResponsibilityStage",
    "ServiceItem",
    "scoped_department_ids",
    "scoped_departments",
]
