partner_routes: list = []
