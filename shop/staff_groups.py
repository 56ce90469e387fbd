"""What the "Support" group (privacy.staff_groups) may do in the shop: read orders, shipments and support tickets,
and answer tickets. Kept after every `migrate` by shop.apps; see docs/privacy.md."""

SUPPORT = [
    "view_order",
    "view_orderline",
    "view_shipment",
    "view_supportticket",
    "change_supportticket",
    "view_supportreply",
    "add_supportreply",
]
