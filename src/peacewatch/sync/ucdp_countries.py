"""Gleditsch-Ward state numbers for the UCDP API's ``Country`` filter.

The UCDP API filters events by the Gleditsch and Ward (1999) number of the state they happened in (GED's
``country_id``), not by name or ISO code; ``peacewatch sync ucdp --country`` takes what the rest of
peacewatch takes (a name, an alias or an ISO3 code, resolved by the gazetteer) or the number itself.
The table holds the states that exist today plus the GED-era states that did not last (South Yemen 680,
Czechoslovakia 315, East Germany 265): a historical state is reached by its number, since the gazetteer
resolves its name to its successor. Serbia is 345, Yugoslavia's number, as in UCDP's GED.

References: Gleditsch, K. S. and Ward, M. D. (1999). A revised list of independent states since the
Congress of Vienna. International Interactions 25(4), 393-413; the list as UCDP uses it (GED codebook,
``country_id``). Territories without a state of their own (Western Sahara, Palestine) have no number:
UCDP files their events under the state it codes them in (Morocco 600, Israel 666).

>>> gw_code("Afghanistan"), gw_code("AFG"), gw_code("700")
(700, 700, 700)
"""

from __future__ import annotations

from peacewatch.errors import ArgumentError

# fmt: off
GW_BY_ISO3: dict[str, int] = {
    "USA": 2, "CAN": 20, "BHS": 31, "CUB": 40, "HTI": 41, "DOM": 42, "JAM": 51, "TTO": 52, "BRB": 53,
    "DMA": 54, "GRD": 55, "LCA": 56, "VCT": 57, "ATG": 58, "KNA": 60, "MEX": 70, "BLZ": 80, "GTM": 90,
    "HND": 91, "SLV": 92, "NIC": 93, "CRI": 94, "PAN": 95, "COL": 100, "VEN": 101, "GUY": 110,
    "SUR": 115, "ECU": 130, "PER": 135, "BRA": 140, "BOL": 145, "PRY": 150, "CHL": 155, "ARG": 160,
    "URY": 165, "GBR": 200, "IRL": 205, "NLD": 210, "BEL": 211, "LUX": 212, "FRA": 220, "CHE": 225,
    "ESP": 230, "PRT": 235, "DEU": 260, "POL": 290, "AUT": 305, "HUN": 310, "CZE": 316, "SVK": 317,
    "ITA": 325, "MLT": 338, "ALB": 339, "SRB": 345, "MNE": 341, "MKD": 343, "HRV": 344, "BIH": 346,
    "XKX": 347, "SVN": 349, "GRC": 350, "CYP": 352, "BGR": 355, "MDA": 359, "ROU": 360, "RUS": 365,
    "EST": 366, "LVA": 367, "LTU": 368, "UKR": 369, "BLR": 370, "ARM": 371, "GEO": 372, "AZE": 373,
    "FIN": 375, "SWE": 380, "NOR": 385, "DNK": 390, "ISL": 395, "CPV": 402, "STP": 403, "GNB": 404,
    "GNQ": 411, "GMB": 420, "MLI": 432, "SEN": 433, "BEN": 434, "MRT": 435, "NER": 436, "CIV": 437,
    "GIN": 438, "BFA": 439, "LBR": 450, "SLE": 451, "GHA": 452, "TGO": 461, "CMR": 471, "NGA": 475,
    "GAB": 481, "CAF": 482, "TCD": 483, "COG": 484, "COD": 490, "UGA": 500, "KEN": 501, "TZA": 510,
    "BDI": 516, "RWA": 517, "SOM": 520, "DJI": 522, "ETH": 530, "ERI": 531, "AGO": 540, "MOZ": 541,
    "ZMB": 551, "ZWE": 552, "MWI": 553, "ZAF": 560, "NAM": 565, "LSO": 570, "BWA": 571, "SWZ": 572,
    "MDG": 580, "COM": 581, "MUS": 590, "SYC": 591, "MAR": 600, "ESH": 600, "DZA": 615, "TUN": 616,
    "LBY": 620, "SDN": 625, "SSD": 626, "IRN": 630, "TUR": 640, "IRQ": 645, "EGY": 651, "SYR": 652,
    "LBN": 660, "JOR": 663, "ISR": 666, "PSE": 666, "SAU": 670, "YEM": 678, "KWT": 690, "BHR": 692,
    "QAT": 694, "ARE": 696, "OMN": 698, "AFG": 700, "TKM": 701, "TJK": 702, "KGZ": 703, "UZB": 704,
    "KAZ": 705, "CHN": 710, "MNG": 712, "TWN": 713, "PRK": 731, "KOR": 732, "JPN": 740, "IND": 750,
    "BTN": 760, "PAK": 770, "BGD": 771, "MMR": 775, "LKA": 780, "MDV": 781, "NPL": 790, "THA": 800,
    "KHM": 811, "LAO": 812, "VNM": 816, "MYS": 820, "SGP": 830, "BRN": 835, "PHL": 840, "IDN": 850,
    "TLS": 860, "AUS": 900, "PNG": 910, "NZL": 920, "VUT": 935, "SLB": 940, "FJI": 950,
}
# fmt: on
# Serbia keeps Yugoslavia's 345, as in GW's list and UCDP's GED ("Serbia (Yugoslavia)"); 340 is the
# Kingdom of Serbia before 1918, outside GED's years. tests/sync/test_sync_ucdp_countries.py holds the
# table to the (country, country_id) pairs of the real GED files.
HISTORICAL = {265: "German Democratic Republic", 315: "Czechoslovakia", 680: "South Yemen"}


def gw_code(country: str) -> int:
    """The Gleditsch-Ward number of a country given by name, alias, ISO3 code or the number itself."""
    from peacewatch.gazetteer import iso3_for

    text = country.strip()
    if text.isdigit():
        number = int(text)
        if number in HISTORICAL or number in GW_BY_ISO3.values():
            return number
        raise ArgumentError(
            f"--country {text}: expected a Gleditsch-Ward state number UCDP uses (e.g. 700 for "
            "Afghanistan), found a number no state has.",
            hint="Give the country's name or ISO3 code instead (peacewatch sync ucdp --country Afghanistan).",
        )
    iso3 = text.upper() if text.upper() in GW_BY_ISO3 else iso3_for(text)
    if iso3 is None or iso3 not in GW_BY_ISO3:
        found = f"{iso3}, which has no state number of its own" if iso3 else "no country of that name"
        raise ArgumentError(
            f"--country {text!r}: expected a country UCDP codes events in, found {found}.",
            hint="Give a country's name, ISO3 code or Gleditsch-Ward number (e.g. --country 700); "
            "`peacewatch places` lists the names the gazetteer knows.",
        )
    return GW_BY_ISO3[iso3]
