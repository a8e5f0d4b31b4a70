"""Shared vocabularies: sectors, regions, company sizes. Programmes' eligibility rules, company
profiles and the directory of calls all speak these."""

from django.db import models


class Sector(models.TextChoices):
    TECH = "tech", "Tech and digital"
    LIFE_SCIENCES = "life_sciences", "Life sciences and health"
    URBAN = "urban", "Urban, built environment and cleantech"
    MANUFACTURING = "manufacturing", "Advanced manufacturing"
    CREATIVE = "creative", "Creative industries"
    FOOD = "food", "Food and drink"
    FINANCE = "finance", "Financial and professional services"
    RETAIL = "retail", "Retail and consumer"
    OTHER = "other", "Other"


class Region(models.TextChoices):
    LONDON = "london", "London"
    SOUTH_EAST = "south_east", "South East"
    SOUTH_WEST = "south_west", "South West"
    EAST = "east", "East of England"
    WEST_MIDLANDS = "west_midlands", "West Midlands"
    EAST_MIDLANDS = "east_midlands", "East Midlands"
    YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
    NORTH_WEST = "north_west", "North West"
    NORTH_EAST = "north_east", "North East"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"
    OUTSIDE_UK = "outside_uk", "Outside the UK"


class TurnoverBand(models.TextChoices):
    UNDER_100K = "lt100k", "Under £100k"
    TO_500K = "100k_500k", "£100k – £500k"
    TO_1M = "500k_1m", "£500k – £1m"
    TO_5M = "1m_5m", "£1m – £5m"
    TO_10M = "5m_10m", "£5m – £10m"
    TO_50M = "10m_50m", "£10m – £50m"
    OVER_50M = "gt50m", "Over £50m"
