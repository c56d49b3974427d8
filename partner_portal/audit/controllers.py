audit_routes: list = []
