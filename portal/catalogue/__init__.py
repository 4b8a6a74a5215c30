"""The priced catalogue: itineraries as each worker pays for them (CONVENTIONS §1b).

bases/ holds the catalogue's data and its unpriced pages and API; funds/ the subsidy rules;
applications/ who may apply. The pages that combine them for a worker live here: the itinerary
catalogue, an itinerary's page, the comparison and "recommended for you".
"""
