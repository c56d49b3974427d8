partner_api_routes: list = []
