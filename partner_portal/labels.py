"""Human names of the stored codes (roles, kinds, tiers...), translated where shown.

Templates write ``{{ org.kind|label }}``; the code stays in the database and URLs.
"""

from __future__ import annotations

from partner_portal.i18n import N_, gettext

LABELS: dict[str, str] = {
    # organisation kinds
    "brand": N_("Brand"),
    "fabric_supplier": N_("Fabric supplier"),
    "trim_supplier": N_("Trim supplier"),
    "distributor": N_("Distributor"),
    "retailer": N_("Retailer"),
    "group_client": N_("Corporate client"),
    # tiers
    "platinum": N_("Platinum"),
    "gold": N_("Gold"),
    "silver": N_("Silver"),
    "standard": N_("Standard"),
    # partner status
    "prospect": N_("Prospect"),
    "active": N_("Active"),
    "dormant": N_("Dormant"),
    "churned": N_("Churned"),
    # roles
    "brand_admin": N_("Brand administrator"),
    "kam": N_("Key-account manager"),
    "brand_staff": N_("Brand staff"),
    "supplier": N_("Supplier"),
    # interactions
    "call": N_("Call"),
    "visit": N_("Visit"),
    "email": N_("E-mail"),
    "meeting": N_("Meeting"),
    "complaint": N_("Complaint"),
    "note": N_("Note"),
    "system": N_("System"),
    # addresses
    "office": N_("Office"),
    "billing": N_("Billing"),
    "shipping": N_("Shipping"),
    "warehouse": N_("Warehouse"),
    # audit actions
    "create": N_("Created"),
    "update": N_("Updated"),
    "delete": N_("Deleted"),
    "transfer": N_("Transferred"),
    "import": N_("Imported"),
    "invite": N_("Invited"),
    "password_set": N_("Password set"),
    "password_change": N_("Password changed"),
    "token_create": N_("API token created"),
    "token_revoke": N_("API token revoked"),
    "deactivate": N_("Deactivated"),
    "reactivate": N_("Reactivated"),
    "new_link": N_("New set-password link"),
    # audited record kinds
    "user": N_("User"),
    "api_token": N_("API token"),
    # audited record kinds of the partner network (partners/services.py)
    "organisation": N_("Partner"),
    "contact": N_("Contact"),
    "timeline_entry": N_("Timeline entry"),
    # catalog (catalog/tables.py): style status, categories, genders, record kinds
    "draft": N_("Draft"),
    "discontinued": N_("Discontinued"),
    "shirts": N_("Shirts"),
    "tops": N_("Tops"),
    "trousers": N_("Trousers"),
    "skirts": N_("Skirts"),
    "dresses": N_("Dresses"),
    "knitwear": N_("Knitwear"),
    "outerwear": N_("Outerwear"),
    "uniform": N_("Uniform"),
    "accessories": N_("Accessories"),
    "women": N_("Women"),
    "men": N_("Men"),
    "unisex": N_("Unisex"),
    "kids": N_("Kids"),
    # the fit a size chart gives (catalog/size_charts.py), prefixed like the colours
    "fit.regular": N_("Regular fit"),
    "fit.slim": N_("Slim fit"),
    "fit.relaxed": N_("Relaxed fit"),
    # colour swatches (catalog/swatches.py), prefixed: "orange" alone might be a status one day
    "colour.black": N_("Black"),
    "colour.white": N_("White"),
    "colour.navy": N_("Navy"),
    "colour.grey": N_("Grey"),
    "colour.khaki": N_("Khaki"),
    "colour.beige": N_("Beige"),
    "colour.blue": N_("Blue"),
    "colour.olive": N_("Olive"),
    "colour.green": N_("Green"),
    "colour.red": N_("Red"),
    "colour.pink": N_("Pink"),
    "colour.brown": N_("Brown"),
    "colour.yellow": N_("Yellow"),
    "colour.orange": N_("Orange"),
    "colour.purple": N_("Purple"),
    "colour.other": N_("Other colours"),
    "style": N_("Style"),
    "season": N_("Season"),
    "size_scale": N_("Size scale"),
    "price_list": N_("Price list"),
    "collection": N_("Collection"),
    # Kinds of size scale ("kids" is above)
    "alpha": N_("Letters (S, M, L)"),
    "numeric": N_("Numbers"),
    "one_size": N_("One size"),
    "china_gb": N_("China GB/T (165/84A)"),
    "korea_ks": N_("Korea KS (95, 100)"),
    # the order book (orders/tables.py): statuses ("draft" is above), channels, requests
    "submitted": N_("Submitted"),
    "confirmed": N_("Confirmed"),
    "in_production": N_("In production"),
    "partially_shipped": N_("Partially shipped"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "cancelled": N_("Cancelled"),
    "rejected": N_("Rejected"),
    "group": N_("Group order"),
    "rep_entered": N_("Entered by the brand"),
    "pending": N_("Waiting for a decision"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
    "order": N_("Order"),
    # partner health (insights/): churn risk ("churned" is above)
    "high": N_("High"),
    "medium": N_("Medium"),
    "low": N_("Low"),
}


def label(code: object) -> str:
    """The translated name of a stored code; unknown codes show as they are."""
    key = getattr(code, "value", code)
    message = LABELS.get(str(key))
    return gettext(message) if message else str(key)
